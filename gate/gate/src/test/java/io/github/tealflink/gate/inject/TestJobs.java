package io.github.tealflink.gate.inject;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/** Small DataStream and SQL jobs whose graphs the injection tests inspect. */
public final class TestJobs {
    private TestJobs() {}

    /** A record with an event-time field. */
    public static class Event {
        /** Event time, epoch ms. */
        public long ts;
        /** Payload. */
        public String key;

        /** For Flink's POJO serializer. */
        public Event() {}

        Event(long ts) {
            this.ts = ts;
            this.key = "k" + (ts % 3);
        }
    }

    /** The gate configuration a blue child with a field path would have. */
    public static Map<String, String> blueConf(String extractorKey, String extractorValue) {
        Map<String, String> conf = new HashMap<>();
        conf.put("bluegreen.gate.injection.enabled", "true");
        conf.put("bluegreen.active-deployment-type", "BLUE");
        conf.put("bluegreen.configmap.name", "job-bg-configmap");
        conf.put("bluegreen.gate.strategy", "WATERMARK");
        conf.put("kubernetes.namespace", "default");
        conf.put(extractorKey, extractorValue);
        return conf;
    }

    /** Events with timestamps and watermarks. */
    public static DataStream<Event> events(StreamExecutionEnvironment env) {
        return env.fromSequence(0, 100).name("numbers")
                .map(Event::new).name("to-event")
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Event>forMonotonousTimestamps().withTimestampAssigner((e, t) -> e.ts))
                .name("timestamps");
    }

    /** events → one discarding sink of parallelism 3 (uid "only-sink"). */
    public static void singleSink(StreamExecutionEnvironment env) {
        events(env).sinkTo(new DiscardingSink<>()).name("only-sink").uid("only-sink").setParallelism(3);
    }

    /** events → two sinks of parallelism 2 and 1. */
    public static void twoSinks(StreamExecutionEnvironment env) {
        DataStream<Event> e = events(env);
        e.sinkTo(new DiscardingSink<>()).name("sink-a").setParallelism(2);
        e.sinkTo(new DiscardingSink<>()).name("sink-b").setParallelism(1);
    }

    /** events → FileSink (exactly-once). */
    public static void fileSink(StreamExecutionEnvironment env, String dir) {
        events(env).sinkTo(FileSink.forRowFormat(new Path(dir), new SimpleStringEncoder<Event>()).build()).name("files");
    }

    /** SQL: events as a table with a rowtime column, INSERT INTO a filesystem table; attaches to {@code env}. */
    public static void sqlFilesystem(StreamExecutionEnvironment env, String dir) {
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        tEnv.createTemporaryView("events", events(env), Schema.newBuilder()
                .column("ts", DataTypes.BIGINT().notNull())
                .column("key", DataTypes.STRING())
                .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                .watermark("rowtime", "SOURCE_WATERMARK()")
                .build());
        tEnv.executeSql("CREATE TABLE out_files (key STRING, rowtime TIMESTAMP_LTZ(3)) WITH ("
                + "'connector' = 'filesystem', 'path' = '" + dir + "', 'format' = 'csv')");
        StreamStatementSet set = tEnv.createStatementSet();
        set.addInsertSql("INSERT INTO out_files SELECT key, rowtime FROM events");
        set.attachAsDataStream();
    }
}
