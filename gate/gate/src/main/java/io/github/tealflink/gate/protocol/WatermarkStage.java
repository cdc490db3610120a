package io.github.tealflink.gate.protocol;

/** The values of the ConfigMap's {@code watermark-stage} key. */
public enum WatermarkStage {
    /** No W for the current transition. */
    WATERMARK_NOT_SET,
    /** The incoming gate saw TRANSITIONING and waits for the outgoing gate's W (draft compatibility). */
    WAITING_FOR_WATERMARK,
    /** {@code watermark-toggle-value} holds W. */
    WATERMARK_SET
}
