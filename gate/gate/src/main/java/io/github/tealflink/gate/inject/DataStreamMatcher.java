package io.github.tealflink.gate.inject;

import io.github.tealflink.gate.extract.EventTimeExtractor;
import io.github.tealflink.gate.extract.ExtractorClassExtractor;
import io.github.tealflink.gate.extract.FieldPathExtractor;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.CompositeType;
import org.apache.flink.api.java.typeutils.RowTypeInfo;

/** Matches DataStream records for a field path or a user extractor class. */
final class DataStreamMatcher implements RecordMatcher {
    private final String fieldPath;
    private final String extractorClass;

    DataStreamMatcher(String fieldPath, String extractorClass) {
        this.fieldPath = fieldPath;
        this.extractorClass = extractorClass;
    }

    @Override
    public boolean accepts(TypeInformation<?> type) {
        Class<?> cls = type.getTypeClass();
        if (fieldPath != null) {
            String first = fieldPath.split("\\.")[0];
            if (type instanceof RowTypeInfo row) {
                return row.getFieldIndex(first) >= 0 || first.chars().allMatch(Character::isDigit);
            }
            if (type instanceof CompositeType<?> composite && composite.getFieldIndex(first) >= 0) {
                return true;
            }
            if (Map.class.isAssignableFrom(cls)) {
                return true;
            }
            return hasMember(cls, first);
        }
        Class<?> accepted = extractorInputType();
        return accepted == null || accepted.isAssignableFrom(cls);
    }

    private static boolean hasMember(Class<?> cls, String name) {
        for (Class<?> c = cls; c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                c.getDeclaredField(name);
                return true;
            } catch (NoSuchFieldException ignored) {
                // superclass next
            }
        }
        String cap = Character.toUpperCase(name.charAt(0)) + name.substring(1);
        for (String m : new String[] {"get" + cap, "is" + cap, name}) {
            try {
                Method method = cls.getMethod(m);
                if (method.getParameterCount() == 0) {
                    return true;
                }
            } catch (NoSuchMethodException ignored) {
                // next candidate
            }
        }
        return false;
    }

    /** The record type the user's extractor declares, or null when it cannot be told (then the sink's input is used). */
    private Class<?> extractorInputType() {
        Class<?> cls;
        try {
            cls = Class.forName(extractorClass, false, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
        for (Class<?> c = cls; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Type t : c.getGenericInterfaces()) {
                if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw
                        && (raw == ToLongFunction.class || raw == Function.class
                                || raw.getName().equals("org.apache.flink.api.common.eventtime.TimestampAssigner")
                                || raw.getName().equals("org.apache.flink.api.common.eventtime.SerializableTimestampAssigner"))
                        && p.getActualTypeArguments()[0] instanceof Class<?> arg) {
                    return arg;
                }
            }
        }
        return null;
    }

    @Override
    public EventTimeExtractor extractorFor(TypeInformation<?> type) {
        return fieldPath != null ? new FieldPathExtractor(fieldPath) : new ExtractorClassExtractor(extractorClass);
    }

    @Override
    public String describe() {
        return fieldPath != null ? "bluegreen.gate.watermark.field-path = \"" + fieldPath + "\""
                : "bluegreen.gate.watermark.extractor-class = \"" + extractorClass + "\"";
    }
}
