package io.github.tealflink.testjobs;

import java.io.IOException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A non-transactional sink: each subtask appends {@code toString()} lines to its own file under a directory, flushed
 * per record. Flink 1.x variant (its Sink interface still declares createWriter(InitContext)).
 */
public final class AppendFileSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private final String dir;

    /** Writes under {@code dir} (a local path or file: URI). */
    public AppendFileSink(String dir) {
        this.dir = dir;
    }

    @Override
    @SuppressWarnings("deprecation")
    public SinkWriter<T> createWriter(Sink.InitContext context) throws IOException {
        return new AppendFileWriter<>(dir, context.getSubtaskId(), context.getAttemptNumber());
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return new AppendFileWriter<>(dir, context.getTaskInfo().getIndexOfThisSubtask(), context.getTaskInfo().getAttemptNumber());
    }
}
