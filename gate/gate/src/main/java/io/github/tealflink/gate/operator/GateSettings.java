package io.github.tealflink.gate.operator;

import io.github.tealflink.gate.extract.EventTimeExtractor;
import io.github.tealflink.gate.protocol.Colour;
import io.github.tealflink.gate.store.StoreFactory;
import java.io.Serializable;
import java.util.Objects;

/**
 * What one injected gate needs on the TaskManager, fixed at injection on the JobManager.
 *
 * @param colour the child's own colour ({@code bluegreen.active-deployment-type} of its Flink configuration)
 * @param gateId this gate's index among the job's gates (0..gateCount-1), stable for a given job graph
 * @param gateCount the number of gates in the job; CLEAR_TO_TEARDOWN needs every one of them past W
 * @param extractor reads a record's event time
 * @param storeFactory opens the coordination store
 * @param waitForCheckpoint whether "passed W" waits for a checkpoint that completed after the watermark reached W,
 *     so that transactional sinks have committed every record before W when the operator tears the job down
 * @param tickMs how often (processing time) the gate re-checks the store when no record or watermark arrives
 */
public record GateSettings(
        Colour colour,
        int gateId,
        int gateCount,
        EventTimeExtractor extractor,
        StoreFactory storeFactory,
        boolean waitForCheckpoint,
        long tickMs)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Validates the settings. */
    public GateSettings {
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(extractor, "extractor");
        Objects.requireNonNull(storeFactory, "storeFactory");
        if (gateId < 0 || gateId >= gateCount) {
            throw new IllegalArgumentException("gateId " + gateId + " outside 0.." + (gateCount - 1));
        }
        if (tickMs <= 0) {
            throw new IllegalArgumentException("tickMs must be positive");
        }
    }
}
