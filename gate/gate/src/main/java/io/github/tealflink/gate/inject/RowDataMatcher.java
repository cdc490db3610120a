package io.github.tealflink.gate.inject;

import io.github.tealflink.gate.extract.EventTimeExtractor;
import io.github.tealflink.gate.extract.RowDataFieldIndexExtractor;
import io.github.tealflink.gate.protocol.ProtocolKeys;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimestampType;

/**
 * Matches a SQL job's {@code RowData} for {@code bluegreen.gate.watermark.field-index}, taking the field's kind and
 * precision from the row type. Loaded only when field-index is configured, so DataStream jobs never touch the
 * table classes.
 */
final class RowDataMatcher implements RecordMatcher {
    private final int index;

    RowDataMatcher(int index) {
        this.index = index;
    }

    @Override
    public boolean accepts(TypeInformation<?> type) {
        return RowData.class.isAssignableFrom(type.getTypeClass());
    }

    @Override
    public EventTimeExtractor extractorFor(TypeInformation<?> type) {
        if (!(type instanceof InternalTypeInfo<?> internal) || !(internal.toLogicalType() instanceof RowType rowType)) {
            return new RowDataFieldIndexExtractor(index, RowDataFieldIndexExtractor.Kind.TIMESTAMP, 3);
        }
        if (index >= rowType.getFieldCount()) {
            throw new IllegalArgumentException(ProtocolKeys.CONF_FIELD_INDEX + " = " + index + ": the sink's rows "
                    + rowType + " have only " + rowType.getFieldCount() + " fields");
        }
        LogicalType field = rowType.getTypeAt(index);
        if (field instanceof TimestampType ts) {
            return new RowDataFieldIndexExtractor(index, RowDataFieldIndexExtractor.Kind.TIMESTAMP, ts.getPrecision());
        }
        if (field instanceof LocalZonedTimestampType ts) {
            return new RowDataFieldIndexExtractor(index, RowDataFieldIndexExtractor.Kind.TIMESTAMP, ts.getPrecision());
        }
        switch (field.getTypeRoot()) {
            case BIGINT:
                return new RowDataFieldIndexExtractor(index, RowDataFieldIndexExtractor.Kind.BIGINT, 0);
            default:
                throw new IllegalArgumentException(ProtocolKeys.CONF_FIELD_INDEX + " = " + index + ": field "
                        + rowType.getFieldNames().get(index) + " is " + field
                        + "; expected TIMESTAMP, TIMESTAMP_LTZ or BIGINT (epoch ms)");
        }
    }

    @Override
    public String describe() {
        return ProtocolKeys.CONF_FIELD_INDEX + " = " + index;
    }
}
