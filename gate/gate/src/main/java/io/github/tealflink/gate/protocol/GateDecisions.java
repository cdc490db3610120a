package io.github.tealflink.gate.protocol;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The gate's decisions as pure functions of the ConfigMap view and the gate's own observations, so that each rule
 * has a table test and the operator only gathers inputs and carries out the result.
 *
 * <p>Roles: a gate whose colour equals {@code active-deployment-type} is the incoming (or sole) one; the other is
 * the outgoing one. Records with event time {@code t < W} belong to the outgoing job, {@code t >= W} to the
 * incoming one.
 */
public final class GateDecisions {
    private GateDecisions() {}

    /** The value the watermark has before the first watermark arrives. */
    public static final long NO_WATERMARK = Long.MIN_VALUE;

    /**
     * Decides what the gate of colour {@code own} does with a record of event time {@code t}.
     *
     * <ul>
     *   <li>no readable ConfigMap yet: HOLD (emitting could duplicate, dropping could lose);
     *   <li>incoming/sole: first deployment → EMIT; W set → EMIT iff {@code t >= W}; a cut-over pending
     *       (INITIALIZING, TRANSITIONING) → HOLD; otherwise (RUNNING, FAILING, CLEAR_TO_TEARDOWN without W, as after
     *       an abort that cleared W) → EMIT;
     *   <li>outgoing: W set → EMIT iff {@code t < W}, also after its watermark passed W (late records below W
     *       have no other emitter); TRANSITIONING without W (W being agreed) → HOLD, so that nothing it emits can
     *       reach W; otherwise → EMIT.
     * </ul>
     */
    public static Decision decide(GateView view, Colour own, long t) {
        if (view == null) {
            return Decision.HOLD;
        }
        if (own == view.active()) {
            if (view.firstDeployment()) {
                return Decision.EMIT;
            }
            if (view.hasW()) {
                return t >= view.w() ? Decision.EMIT : Decision.DROP;
            }
            return cutOverPending(view) ? Decision.HOLD : Decision.EMIT;
        }
        if (view.hasW()) {
            return t < view.w() ? Decision.EMIT : Decision.DROP;
        }
        return view.stage() == Stage.TRANSITIONING ? Decision.HOLD : Decision.EMIT;
    }

    /** Whether an incoming gate without W must hold: the operator announced a cut-over. */
    static boolean cutOverPending(GateView view) {
        return view.stage() == Stage.INITIALIZING || view.stage() == Stage.TRANSITIONING;
    }

    /** Whether the gate of colour {@code own} is the outgoing one. */
    public static boolean isOutgoing(GateView view, Colour own) {
        return view != null && own != view.active();
    }

    /** Whether the outgoing gate should propose W now: TRANSITIONING, W not yet set. */
    public static boolean shouldProposeW(GateView view, Colour own) {
        return view != null
                && isOutgoing(view, own)
                && view.stage() == Stage.TRANSITIONING
                && !view.hasW();
    }

    /**
     * The W candidate of an outgoing gate subtask: its watermark (processing time while it has none) plus the deletion delay,
     * and never at or below an event time this gate already emitted (the incoming job would emit that record
     * again).
     */
    public static long computeW(long watermark, long processingTime, long delayMs, long maxEmittedEventTime) {
        long base = watermark == NO_WATERMARK ? processingTime : watermark;
        long w = saturatedAdd(base, delayMs);
        if (maxEmittedEventTime != NO_WATERMARK) {
            w = Math.max(w, saturatedAdd(maxEmittedEventTime, 1));
        }
        return w;
    }

    /**
     * Whether the incoming gate should announce WAITING_FOR_WATERMARK (what the draft's outgoing gate waits for
     * before it writes W): incoming, not first, TRANSITIONING, watermark-stage still WATERMARK_NOT_SET.
     */
    public static boolean shouldAnnounceWaiting(GateView view, Colour own) {
        return view != null
                && own == view.active()
                && !view.firstDeployment()
                && view.stage() == Stage.TRANSITIONING
                && view.watermarkStage() == WatermarkStage.WATERMARK_NOT_SET;
    }

    /** Whether an outgoing gate subtask has passed W: its watermark reached W and its input is not idle. */
    public static boolean hasPassed(GateView view, Colour own, long watermark, boolean idle) {
        return isOutgoing(view, own) && view.hasW() && !idle && watermark != NO_WATERMARK && watermark >= view.w();
    }

    /** The ConfigMap key that records the given outgoing gate subtask as passed. */
    public static String passedKey(Colour colour, int gateId, int subtask, int parallelism) {
        return ProtocolKeys.PASSED_PREFIX + colour + ".g" + gateId + "." + subtask + "." + parallelism;
    }

