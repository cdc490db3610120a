package io.github.tealflink.gate.operator;

import java.util.function.ToLongFunction;

/** A user extractor class as a job would ship one: the record (a Long) is its own event time. */
public class IdentityTime implements ToLongFunction<Long> {
    @Override
    public long applyAsLong(Long value) {
        return value;
    }
}
