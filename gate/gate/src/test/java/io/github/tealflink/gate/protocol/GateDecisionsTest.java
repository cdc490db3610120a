package io.github.tealflink.gate.protocol;

import static io.github.tealflink.gate.protocol.Colour.BLUE;
import static io.github.tealflink.gate.protocol.Colour.GREEN;
import static io.github.tealflink.gate.protocol.Decision.DROP;
import static io.github.tealflink.gate.protocol.Decision.EMIT;
import static io.github.tealflink.gate.protocol.Decision.HOLD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GateDecisionsTest {
    static final long W = 1_000L;

    /** ConfigMap data: active colour, first deployment, stage, watermark stage, toggle value (null: absent). */
    static Map<String, String> data(Colour active, boolean first, Stage stage, WatermarkStage wm, Long toggle) {
        Map<String, String> d = new HashMap<>();
        d.put(ProtocolKeys.ACTIVE_DEPLOYMENT_TYPE, active.name());
        d.put(ProtocolKeys.IS_FIRST_DEPLOYMENT, Boolean.toString(first));
        d.put(ProtocolKeys.DEPLOYMENT_DELETION_DELAY_MS, "500");
        d.put(ProtocolKeys.STAGE, stage.name());
        d.put(ProtocolKeys.WATERMARK_STAGE, wm.name());
        if (toggle != null) {
            d.put(ProtocolKeys.WATERMARK_TOGGLE_VALUE, toggle.toString());
        }
        return d;
    }

    static GateView view(Colour active, boolean first, Stage stage, WatermarkStage wm, Long toggle) throws ProtocolException {
        return GateView.parse(data(active, first, stage, wm, toggle));
    }

    static Stream<Arguments> decisions() {
        return Stream.of(
                // name, active, first, stage, wm stage, toggle, own colour, event time, expected
                Arguments.of("first deployment emits everything", BLUE, true, Stage.INITIALIZING, WatermarkStage.WATERMARK_NOT_SET, null, BLUE, 5L, EMIT),
                Arguments.of("incoming before W holds while INITIALIZING", GREEN, false, Stage.INITIALIZING, WatermarkStage.WATERMARK_NOT_SET, null, GREEN, 5L, HOLD),
                Arguments.of("incoming before W holds while TRANSITIONING", GREEN, false, Stage.TRANSITIONING, WatermarkStage.WAITING_FOR_WATERMARK, null, GREEN, 5L, HOLD),
                Arguments.of("a stale toggle without WATERMARK_SET is not W", GREEN, false, Stage.TRANSITIONING, WatermarkStage.WATERMARK_NOT_SET, 0L, GREEN, 5L, HOLD),
                Arguments.of("incoming emits at W", GREEN, false, Stage.TRANSITIONING, WatermarkStage.WATERMARK_SET, W, GREEN, W, EMIT),
                Arguments.of("incoming drops just below W", GREEN, false, Stage.TRANSITIONING, WatermarkStage.WATERMARK_SET, W, GREEN, W - 1, DROP),
                Arguments.of("outgoing emits just below W", GREEN, false, Stage.TRANSITIONING, WatermarkStage.WATERMARK_SET, W, BLUE, W - 1, EMIT),
                Arguments.of("outgoing drops at W", GREEN, false, Stage.TRANSITIONING, WatermarkStage.WATERMARK_SET, W, BLUE, W, DROP),
                Arguments.of("outgoing emits everything before the cut-over starts", GREEN, false, Stage.INITIALIZING, WatermarkStage.WATERMARK_NOT_SET, null, BLUE, 99_999L, EMIT),
                Arguments.of("outgoing holds while W is being agreed", GREEN, false, Stage.TRANSITIONING, WatermarkStage.WAITING_FOR_WATERMARK, null, BLUE, 5L, HOLD),
                Arguments.of("outgoing keeps emitting late records below W after CLEAR_TO_TEARDOWN", GREEN, false, Stage.CLEAR_TO_TEARDOWN, WatermarkStage.WATERMARK_SET, W, BLUE, 3L, EMIT),
                Arguments.of("sole job after the cut-over emits from W on", GREEN, false, Stage.RUNNING, WatermarkStage.WATERMARK_SET, W, GREEN, W + 5, EMIT),
                Arguments.of("sole job without W (after an abort cleared it) emits", BLUE, false, Stage.RUNNING, WatermarkStage.WATERMARK_NOT_SET, null, BLUE, 5L, EMIT),
                Arguments.of("failing sole job without W emits", BLUE, false, Stage.FAILING, WatermarkStage.WATERMARK_NOT_SET, null, BLUE, 5L, EMIT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decisions")
    void decide(String name, Colour active, boolean first, Stage stage, WatermarkStage wm, Long toggle, Colour own,
            long t, Decision expected) throws ProtocolException {
        assertEquals(expected, GateDecisions.decide(view(active, first, stage, wm, toggle), own, t));
    }

    @Test
    void noViewHolds() {
        assertEquals(HOLD, GateDecisions.decide(null, BLUE, 1));
    }

    @Test
    void everyRecordHasExactlyOneEmitterOnceWIsSet() throws ProtocolException {
        GateView v = view(GREEN, false, Stage.TRANSITIONING, WatermarkStage.WATERMARK_SET, W);
        for (long t = W - 3; t <= W + 3; t++) {
            boolean blue = GateDecisions.decide(v, BLUE, t) == EMIT;
            boolean green = GateDecisions.decide(v, GREEN, t) == EMIT;
            assertTrue(blue ^ green, "event time " + t + ": blue " + blue + ", green " + green);
        }
    }

    @Test
    void onlyTheOutgoingGateProposesWAndOnlyWhileTransitioningWithoutW() throws ProtocolException {
        assertTrue(GateDecisions.shouldProposeW(view(GREEN, false, Stage.TRANSITIONING, WatermarkStage.WATERMARK_NOT_SET, null), BLUE));
        assertTrue(GateDecisions.shouldProposeW(view(GREEN, false, Stage.TRANSITIONING, WatermarkStage.WAITING_FOR_WATERMARK, null), BLUE));
        assertFalse(GateDecisions.shouldProposeW(view(GREEN, false, Stage.TRANSITIONING, WatermarkStage.WATERMARK_NOT_SET, null), GREEN));
        assertFalse(GateDecisions.shouldProposeW(view(GREEN, false, Stage.INITIALIZING, WatermarkStage.WATERMARK_NOT_SET, null), BLUE));
        assertFalse(GateDecisions.shouldProposeW(view(GREEN, false, Stage.TRANSITIONING, WatermarkStage.WATERMARK_SET, W), BLUE));
    }

    @Test
    void theIncomingGateAnnouncesWaitingOnceForDraftOutgoingGates() throws ProtocolException {
        assertTrue(GateDecisions.shouldAnnounceWaiting(view(GREEN, false, Stage.TRANSITIONING, WatermarkStage.WATERMARK_NOT_SET, null), GREEN));
        assertFalse(GateDecisions.shouldAnnounceWaiting(view(GREEN, false, Stage.TRANSITIONING, WatermarkStage.WAITING_FOR_WATERMARK, null), GREEN));
        assertFalse(GateDecisions.shouldAnnounceWaiting(view(GREEN, false, Stage.TRANSITIONING, WatermarkStage.WATERMARK_NOT_SET, null), BLUE));
        assertFalse(GateDecisions.shouldAnnounceWaiting(view(GREEN, true, Stage.TRANSITIONING, WatermarkStage.WATERMARK_NOT_SET, null), GREEN));
    }

    @Test
    void computeW() {
        assertEquals(1_500, GateDecisions.computeW(1_000, 77, 500, GateDecisions.NO_WATERMARK), "watermark + delay");
        assertEquals(577, GateDecisions.computeW(GateDecisions.NO_WATERMARK, 77, 500, GateDecisions.NO_WATERMARK),
                "processing time + delay without a watermark");
        assertEquals(2_001, GateDecisions.computeW(1_000, 77, 500, 2_000), "never at or below an emitted event time");
        assertEquals(Long.MAX_VALUE, GateDecisions.computeW(Long.MAX_VALUE - 1, 0, 500, GateDecisions.NO_WATERMARK), "saturates");
    }

    @Test
    void passedNeedsWAWatermarkAtWAndAnActiveInput() throws ProtocolException {
        GateView v = view(GREEN, false, Stage.TRANSITIONING, WatermarkStage.WATERMARK_SET, W);
        assertTrue(GateDecisions.hasPassed(v, BLUE, W, false));
        assertFalse(GateDecisions.hasPassed(v, BLUE, W - 1, false));
        assertFalse(GateDecisions.hasPassed(v, BLUE, W + 1, true), "an idle input refuses the cut-over");
        assertFalse(GateDecisions.hasPassed(v, GREEN, W + 1, false), "the incoming gate never passes");
        assertFalse(GateDecisions.hasPassed(view(GREEN, false, Stage.TRANSITIONING, WatermarkStage.WAITING_FOR_WATERMARK, null), BLUE, W, false));
    }

    @Test
    void allPassedNeedsEverySubtaskOfEveryGateForThisW() {
        Map<String, String> d = new HashMap<>();
        d.put(GateDecisions.passedKey(BLUE, 0, 0, 2), "1000");
        assertFalse(GateDecisions.allPassed(d, BLUE, 2, W), "gate 0 subtask 1 and gate 1 missing");
        d.put(GateDecisions.passedKey(BLUE, 0, 1, 2), "1000");
        assertFalse(GateDecisions.allPassed(d, BLUE, 2, W), "gate 1 missing");
        d.put(GateDecisions.passedKey(BLUE, 1, 0, 1), "999");
        assertFalse(GateDecisions.allPassed(d, BLUE, 2, W), "gate 1 passed an earlier transition's W");
        d.put(GateDecisions.passedKey(BLUE, 1, 0, 1), "1000");
        assertTrue(GateDecisions.allPassed(d, BLUE, 2, W));
        assertFalse(GateDecisions.allPassed(d, GREEN, 2, W), "keys are per colour");
        assertFalse(GateDecisions.allPassed(Map.of(), BLUE, 0, W), "no gates never clears");
    }

    @Test
    void wIsTheLargestCandidateOnceEverySubtaskOfEveryGateOfThisJobWroteOne() {
        Map<String, String> d = new HashMap<>();
        d.put(GateDecisions.candidateKey(BLUE, 0, 0, 2), GateDecisions.candidateValue(1_500, "job-1"));
        assertEquals(null, GateDecisions.agreedW(d, BLUE, 2, "job-1"), "gate 0 subtask 1 and gate 1 missing");
        d.put(GateDecisions.candidateKey(BLUE, 0, 1, 2), GateDecisions.candidateValue(1_700, "job-1"));
        d.put(GateDecisions.candidateKey(BLUE, 1, 0, 1), GateDecisions.candidateValue(1_200, "job-0"));
        assertEquals(null, GateDecisions.agreedW(d, BLUE, 2, "job-1"), "gate 1's candidate is from another job (a stale transition)");
        d.put(GateDecisions.candidateKey(BLUE, 1, 0, 1), GateDecisions.candidateValue(1_600, "job-1"));
        assertEquals(1_700L, GateDecisions.agreedW(d, BLUE, 2, "job-1"));
        assertEquals(null, GateDecisions.agreedW(d, GREEN, 2, "job-1"), "candidates are per colour");
    }

    @Test
    void idleKeysArePerColour() {
        Map<String, String> d = Map.of(GateDecisions.idleKey(BLUE, 0, 3), "123");
        assertTrue(GateDecisions.anyIdle(d, BLUE));
        assertFalse(GateDecisions.anyIdle(d, GREEN));
    }

    static Stream<Arguments> badData() {
        return Stream.of(
                Arguments.of(ProtocolKeys.ACTIVE_DEPLOYMENT_TYPE, "PURPLE", "must be one of [BLUE, GREEN]"),
                Arguments.of(ProtocolKeys.ACTIVE_DEPLOYMENT_TYPE, null, "is required"),
                Arguments.of(ProtocolKeys.STAGE, "DONE", "must be one of"),
                Arguments.of(ProtocolKeys.IS_FIRST_DEPLOYMENT, "yes", "must be true or false"),
                Arguments.of(ProtocolKeys.DEPLOYMENT_DELETION_DELAY_MS, "5s", "must be an integer"),
                Arguments.of(ProtocolKeys.DEPLOYMENT_DELETION_DELAY_MS, "-1", "must not be negative"),
                Arguments.of(ProtocolKeys.WATERMARK_TOGGLE_VALUE, "soon", "must be an integer"),
                Arguments.of(ProtocolKeys.WATERMARK_TOGGLE_VALUE, null, "must hold W"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("badData")
    void parseNamesTheKeyAndTheRule(String key, String value, String rule) {
        Map<String, String> d = data(GREEN, false, Stage.TRANSITIONING, WatermarkStage.WATERMARK_SET, W);
        if (value == null) {
            d.remove(key);
        } else {
            d.put(key, value);
        }
        ProtocolException e = assertThrows(ProtocolException.class, () -> GateView.parse(d));
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains(rule), e.getMessage());
    }
}
