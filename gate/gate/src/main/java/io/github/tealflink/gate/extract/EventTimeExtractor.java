package io.github.tealflink.gate.extract;

import java.io.Serializable;

/** Reads a record's event time (epoch ms), the value the gate compares with W. */
public interface EventTimeExtractor extends Serializable {
    /**
     * The record's event time in epoch milliseconds.
     *
     * @throws IllegalArgumentException naming the configuration key when the record has no such time
     */
    long extract(Object record);

    /** Prepares the extractor on the TaskManager (loads user classes with the job's class loader). */
    default void open(ClassLoader userClassLoader) throws Exception {}

    /** A description for logs and errors, naming the configuration that chose this extractor. */
    String describe();
}
