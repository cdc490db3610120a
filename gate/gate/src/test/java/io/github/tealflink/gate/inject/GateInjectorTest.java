package io.github.tealflink.gate.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tealflink.gate.operator.GateSettings;
import io.github.tealflink.gate.protocol.Colour;
import io.github.tealflink.gate.testing.InMemoryStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gate injection into DataStream and SQL graphs (called directly; GateAgentIT covers the agent path). */
class GateInjectorTest {

    static List<Transformation<?>> inject(StreamExecutionEnvironment env, Map<String, String> conf) {
        return GateInjector.inject(env.getTransformations(), conf, true, InMemoryStore.factory("injector"));
    }

    static List<StreamNode> gates(StreamGraph g) {
        return g.getStreamNodes().stream().filter(n -> n.getOperatorName().startsWith(GateInjector.GATE_NAME))
                .sorted((a, b) -> a.getOperatorName().compareTo(b.getOperatorName())).collect(Collectors.toList());
    }

    static String downstream(StreamGraph g, StreamNode n) {
        List<StreamEdge> out = n.getOutEdges();
        assertEquals(1, out.size(), "a gate feeds exactly one operator");
        return g.getStreamNode(out.get(0).getTargetId()).getOperatorName();
    }

    static String upstream(StreamGraph g, StreamNode n) {
        List<StreamEdge> in = n.getInEdges();
        assertEquals(1, in.size(), "a gate reads exactly one stream");
        return g.getStreamNode(in.get(0).getSourceId()).getOperatorName();
    }

    @Test
    void aDataStreamSinkGetsAGateRightBeforeItWithTheSinksParallelismAndUid() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TestJobs.singleSink(env);
        List<Transformation<?>> added = inject(env, TestJobs.blueConf("bluegreen.gate.watermark.field-path", "ts"));
        assertEquals(1, added.size());
        assertEquals(3, added.get(0).getParallelism(), "the gate runs at the sink's parallelism and chains into it");
        assertEquals("only-sink-teal-bluegreen-gate", added.get(0).getUid());
        GateSettings s = GateInjector.settingsOf(added).get(0);
        assertEquals(Colour.BLUE, s.colour());
        assertEquals(1, s.gateCount());
        assertTrue(s.waitForCheckpoint());

