package io.github.tealflink.gate.protocol;

/** What a gate does with one record. */
public enum Decision {
    /** Pass the record on to the sink. */
    EMIT,
    /** Discard the record: the other colour emits it. */
    DROP,
    /** Keep the record (in checkpointed state) until W is known, then emit or drop it. */
    HOLD
}
