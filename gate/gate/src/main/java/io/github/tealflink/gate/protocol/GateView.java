package io.github.tealflink.gate.protocol;

import java.util.Map;

/**
 * What a gate reads from the coordination ConfigMap, parsed. {@code w} is non-null only when {@code watermark-stage}
 * is WATERMARK_SET and {@code watermark-toggle-value} parses: a toggle value left from an earlier transition (or the
 * draft's initial "0") without WATERMARK_SET does not count as W.
 *
 * @param active the colour that emits records at or after W (the incoming one during a transition)
 * @param firstDeployment whether this is the first deployment (the active child emits everything)
 * @param deletionDelayMs the delay added to the outgoing watermark to compute W
 * @param stage the transition stage
 * @param watermarkStage the gate's watermark stage
 * @param w the cut-over point W in epoch ms of event time, or null when not set
 * @param data the raw ConfigMap data the view was parsed from
 */
public record GateView(
        Colour active,
        boolean firstDeployment,
        long deletionDelayMs,
        Stage stage,
        WatermarkStage watermarkStage,
        Long w,
        Map<String, String> data) {

    /** Whether W is set for the current transition. */
    public boolean hasW() {
        return w != null;
    }

    /**
     * Parses the ConfigMap data.
     *
     * @throws ProtocolException naming the key and the rule when an operator key is missing or malformed
     */
    public static GateView parse(Map<String, String> data) throws ProtocolException {
        Colour active = parseEnum(data, ProtocolKeys.ACTIVE_DEPLOYMENT_TYPE, Colour.class, null);
        Stage stage = parseEnum(data, ProtocolKeys.STAGE, Stage.class, null);
        String first = data.get(ProtocolKeys.IS_FIRST_DEPLOYMENT);
        if (first == null || !(first.equals("true") || first.equals("false"))) {
            throw new ProtocolException(ProtocolKeys.IS_FIRST_DEPLOYMENT, first, "must be true or false");
        }
        long delay = parseLong(data, ProtocolKeys.DEPLOYMENT_DELETION_DELAY_MS, "0");
        if (delay < 0) {
            throw new ProtocolException(
                    ProtocolKeys.DEPLOYMENT_DELETION_DELAY_MS, Long.toString(delay), "must not be negative");
        }
        WatermarkStage wmStage =
                parseEnum(data, ProtocolKeys.WATERMARK_STAGE, WatermarkStage.class, WatermarkStage.WATERMARK_NOT_SET);
        Long w = null;
        if (wmStage == WatermarkStage.WATERMARK_SET) {
            if (data.get(ProtocolKeys.WATERMARK_TOGGLE_VALUE) == null) {
                throw new ProtocolException(
                        ProtocolKeys.WATERMARK_TOGGLE_VALUE, null, "must hold W (epoch ms) when watermark-stage is WATERMARK_SET");
            }
            w = parseLong(data, ProtocolKeys.WATERMARK_TOGGLE_VALUE, null);
        }
        return new GateView(active, Boolean.parseBoolean(first), delay, stage, wmStage, w, Map.copyOf(data));
    }

    private static <E extends Enum<E>> E parseEnum(Map<String, String> data, String key, Class<E> type, E dflt)
            throws ProtocolException {
        String value = data.get(key);
        if (value == null) {
            if (dflt != null) {
                return dflt;
            }
            throw new ProtocolException(key, null, "is required; one of " + java.util.Arrays.toString(type.getEnumConstants()));
        }
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(key, value, "must be one of " + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }

    private static long parseLong(Map<String, String> data, String key, String dflt) throws ProtocolException {
        String value = data.getOrDefault(key, dflt);
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new ProtocolException(key, value, "must be an integer (milliseconds)");
        }
    }
}