        StreamGraph g = env.getStreamGraph();
        List<StreamNode> gates = gates(g);
        assertEquals(1, gates.size());
        assertTrue(downstream(g, gates.get(0)).contains("only-sink"), downstream(g, gates.get(0)));
        assertEquals("timestamps", upstream(g, gates.get(0)));
        assertTrue(g.getJobGraph().getVerticesSortedTopologicallyFromSources().stream()
                        .anyMatch(v -> v.getName().contains(GateInjector.GATE_NAME) && v.getName().contains("only-sink")),
                "the gate is chained into the sink's task (no extra network hop)");
    }

    @Test
    void everySinkGetsItsOwnGateAndAllAgreeOnTheGateCount() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TestJobs.twoSinks(env);
        List<Transformation<?>> added = inject(env, TestJobs.blueConf("bluegreen.gate.watermark.field-path", "ts"));
        Map<Integer, GateSettings> settings = GateInjector.settingsOf(added);
        assertEquals(List.of(0, 1), List.copyOf(settings.keySet()));
        settings.values().forEach(s -> assertEquals(2, s.gateCount()));
        StreamGraph g = env.getStreamGraph();
        List<String> sinks = gates(g).stream().map(n -> downstream(g, n)).sorted().collect(Collectors.toList());
        assertTrue(sinks.get(0).contains("sink-a") && sinks.get(1).contains("sink-b"), sinks.toString());
    }

    @Test
    void aFileSinkIsGatedBeforeItsWriterNotBeforeItsCommitter(@TempDir Path dir) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TestJobs.fileSink(env, dir.toUri().toString());
        assertEquals(1, inject(env, TestJobs.blueConf("bluegreen.gate.watermark.field-path", "ts")).size());
        StreamGraph g = env.getStreamGraph();
        List<StreamNode> gates = gates(g);
        assertEquals(1, gates.size());
        assertTrue(downstream(g, gates.get(0)).contains("Writer"), downstream(g, gates.get(0)));
    }

    @Test
    void aSqlFilesystemSinkIsGatedBeforeItsWriterWithTheRowtimeFieldIndex(@TempDir Path dir) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TestJobs.sqlFilesystem(env, dir.toUri().toString());
        List<Transformation<?>> added = inject(env, TestJobs.blueConf("bluegreen.gate.watermark.field-index", "1"));
        assertEquals(1, added.size());
        assertEquals("bluegreen.gate.watermark.field-index = 1 (TIMESTAMP(3))",
                GateInjector.settingsOf(added).get(0).extractor().describe());
        StreamGraph g = env.getStreamGraph();
        List<StreamNode> gates = gates(g);
        assertEquals(1, gates.size());
        assertTrue(downstream(g, gates.get(0)).toLowerCase().contains("writer"),
                "the gate feeds the filesystem writer, whose output is no longer rows: " + downstream(g, gates.get(0)));
    }

    @Test
    void afterSourceGatesFollowTheWatermarkAssigner() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromSequence(0, 10).name("numbers").map(TestJobs.Event::new).name("to-event")
                .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>()).name("sink");
        Map<String, String> conf = TestJobs.blueConf("bluegreen.gate.watermark.extractor-class",
                "io.github.tealflink.gate.operator.IdentityTime");
        conf.put("bluegreen.gate.injection.position", "AFTER_SOURCE");
        // IdentityTime reads Long records: the sequence source emits Longs
        List<Transformation<?>> added = inject(env, conf);
        assertEquals(1, added.size());
        StreamGraph g = env.getStreamGraph();
        StreamNode gate = gates(g).get(0);
        assertTrue(upstream(g, gate).contains("numbers"), upstream(g, gate));
        assertEquals("to-event", downstream(g, gate));
    }

    @Test
    void injectionIsIdempotent() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TestJobs.singleSink(env);
        Map<String, String> conf = TestJobs.blueConf("bluegreen.gate.watermark.field-path", "ts");
        assertEquals(1, inject(env, conf).size());
        assertEquals(0, inject(env, conf).size(), "a second generation of the same graph adds no gate");
        assertEquals(1, gates(env.getStreamGraph()).size());
    }

    @Test
    void aDisabledGateLeavesTheGraphAlone() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TestJobs.singleSink(env);
        Map<String, String> conf = TestJobs.blueConf("bluegreen.gate.watermark.field-path", "ts");
        conf.put("bluegreen.gate.injection.enabled", "false");
        assertEquals(0, inject(env, conf).size());
        assertEquals(0, gates(env.getStreamGraph()).size());
    }

    @Test
    void anInvalidConfigurationNamesEveryKeyAndInjectsNothing() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TestJobs.singleSink(env);
        Map<String, String> conf = TestJobs.blueConf("bluegreen.gate.watermark.field-path", "ts");
        conf.put("bluegreen.active-deployment-type", "PURPLE");
        conf.remove("bluegreen.configmap.name");
        conf.put("bluegreen.gate.watermark.field-index", "x");
        conf.put("bluegreen.gate.injection.position", "MIDDLE");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> inject(env, conf));
        for (String key : List.of("bluegreen.active-deployment-type", "bluegreen.configmap.name",
                "bluegreen.gate.watermark.field-index", "bluegreen.gate.injection.position", "exactly one of")) {
            assertTrue(e.getMessage().contains(key), key + " missing in: " + e.getMessage());
        }
        assertEquals(0, gates(env.getStreamGraph()).size());
    }

    @Test
    void aFieldPathNoStreamCarriesIsAnErrorNamingTheSink() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TestJobs.singleSink(env);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> inject(env, TestJobs.blueConf("bluegreen.gate.watermark.field-path", "occurredAt")));
        assertTrue(e.getMessage().contains("only-sink") && e.getMessage().contains("occurredAt"), e.getMessage());
    }
}
