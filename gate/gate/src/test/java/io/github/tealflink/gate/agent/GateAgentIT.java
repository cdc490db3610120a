package io.github.tealflink.gate.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tealflink.gate.inject.GateInjector;
import io.github.tealflink.gate.inject.TestJobs;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs with the packaged jar as {@code -javaagent} (failsafe), as a JobManager does: jobs built with no reference to
 * the gate get gates only through the instrumented stream graph generator.
 */
class GateAgentIT {

    @BeforeAll
    static void theAgentIsAttached() {
        assertTrue(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-javaagent:") && a.contains("teal-bluegreen-gate")), "run with -javaagent");
    }

    static long gateCount(StreamGraph g) {
        return g.getStreamNodes().stream().filter(n -> n.getOperatorName().startsWith(GateInjector.GATE_NAME)).count();
    }

    @Test
    void aDataStreamJobGetsGatesWithoutAnyCodeChange() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                Configuration.fromMap(TestJobs.blueConf("bluegreen.gate.watermark.field-path", "ts")));
        TestJobs.twoSinks(env);
        assertEquals(2, gateCount(env.getStreamGraph()));
    }

    @Test
    void aSqlJobGetsAGateWithoutAnyCodeChange(@TempDir Path dir) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                Configuration.fromMap(TestJobs.blueConf("bluegreen.gate.watermark.field-index", "1")));
        TestJobs.sqlFilesystem(env, dir.toUri().toString());
        assertEquals(1, gateCount(env.getStreamGraph()));
    }

    @Test
    void aJobWithoutTheBlueGreenKeysIsUntouched() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        TestJobs.twoSinks(env);
        assertEquals(0, gateCount(env.getStreamGraph()));
    }

    @Test
    void aMisconfiguredBlueGreenJobFailsAtSubmissionNamingTheKey() {
        Map<String, String> conf = TestJobs.blueConf("bluegreen.gate.watermark.field-path", "ts");
        conf.put("bluegreen.gate.watermark.extractor-class", "com.example.Both");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(Configuration.fromMap(conf));
        TestJobs.singleSink(env);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, env::getStreamGraph);
        assertTrue(e.getMessage().contains("exactly one of bluegreen.gate.watermark.field-path"), e.getMessage());
    }
}
