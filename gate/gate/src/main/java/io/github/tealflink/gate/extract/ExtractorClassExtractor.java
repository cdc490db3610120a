package io.github.tealflink.gate.extract;

import io.github.tealflink.gate.protocol.ProtocolKeys;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * {@code bluegreen.gate.watermark.extractor-class}: a class of the job's own jar, with a public no-argument
 * constructor, that implements one of the JDK's {@code ToLongFunction<T>} or {@code Function<T, ?>} (returning
 * epoch ms, an Instant, a Date or a LocalDateTime), or Flink's {@code TimestampAssigner<T>} — so the job needs no
 * Teal dependency. Loaded on the TaskManager with the job's class loader.
 */
public final class ExtractorClassExtractor implements EventTimeExtractor {
    private static final long serialVersionUID = 1L;

    private final String className;
    private transient Object instance;

    /** An extractor that instantiates {@code className} when opened. */
    public ExtractorClassExtractor(String className) {
        if (className == null || className.isBlank()) {
            throw new IllegalArgumentException(ProtocolKeys.CONF_EXTRACTOR_CLASS + ": must name a class");
        }
        this.className = className.trim();
    }

    @Override
    public void open(ClassLoader userClassLoader) throws Exception {
        Class<?> cls;
        try {
            cls = Class.forName(className, true, userClassLoader);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(describe() + ": class not found in the job's class path", e);
        }
        Object o = cls.getDeclaredConstructor().newInstance();
        if (!(o instanceof ToLongFunction || o instanceof Function
                || o instanceof org.apache.flink.api.common.eventtime.TimestampAssigner)) {
            throw new IllegalArgumentException(describe() + ": must implement java.util.function.ToLongFunction, "
                    + "java.util.function.Function or org.apache.flink.api.common.eventtime.TimestampAssigner");
        }
        instance = o;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public long extract(Object record) {
        Object o = instance;
        if (o == null) {
            throw new IllegalStateException(describe() + ": not opened");
        }
        if (o instanceof ToLongFunction f) {
            return f.applyAsLong(record);
        }
        if (o instanceof org.apache.flink.api.common.eventtime.TimestampAssigner a) {
            return a.extractTimestamp(record, Long.MIN_VALUE);
        }
        return TimeValues.toMillis(((Function) o).apply(record), describe());
    }

    @Override
    public String describe() {
        return ProtocolKeys.CONF_EXTRACTOR_CLASS + " = \"" + className + "\"";
    }
}
