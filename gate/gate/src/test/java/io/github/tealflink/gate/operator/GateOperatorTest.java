package io.github.tealflink.gate.operator;

import static io.github.tealflink.gate.protocol.ProtocolKeys.ACTIVE_DEPLOYMENT_TYPE;
import static io.github.tealflink.gate.protocol.ProtocolKeys.DEPLOYMENT_DELETION_DELAY_MS;
import static io.github.tealflink.gate.protocol.ProtocolKeys.IS_FIRST_DEPLOYMENT;
import static io.github.tealflink.gate.protocol.ProtocolKeys.STAGE;
import static io.github.tealflink.gate.protocol.ProtocolKeys.WATERMARK_STAGE;
import static io.github.tealflink.gate.protocol.ProtocolKeys.WATERMARK_TOGGLE_VALUE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tealflink.gate.extract.ExtractorClassExtractor;
import io.github.tealflink.gate.protocol.Colour;
import io.github.tealflink.gate.protocol.GateDecisions;
import io.github.tealflink.gate.testing.InMemoryStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The gate operator in Flink's operator test harness, coordinating through an in-memory store. */
class GateOperatorTest {
    private long now;

    static Map<String, String> cm(Colour active, boolean first, String stage) {
        Map<String, String> d = new HashMap<>();
        d.put(ACTIVE_DEPLOYMENT_TYPE, active.name());
        d.put(IS_FIRST_DEPLOYMENT, Boolean.toString(first));
        d.put(DEPLOYMENT_DELETION_DELAY_MS, "500");
        d.put(STAGE, stage);
        d.put(WATERMARK_STAGE, "WATERMARK_NOT_SET");
        return d;
    }

    static GateSettings settings(String store, Colour colour, int gateId, int gateCount, boolean waitForCheckpoint) {
        return new GateSettings(colour, gateId, gateCount, new ExtractorClassExtractor(IdentityTime.class.getName()),
                InMemoryStore.factory(store), waitForCheckpoint, 10);
    }

