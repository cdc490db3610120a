package io.github.tealflink.testjobs;

import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.apache.flink.api.connector.sink2.SinkWriter;

/** The writer of {@link AppendFileSink}: one file per subtask attempt, a line per record, flushed per record. */
final class AppendFileWriter<T> implements SinkWriter<T> {
    private final BufferedWriter out;

    AppendFileWriter(String dir, int subtask, int attempt) throws IOException {
        Path base = dir.startsWith("file:") ? Path.of(URI.create(dir)) : Path.of(dir);
        Files.createDirectories(base);
        out = Files.newBufferedWriter(base.resolve("part-" + subtask + "-" + attempt + "-" + UUID.randomUUID() + ".txt"),
                StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    @Override
    public void write(T element, Context context) throws IOException {
        out.write(element.toString());
        out.write('\n');
        out.flush();
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
