package io.github.tealflink.gate.extract;

import io.github.tealflink.gate.protocol.ProtocolKeys;
import org.apache.flink.table.data.RowData;

/**
 * {@code bluegreen.gate.watermark.field-index}: the event time of a SQL job's {@code RowData} at a field index: a
 * TIMESTAMP / TIMESTAMP_LTZ column (a rowtime attribute) or a BIGINT of epoch ms. The field's kind and precision are
 * taken from the row type at injection; without it the field is read as TIMESTAMP(3).
 */
public final class RowDataFieldIndexExtractor implements EventTimeExtractor {
    private static final long serialVersionUID = 1L;

    /** How the field is stored. */
    public enum Kind {
        /** TIMESTAMP or TIMESTAMP_LTZ: a TimestampData. */
        TIMESTAMP,
        /** BIGINT epoch milliseconds. */
        BIGINT
    }

    private final int index;
    private final Kind kind;
    private final int precision;

    /** An extractor of field {@code index}, stored as {@code kind} with {@code precision} (timestamps). */
    public RowDataFieldIndexExtractor(int index, Kind kind, int precision) {
        if (index < 0) {
            throw new IllegalArgumentException(ProtocolKeys.CONF_FIELD_INDEX + " = " + index + ": must be >= 0");
        }
        this.index = index;
        this.kind = kind;
        this.precision = precision;
    }

    @Override
    public long extract(Object record) {
        if (!(record instanceof RowData row)) {
            throw new IllegalArgumentException(describe() + ": the record is a "
                    + (record == null ? "null" : record.getClass().getName()) + ", not RowData (field-index is for SQL jobs)");
        }
        if (index >= row.getArity()) {
            throw new IllegalArgumentException(describe() + ": the row has only " + row.getArity() + " fields");
        }
        if (row.isNullAt(index)) {
            throw new IllegalArgumentException(describe() + ": the field is NULL");
        }
        return kind == Kind.BIGINT ? row.getLong(index) : row.getTimestamp(index, precision).getMillisecond();
    }

    @Override
    public String describe() {
        return ProtocolKeys.CONF_FIELD_INDEX + " = " + index + " (" + kind + (kind == Kind.TIMESTAMP ? "(" + precision + ")" : "") + ")";
    }
}
