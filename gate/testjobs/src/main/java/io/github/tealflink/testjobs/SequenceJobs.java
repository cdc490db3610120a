package io.github.tealflink.testjobs;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * The test jobs of the exactly-once blue/green proof. Each reads the same deterministic, unbounded sequence source
 * (parallelism 1, rate-limited; record n has event time {@code base + n * step}; monotonous event-time watermarks)
 * and writes {@code seq,eventTime} lines. None references the gate: the agent injects it.
 *
 * <pre>
 *   single     source → rebalance → one append-file sink (parallelism 2)           field-path eventTime
 *   two-sinks  source → rebalance → sinks "a" (parallelism 2) and "b" (parallelism 1) field-path eventTime
 *   filesink   source → rebalance → FileSink, exactly-once (parts commit on checkpoints) field-path eventTime
 *   sql        source as a table with a rowtime column → INSERT INTO a filesystem (csv) table  field-index 1
 * </pre>
 *
 * Run: {@code flink run teal-bluegreen-testjobs.jar --variant filesink --output file:///data/out [--rate 200]
 * [--step-ms 5] [--base-ms 1700000000000] [--checkpoint-ms 1000]}. Outputs go to {@code <output>/<sink name>/}.
 */
public final class SequenceJobs {
    private SequenceJobs() {}

    /** The job variants. */
    public enum Variant {
        /** One non-transactional sink. */
        SINGLE("single"),
        /** Two sinks of different parallelism. */
        TWO_SINKS("two-sinks"),
        /** Flink's FileSink in exactly-once mode. */
        FILESINK("filesink"),
        /** A SQL INSERT INTO a filesystem table. */
        SQL("sql");

        /** The name used on the command line. */
        public final String flag;

        Variant(String flag) {
            this.flag = flag;
        }

        /** The variant named {@code flag}. */
        public static Variant of(String flag) {
            for (Variant v : values()) {
                if (v.flag.equals(flag)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("--variant " + flag + ": must be one of single, two-sinks, filesink, sql");
        }

        /** The sink names (output sub-directories) of this variant. */
        public String[] sinks() {
            return this == TWO_SINKS ? new String[] {"a", "b"} : new String[] {flag};
        }

        /** The gate configuration a user would set for this variant. */
        public Map<String, String> gateConfig() {
            Map<String, String> m = new HashMap<>();
            m.put("bluegreen.gate.strategy", "WATERMARK");
            if (this == SQL) {
                m.put("bluegreen.gate.watermark.field-index", "1");
            } else {
                m.put("bluegreen.gate.watermark.field-path", "eventTime");
            }
            return m;
        }
    }

    /**
     * Parameters of a run.
     *
     * @param output the output base URI or path
     * @param ratePerSecond records per second from the source
     * @param baseMs event time of record 0
     * @param stepMs event time between consecutive records
     */
    public record Params(String output, double ratePerSecond, long baseMs, long stepMs) {}

    /** Entry point for {@code flink run}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        if (!a.containsKey("variant") || !a.containsKey("output")) {
            throw new IllegalArgumentException("usage: --variant single|two-sinks|filesink|sql --output <dir> "
                    + "[--rate 200] [--step-ms 5] [--base-ms 1700000000000] [--checkpoint-ms 1000]");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(Long.parseLong(a.getOrDefault("checkpoint-ms", "1000")));
        Params p = new Params(a.get("output"), Double.parseDouble(a.getOrDefault("rate", "200")),
                Long.parseLong(a.getOrDefault("base-ms", "1700000000000")), Long.parseLong(a.getOrDefault("step-ms", "5")));
        start(env, Variant.of(a.get("variant")), p, "teal-sequence-" + a.get("variant")).getJobExecutionResult().get();
    }

    /** The deterministic, unbounded sequence source with event-time watermarks. */
    public static DataStream<SeqEvent> source(StreamExecutionEnvironment env, Params p) {
        long base = p.baseMs();
        long step = p.stepMs();
        GeneratorFunction<Long, SeqEvent> gen = n -> new SeqEvent(n, base + n * step);
        DataGeneratorSource<SeqEvent> source = new DataGeneratorSource<>(gen, Long.MAX_VALUE,
                RateLimiterStrategy.perSecond(p.ratePerSecond()), TypeInformation.of(SeqEvent.class));
        return env.fromSource(source,
                        WatermarkStrategy.<SeqEvent>forMonotonousTimestamps().withTimestampAssigner((e, ts) -> e.eventTime),
                        "sequence")
                .setParallelism(1)
                .uid("sequence-source");
    }

    /** Builds the variant on {@code env} and starts it; returns its job client. */
    public static JobClient start(StreamExecutionEnvironment env, Variant variant, Params p, String jobName) throws Exception {
        if (variant == Variant.SQL) {
            return startSql(env, p, jobName);
        }
        DataStream<SeqEvent> records = source(env, p).rebalance();
        switch (variant) {
            case SINGLE -> records.sinkTo(new AppendFileSink<>(p.output() + "/single")).name("single").uid("single").setParallelism(2);
            case TWO_SINKS -> {
                records.sinkTo(new AppendFileSink<>(p.output() + "/a")).name("a").uid("a").setParallelism(2);
                records.sinkTo(new AppendFileSink<>(p.output() + "/b")).name("b").uid("b").setParallelism(1);
            }
            case FILESINK -> records.sinkTo(FileSink.forRowFormat(new Path(p.output() + "/filesink"),
                                    new SimpleStringEncoder<SeqEvent>())
                            .withRollingPolicy(OnCheckpointRollingPolicy.build())
                            .build())
                    .name("filesink").uid("filesink").setParallelism(2);
            default -> throw new IllegalStateException(variant.toString());
        }
        return env.executeAsync(jobName);
    }

    private static JobClient startSql(StreamExecutionEnvironment env, Params p, String jobName) throws Exception {
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        tEnv.getConfig().set("pipeline.name", jobName);
        tEnv.createTemporaryView("sequence", source(env, p), Schema.newBuilder()
                .column("seq", DataTypes.BIGINT().notNull())
                .column("eventTime", DataTypes.BIGINT().notNull())
                .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                .watermark("rowtime", "SOURCE_WATERMARK()")
                .build());
        tEnv.executeSql("CREATE TABLE sql_out (seq BIGINT, rowtime TIMESTAMP_LTZ(3)) WITH ("
                + "'connector' = 'filesystem', 'path' = '" + p.output() + "/sql', 'format' = 'csv',"
                + "'sink.parallelism' = '2')");
        StreamStatementSet set = tEnv.createStatementSet();
        set.addInsertSql("INSERT INTO sql_out SELECT seq, rowtime FROM sequence");
        set.attachAsDataStream();
        return env.executeAsync(jobName);
    }
}
