package io.github.tealflink.gate.extract;

import io.github.tealflink.gate.protocol.ProtocolKeys;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code bluegreen.gate.watermark.field-path}: a dot-separated path into the record. Each segment is, in order: a
 * Flink {@code Row} field (by name, or by position when the segment is a number), a {@code Map} key, a field
 * (public or not, including Tuple {@code f0}…), a record component or a {@code getX()}/{@code isX()}/{@code x()}
 * getter. The value at the end is epoch ms, an Instant, a Date or a LocalDateTime (UTC). Accessors are resolved once
 * per (class, segment) and cached.
 */
public final class FieldPathExtractor implements EventTimeExtractor {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final String[] segments;
    private final String description;
    private transient Map<Class<?>, Accessor[]> cache;
    // The record class seen last and its accessors: the common monomorphic stream skips the map lookup.
    private transient Class<?> hotClass;
    private transient Accessor[] hotAccessors;

    private interface Accessor {
        Object get(Object target) throws Exception;

        /** The value as epoch ms; a primitive long field is read without boxing. */
        default long getMillis(Object target, String source) throws Exception {
            return TimeValues.toMillis(get(target), source);
        }
    }

    private record LongFieldAccessor(Field field) implements Accessor {
        @Override
        public Object get(Object target) throws Exception {
            return field.getLong(target);
        }

        @Override
        public long getMillis(Object target, String source) throws Exception {
            return field.getLong(target);
        }
    }

    /** An extractor for {@code path}; rejects a blank path. */
    public FieldPathExtractor(String path) {
        if (path == null || path.isBlank() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
            throw new IllegalArgumentException(
                    ProtocolKeys.CONF_FIELD_PATH + " = \"" + path + "\": must be a dot-separated path such as eventTime or meta.ts");
        }
        this.path = path;
        this.segments = path.split("\\.");
        this.description = ProtocolKeys.CONF_FIELD_PATH + " = \"" + path + "\"";
    }

    @Override
    public long extract(Object record) {
        if (record != null && record.getClass() == hotClass) {
            try {
                return hotAccessors[0].getMillis(record, description);
            } catch (IllegalArgumentException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalArgumentException(description + ": cannot read it from " + record.getClass().getName(), e);
            }
        }
        return slowExtract(record);
    }

    private long slowExtract(Object record) {
        Object current = record;
        for (int i = 0; i < segments.length; i++) {
            if (current == null) {
                throw new IllegalArgumentException(describe() + ": segment '" + segments[i - 1] + "' is null");
            }
            current = step(current, i);
        }
        return TimeValues.toMillis(current, description);
    }

    private Object step(Object target, int index) {
        String seg = segments[index];
        if (isRow(target)) {
            return rowField(target, seg);
        }
        if (target instanceof Map<?, ?> m) {
            return m.get(seg);
        }
        if (cache == null) {
            cache = new ConcurrentHashMap<>();
        }
        Accessor[] accessors = cache.computeIfAbsent(target.getClass(), c -> new Accessor[segments.length]);
        Accessor a = accessors[index];
        if (a == null) {
            a = resolve(target.getClass(), seg);
            accessors[index] = a;
        }
        if (segments.length == 1) {
            hotClass = target.getClass();
            hotAccessors = accessors;
        }
        try {
            return a.get(target);
        } catch (Exception e) {
            throw new IllegalArgumentException(describe() + ": cannot read '" + seg + "' of " + target.getClass().getName(), e);
        }
    }

    private static boolean isRow(Object o) {
        return o instanceof org.apache.flink.types.Row;
    }

    private Object rowField(Object row, String seg) {
        org.apache.flink.types.Row r = (org.apache.flink.types.Row) row;
        if (seg.chars().allMatch(Character::isDigit)) {
            return r.getField(Integer.parseInt(seg));
        }
        try {
            return r.getField(seg);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe() + ": the Row has no field named '" + seg + "'", e);
        }
    }

    private Accessor resolve(Class<?> cls, String seg) {
        for (Class<?> c = cls; c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(seg);
                if (!Modifier.isStatic(f.getModifiers())) {
                    f.setAccessible(true);
                    return f.getType() == long.class ? new LongFieldAccessor(f) : f::get;
                }
            } catch (NoSuchFieldException | RuntimeException ignored) {
                // try the next class, then getters
            }
        }
        String cap = Character.toUpperCase(seg.charAt(0)) + seg.substring(1);
        for (String name : new String[] {"get" + cap, "is" + cap, seg}) {
            try {
                Method m = cls.getMethod(name);
                if (m.getParameterCount() == 0 && m.getReturnType() != void.class) {
                    m.setAccessible(true);
                    return m::invoke;
                }
            } catch (NoSuchMethodException | RuntimeException ignored) {
                // next candidate
            }
        }
        throw new IllegalArgumentException(describe() + ": " + cls.getName() + " has no field or getter '" + seg + "'");
    }

    @Override
    public String describe() {
        return description;
    }
}
