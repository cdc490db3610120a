package io.github.tealflink.gate.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

class ExtractorsTest {
    /** A POJO with a private nested object and a getter. */
    public static class Order {
        private final Meta meta = new Meta();
        public long placedAt = 42;

        public Instant getShippedAt() {
            return Instant.ofEpochMilli(77);
        }
    }

    /** Nested. */
    public static class Meta {
        private final long ts = 1_234;
    }

    /** A record type. */
    public record Click(long at) {}

    /** User extractors as a job would ship them. */
    public static class ByFunction implements Function<Order, Instant> {
        @Override
        public Instant apply(Order o) {
            return Instant.ofEpochMilli(o.placedAt + 1);
        }
    }

    /** A Flink TimestampAssigner. */
    public static class ByAssigner implements TimestampAssigner<Order> {
        @Override
        public long extractTimestamp(Order o, long recordTimestamp) {
            return o.placedAt + 2;
        }
    }

    /** Implements none of the accepted interfaces. */
    public static class NotAnExtractor {}

    @Test
    void fieldPathsReachFieldsNestedPrivateFieldsGettersRecordsRowsTuplesAndMaps() {
        assertEquals(42, new FieldPathExtractor("placedAt").extract(new Order()));
        assertEquals(42, new FieldPathExtractor("placedAt").extract(new Order()), "the cached accessor gives the same");
        assertEquals(1_234, new FieldPathExtractor("meta.ts").extract(new Order()));
        assertEquals(77, new FieldPathExtractor("shippedAt").extract(new Order()));
        assertEquals(9, new FieldPathExtractor("at").extract(new Click(9)));
        assertEquals(5, new FieldPathExtractor("f1").extract(Tuple2.of("k", 5L)));
        Row row = Row.withNames();
        row.setField("when", Instant.ofEpochMilli(11));
        assertEquals(11, new FieldPathExtractor("when").extract(row));
        assertEquals(12, new FieldPathExtractor("1").extract(Row.of("x", 12L)));
        assertEquals(13, new FieldPathExtractor("a.b").extract(Map.of("a", Map.of("b", 13L))));
    }

    @Test
    void fieldPathErrorsNameTheKeyAndThePath() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new FieldPathExtractor("meta.nope").extract(new Order()));
        assertTrue(missing.getMessage().contains("bluegreen.gate.watermark.field-path = \"meta.nope\""), missing.getMessage());
        IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
                () -> new FieldPathExtractor("f0").extract(Tuple2.of("k", 5L)));
        assertTrue(wrongType.getMessage().contains("java.lang.String"), wrongType.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FieldPathExtractor("a..b"));
        assertThrows(IllegalArgumentException.class, () -> new FieldPathExtractor(" "));
    }

    @Test
    void extractorClassesNeedNoTealTypes() throws Exception {
        ExtractorClassExtractor f = new ExtractorClassExtractor(ByFunction.class.getName());
        f.open(getClass().getClassLoader());
        assertEquals(43, f.extract(new Order()));
        ExtractorClassExtractor a = new ExtractorClassExtractor(ByAssigner.class.getName());
        a.open(getClass().getClassLoader());
        assertEquals(44, a.extract(new Order()));
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> new ExtractorClassExtractor(NotAnExtractor.class.getName()).open(getClass().getClassLoader()));
        assertTrue(wrong.getMessage().contains("must implement"), wrong.getMessage());
        IllegalArgumentException absent = assertThrows(IllegalArgumentException.class,
                () -> new ExtractorClassExtractor("com.example.Missing").open(getClass().getClassLoader()));
        assertTrue(absent.getMessage().contains("bluegreen.gate.watermark.extractor-class = \"com.example.Missing\""));
    }

    @Test
    void rowDataFieldIndexReadsTimestampsAndBigints() {
        GenericRowData row = GenericRowData.of(7L, TimestampData.fromEpochMillis(1_700_000_000_123L), null);
        assertEquals(1_700_000_000_123L,
                new RowDataFieldIndexExtractor(1, RowDataFieldIndexExtractor.Kind.TIMESTAMP, 3).extract(row));
        assertEquals(7L, new RowDataFieldIndexExtractor(0, RowDataFieldIndexExtractor.Kind.BIGINT, 0).extract(row));
        IllegalArgumentException isNull = assertThrows(IllegalArgumentException.class,
                () -> new RowDataFieldIndexExtractor(2, RowDataFieldIndexExtractor.Kind.BIGINT, 0).extract(row));
        assertTrue(isNull.getMessage().contains("field-index = 2") && isNull.getMessage().contains("NULL"), isNull.getMessage());
        IllegalArgumentException outOfRange = assertThrows(IllegalArgumentException.class,
                () -> new RowDataFieldIndexExtractor(5, RowDataFieldIndexExtractor.Kind.BIGINT, 0).extract(row));
        assertTrue(outOfRange.getMessage().contains("only 3 fields"), outOfRange.getMessage());
    }
}
