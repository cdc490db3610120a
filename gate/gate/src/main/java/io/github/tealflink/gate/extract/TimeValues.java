package io.github.tealflink.gate.extract;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Date;

/** Converts the time values records carry to epoch milliseconds. */
final class TimeValues {
    private TimeValues() {}

    /** Epoch ms of {@code value}: a number (ms), Instant, Date/Timestamp, LocalDateTime (UTC), or null. */
    static long toMillis(Object value, String source) {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        if (value instanceof Instant i) {
            return i.toEpochMilli();
        }
        if (value instanceof Date d) {
            return d.getTime();
        }
        if (value instanceof LocalDateTime ldt) {
            return ldt.toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        if (value == null) {
            throw new IllegalArgumentException(source + " is null: the gate cannot place the record before or after W");
        }
        throw new IllegalArgumentException(source + " is a " + value.getClass().getName()
                + "; expected epoch milliseconds (long), Instant, Date/Timestamp or LocalDateTime");
    }
}
