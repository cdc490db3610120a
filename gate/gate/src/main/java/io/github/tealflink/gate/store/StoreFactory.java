package io.github.tealflink.gate.store;

import java.io.IOException;
import java.io.Serializable;

/**
 * Opens the coordination store a gate uses; shipped to the TaskManagers inside the gate operator, so it is
 * serializable and holds only names.
 */
@FunctionalInterface
public interface StoreFactory extends Serializable {
    /** Opens the store; the caller closes it. */
    CoordinationStore open() throws IOException;

    /** A stable key: gates in one JVM with equal keys share one store (one watch). */
    default String key() {
        return toString();
    }
}