    static OneInputStreamOperatorTestHarness<Long, Long> harness(GateSettings s) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new GateOperator<>(s), LongSerializer.INSTANCE);
    }

    /** Advances processing time by one tick, so the gate re-reads the store and acts. */
    private void tick(OneInputStreamOperatorTestHarness<Long, Long> h) throws Exception {
        now += 10;
        h.setProcessingTime(now);
    }

    static List<Object> output(OneInputStreamOperatorTestHarness<Long, Long> h) {
        List<Object> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            out.add(o instanceof StreamRecord<?> r ? r.getValue() : o instanceof Watermark w ? "wm" + w.getTimestamp() : o);
        }
        return out;
    }

    @Test
    void theFirstDeploymentEmitsEverything(TestInfo info) throws Exception {
        InMemoryStore store = InMemoryStore.named(info.getDisplayName());
        store.set(cm(Colour.BLUE, true, "INITIALIZING"));
        try (var h = harness(settings(info.getDisplayName(), Colour.BLUE, 0, 1, false))) {
            h.open();
            h.processElement(new StreamRecord<>(5L, 5L));
            h.processWatermark(new Watermark(5));
            assertEquals(List.of(5L, "wm5"), output(h));
        }
    }

    @Test
    void theIncomingGateHoldsRecordsAndWatermarksUntilWThenEmitsOnlyFromW(TestInfo info) throws Exception {
        InMemoryStore store = InMemoryStore.named(info.getDisplayName());
        store.set(cm(Colour.GREEN, false, "INITIALIZING"));
        try (var h = harness(settings(info.getDisplayName(), Colour.GREEN, 0, 1, false))) {
            h.open();
            for (long t = 100; t < 130; t += 10) {
                h.processElement(new StreamRecord<>(t, t));
            }
            h.processWatermark(new Watermark(125));
            tick(h);
            assertEquals(List.of(), output(h), "nothing passes before W, not even the watermark");

            store.put(STAGE, "TRANSITIONING");
            tick(h);
            assertEquals("WAITING_FOR_WATERMARK", store.current().get(WATERMARK_STAGE), "announced for draft outgoing gates");

            store.put(WATERMARK_TOGGLE_VALUE, "110");
            store.put(WATERMARK_STAGE, "WATERMARK_SET");
            tick(h);
            assertEquals(List.of(110L, 120L, "wm125"), output(h), "held records at or after W, then the held watermark");
            h.processElement(new StreamRecord<>(105L, 105L));
            h.processElement(new StreamRecord<>(130L, 130L));
            assertEquals(List.of(110L, 120L, "wm125", 130L), output(h));
        }
    }

    @Test
    void heldRecordsSurviveACheckpointAndARestore(TestInfo info) throws Exception {
        InMemoryStore store = InMemoryStore.named(info.getDisplayName());
        store.set(cm(Colour.GREEN, false, "TRANSITIONING"));
        OperatorSubtaskState snapshot;
        try (var h = harness(settings(info.getDisplayName(), Colour.GREEN, 0, 1, false))) {
            h.open();
            h.processElement(new StreamRecord<>(100L, 100L));
            h.processElement(new StreamRecord<>(200L, 200L));
            snapshot = h.snapshot(1, 1);
        }
        store.put(WATERMARK_TOGGLE_VALUE, "150");
        store.put(WATERMARK_STAGE, "WATERMARK_SET");
        try (var h = harness(settings(info.getDisplayName(), Colour.GREEN, 0, 1, false))) {
            h.initializeState(snapshot);
            h.open();
            tick(h);
            assertEquals(List.of(200L), output(h));
        }
    }

    @Test
    void theOutgoingGateProposesWFromItsWatermarkAndCutsOverAtIt(TestInfo info) throws Exception {
        InMemoryStore store = InMemoryStore.named(info.getDisplayName());
        store.set(cm(Colour.GREEN, false, "INITIALIZING"));
        try (var h = harness(settings(info.getDisplayName(), Colour.BLUE, 0, 1, false))) {
            h.open();
            h.processElement(new StreamRecord<>(1_000L, 1_000L));
            h.processWatermark(new Watermark(999));
            tick(h);
            assertNull(store.current().get(WATERMARK_TOGGLE_VALUE), "no W before TRANSITIONING");
            store.put(STAGE, "TRANSITIONING");
            tick(h);
            assertEquals("1499", store.current().get(WATERMARK_TOGGLE_VALUE), "W = watermark 999 + delay 500");
            assertEquals("WATERMARK_SET", store.current().get(WATERMARK_STAGE));
            h.processElement(new StreamRecord<>(1_498L, 1_498L));
            h.processElement(new StreamRecord<>(1_499L, 1_499L));
            assertEquals(List.of(1_000L, "wm999", 1_498L), output(h), "emits below W, drops from W on");
        }
    }

    @Test
    void aWAnotherGateWroteFirstIsKept(TestInfo info) throws Exception {
        InMemoryStore store = InMemoryStore.named(info.getDisplayName());
        store.set(cm(Colour.GREEN, false, "TRANSITIONING"));
        try (var h = harness(settings(info.getDisplayName(), Colour.BLUE, 0, 1, false))) {
            h.open();
            // another gate's W lands between this gate's view (no W) and its conditional write
            store.interfereOnce(() -> {
                store.put(WATERMARK_TOGGLE_VALUE, "3000");
                store.put(WATERMARK_STAGE, "WATERMARK_SET");
            });
            int before = store.updates();
            h.processWatermark(new Watermark(5_000));
            assertEquals(before + 1, store.updates(), "the gate tried to write its candidate");
            assertEquals("3000", store.current().get(WATERMARK_TOGGLE_VALUE), "the first W stays");
            assertNull(store.current().get(GateDecisions.candidateKey(Colour.BLUE, 0, 0, 1)),
                    "the write looked first and wrote nothing");
        }
    }

    @Test
    void anOutgoingGateNeverEmitsAtOrAboveWWhileWIsBeingAgreed(TestInfo info) throws Exception {
        InMemoryStore store = InMemoryStore.named(info.getDisplayName());
        store.set(cm(Colour.GREEN, false, "TRANSITIONING"));
        try (var h = harness(settings(info.getDisplayName(), Colour.BLUE, 0, 2, false))) {
            h.open();
            h.processWatermark(new Watermark(999));
            h.processElement(new StreamRecord<>(1_000L, 1_000L));
            tick(h);
            String mine = store.current().get(GateDecisions.candidateKey(Colour.BLUE, 0, 0, 1));
            assertTrue(mine != null && mine.startsWith("1499@"), "candidate = watermark + delay: " + mine);
            assertNull(store.current().get(WATERMARK_TOGGLE_VALUE), "gate 1 has no candidate yet");
            assertEquals(List.of(), output(h), "the outgoing gate holds while W is agreed");

            // gate 1 (another sink) of the same job proposes a larger candidate
            store.put(GateDecisions.candidateKey(Colour.BLUE, 1, 0, 1), "1800" + mine.substring(mine.indexOf('@')));
            tick(h);
            tick(h);
            assertEquals("1800", store.current().get(WATERMARK_TOGGLE_VALUE));
            assertEquals(List.of(1_000L, "wm999"), output(h), "below W: emitted from the hold, then the held watermark");
        }
    }

    @Test
    void clearToTeardownWaitsForEveryGateAndACompletedCheckpoint(TestInfo info) throws Exception {
        InMemoryStore store = InMemoryStore.named(info.getDisplayName());
        Map<String, String> d = cm(Colour.GREEN, false, "TRANSITIONING");
        d.put(WATERMARK_TOGGLE_VALUE, "200");
        d.put(WATERMARK_STAGE, "WATERMARK_SET");
        store.set(d);
        try (var h = harness(settings(info.getDisplayName(), Colour.BLUE, 0, 2, true))) {
            h.open();
            h.processWatermark(new Watermark(250));
            tick(h);
            String passedKey = GateDecisions.passedKey(Colour.BLUE, 0, 0, 1);
            assertFalse(store.current().containsKey(passedKey), "not passed before a checkpoint after W completed");
            h.snapshot(7, 7);
            h.notifyOfCompletedCheckpoint(7);
            tick(h);
            assertEquals("200", store.current().get(passedKey));
            assertEquals("TRANSITIONING", store.current().get(STAGE), "gate 1 has not passed yet");
            store.put(GateDecisions.passedKey(Colour.BLUE, 1, 0, 1), "200");
            tick(h);
            assertEquals("CLEAR_TO_TEARDOWN", store.current().get(STAGE));
        }
    }

    @Test
    void anIdleInputRefusesTheCutOverUntilItIsActiveAgain(TestInfo info) throws Exception {
        InMemoryStore store = InMemoryStore.named(info.getDisplayName());
        store.set(cm(Colour.GREEN, false, "INITIALIZING"));
        String idleKey = GateDecisions.idleKey(Colour.BLUE, 0, 0);
        try (var h = harness(settings(info.getDisplayName(), Colour.BLUE, 0, 1, false))) {
            h.open();
            h.processWatermark(new Watermark(1_000));
            h.processWatermarkStatus(WatermarkStatus.IDLE);
            store.put(STAGE, "TRANSITIONING");
            tick(h);
            tick(h);
            assertTrue(store.current().containsKey(idleKey), "the idle input is reported (the gate acted)");
            assertNull(store.current().get(WATERMARK_TOGGLE_VALUE), "no W while an input is idle");

            h.processWatermarkStatus(WatermarkStatus.ACTIVE);
            tick(h);
            tick(h);
            assertFalse(store.current().containsKey(idleKey));
            assertEquals("1500", store.current().get(WATERMARK_TOGGLE_VALUE));

            h.processWatermarkStatus(WatermarkStatus.IDLE);
            tick(h);
            h.processWatermark(new Watermark(2_000));
            tick(h);
            assertFalse(store.current().containsKey(GateDecisions.passedKey(Colour.BLUE, 0, 0, 1)),
                    "an idle gate does not report passing W");
            assertEquals("TRANSITIONING", store.current().get(STAGE));
        }
    }
}
