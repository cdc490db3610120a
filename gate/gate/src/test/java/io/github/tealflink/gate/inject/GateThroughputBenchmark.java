package io.github.tealflink.gate.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tealflink.gate.testing.InMemoryStore;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gate's overhead on throughput: the same job (a sequence → POJO → discarding sink, parallelism 1) with and
 * without a gate, one MiniCluster, one machine. A benchmark, not part of the test suite (surefire does not pick up
 * *Benchmark classes): {@code mvn -pl gate test -Dtest=GateThroughputBenchmark}. It prints the figures and asserts
 * no timing.
 */
class GateThroughputBenchmark {
    static final long N = Long.getLong("teal.bench.records", 3_000_000L);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static double run(boolean gated) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromSequence(0, N - 1).map(TestJobs.Event::new).sinkTo(new DiscardingSink<>());
        if (gated) {
            InMemoryStore.named("bench").set(Map.of("is-first-deployment", "false", "active-deployment-type", "BLUE",
                    "deployment-deletion-delay-ms", "0", "stage", "RUNNING", "watermark-stage", "WATERMARK_SET",
                    "watermark-toggle-value", "0"));
            assertEquals(1, GateInjector.inject(env.getTransformations(),
                    TestJobs.blueConf("bluegreen.gate.watermark.field-path", "ts"), false, InMemoryStore.factory("bench")).size());
        }
        long start = System.nanoTime();
        env.execute(gated ? "gated" : "plain");
        return N / ((System.nanoTime() - start) / 1e9);
    }

    @Test
    void recordsPerSecondWithAndWithoutTheGate() throws Exception {
        run(false); // warm-up
        double plain = 0;
        double gated = 0;
        // alternate, best of three each: the machine is shared, the best run is the least disturbed one
        for (int i = 0; i < 3; i++) {
            plain = Math.max(plain, run(false));
            gated = Math.max(gated, run(true));
        }
        System.out.printf("[bench] %d records, best of 3: without gate %.0f records/s, with gate %.0f records/s (%.1f%% overhead)%n",
                N, plain, gated, 100 * (plain - gated) / plain);
    }
}