    /** The ConfigMap key of the given outgoing gate subtask's W candidate. */
    public static String candidateKey(Colour colour, int gateId, int subtask, int parallelism) {
        return ProtocolKeys.CANDIDATE_PREFIX + colour + ".g" + gateId + "." + subtask + "." + parallelism;
    }

    /** The value of a candidate key: the candidate W and the job that wrote it (keys of other jobs are stale). */
    public static String candidateValue(long w, String jobId) {
        return w + "@" + jobId;
    }

    /**
     * W once every subtask of every one of the {@code gateCount} gates of {@code colour} in job {@code jobId} wrote
     * its candidate: the largest candidate, so that W lies above every event time any of them emitted; null while
     * candidates are missing.
     */
    public static Long agreedW(Map<String, String> data, Colour colour, int gateCount, String jobId) {
        String prefix = ProtocolKeys.CANDIDATE_PREFIX + colour + ".g";
        String suffix = "@" + jobId;
        Map<String, Set<Integer>> subtasks = new HashMap<>();
        long max = Long.MIN_VALUE;
        for (Map.Entry<String, String> e : data.entrySet()) {
            if (!e.getKey().startsWith(prefix) || e.getValue() == null || !e.getValue().endsWith(suffix)) {
                continue;
            }
            String[] parts = e.getKey().substring(prefix.length()).split("\\.");
            if (parts.length != 3) {
                continue;
            }
            try {
                int subtask = Integer.parseInt(parts[1]);
                int parallelism = Integer.parseInt(parts[2]);
                long w = Long.parseLong(e.getValue().substring(0, e.getValue().length() - suffix.length()));
                if (subtask >= 0 && subtask < parallelism) {
                    subtasks.computeIfAbsent(Integer.parseInt(parts[0]) + "/" + parallelism, k -> new HashSet<>()).add(subtask);
                    max = Math.max(max, w);
                }
            } catch (NumberFormatException ignored) {
                // not a key of ours
            }
        }
        if (gateCount <= 0 || !complete(subtasks, gateCount)) {
            return null;
        }
        return max;
    }

    private static boolean complete(Map<String, Set<Integer>> subtasksByGateAndParallelism, int gateCount) {
        for (int gate = 0; gate < gateCount; gate++) {
            boolean complete = false;
            for (Map.Entry<String, Set<Integer>> e : subtasksByGateAndParallelism.entrySet()) {
                String[] gp = e.getKey().split("/");
                if (Integer.parseInt(gp[0]) == gate && e.getValue().size() == Integer.parseInt(gp[1])) {
                    complete = true;
                    break;
                }
            }
            if (!complete) {
                return false;
            }
        }
        return true;
    }

    /** The ConfigMap key that records the given gate subtask's input as idle. */
    public static String idleKey(Colour colour, int gateId, int subtask) {
        return ProtocolKeys.IDLE_PREFIX + colour + ".g" + gateId + "." + subtask;
    }

    /** Whether any gate subtask of {@code colour} reports an idle input. */
    public static boolean anyIdle(Map<String, String> data, Colour colour) {
        String prefix = ProtocolKeys.IDLE_PREFIX + colour + ".";
        return data.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    }

    /**
     * Whether every subtask of every one of the {@code gateCount} gates of {@code colour} recorded W as passed. A
     * gate counts as complete when, for some parallelism p, subtasks 0..p-1 all recorded this W (keys from an
     * earlier transition hold another W and do not count).
     */
    public static boolean allPassed(Map<String, String> data, Colour colour, int gateCount, long w) {
        String prefix = ProtocolKeys.PASSED_PREFIX + colour + ".g";
        String wValue = Long.toString(w);
        Map<String, Set<Integer>> subtasksByGateAndParallelism = new HashMap<>();
        for (Map.Entry<String, String> e : data.entrySet()) {
            if (!e.getKey().startsWith(prefix) || !wValue.equals(e.getValue())) {
                continue;
            }
            String[] parts = e.getKey().substring(prefix.length()).split("\\.");
            if (parts.length != 3) {
                continue;
            }
            try {
                int gate = Integer.parseInt(parts[0]);
                int subtask = Integer.parseInt(parts[1]);
                int parallelism = Integer.parseInt(parts[2]);
                if (subtask >= 0 && subtask < parallelism) {
                    subtasksByGateAndParallelism.computeIfAbsent(gate + "/" + parallelism, k -> new HashSet<>()).add(subtask);
                }
            } catch (NumberFormatException ignored) {
                // not a key of ours
            }
        }
        return gateCount > 0 && complete(subtasksByGateAndParallelism, gateCount);
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }
}
