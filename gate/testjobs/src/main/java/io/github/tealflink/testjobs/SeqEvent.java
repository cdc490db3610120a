package io.github.tealflink.testjobs;

import java.util.Objects;

/**
 * One record of the test jobs: a sequence number and an event time derived from it
 * ({@code eventTime = base + seq * step}), so that every output line names exactly which record it is.
 */
public class SeqEvent {
    /** The sequence number, 0, 1, 2, … */
    public long seq;
    /** Event time, epoch ms. */
    public long eventTime;

    /** For Flink's POJO serializer. */
    public SeqEvent() {}

    /** A record. */
    public SeqEvent(long seq, long eventTime) {
        this.seq = seq;
        this.eventTime = eventTime;
    }

    /** The output line: {@code seq,eventTime}. */
    @Override
    public String toString() {
        return seq + "," + eventTime;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeqEvent e && e.seq == seq && e.eventTime == eventTime;
    }

    @Override
    public int hashCode() {
        return Objects.hash(seq, eventTime);
    }
}
