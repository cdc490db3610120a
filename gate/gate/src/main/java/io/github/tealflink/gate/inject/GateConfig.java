package io.github.tealflink.gate.inject;

import io.github.tealflink.gate.extract.EventTimeExtractor;
import io.github.tealflink.gate.extract.ExtractorClassExtractor;
import io.github.tealflink.gate.extract.FieldPathExtractor;
import io.github.tealflink.gate.protocol.Colour;
import io.github.tealflink.gate.protocol.ProtocolKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The gate's settings read from the child's Flink configuration, validated all at once: every problem is reported
 * with its key and rule in one error, and nothing is injected when there is one.
 *
 * @param enabled {@code bluegreen.gate.injection.enabled}
 * @param colour {@code bluegreen.active-deployment-type}: the child's own colour
 * @param configMapName {@code bluegreen.configmap.name}
 * @param namespace {@code kubernetes.namespace}, else the pod's service account namespace
 * @param position {@code bluegreen.gate.injection.position}
 * @param fieldPath {@code bluegreen.gate.watermark.field-path}, or null
 * @param extractorClass {@code bluegreen.gate.watermark.extractor-class}, or null
 * @param fieldIndex {@code bluegreen.gate.watermark.field-index}, or null
 */
public record GateConfig(
        boolean enabled,
        Colour colour,
        String configMapName,
        String namespace,
        Position position,
        String fieldPath,
        String extractorClass,
        Integer fieldIndex) {

    /** Where gates go. */
    public enum Position {
        /** Before each sink (default): the gate sees the records the sink writes. */
        BEFORE_SINK,
        /** After each source: the gate sees each source's records and its idleness directly. */
        AFTER_SOURCE
    }

    /** Reads and validates the configuration; a disabled gate needs nothing else. */
    public static GateConfig from(Map<String, String> conf) {
        boolean enabled = Boolean.parseBoolean(conf.getOrDefault(ProtocolKeys.CONF_INJECTION_ENABLED, "false").trim());
        if (!enabled) {
            return new GateConfig(false, null, null, null, Position.BEFORE_SINK, null, null, null);
        }
        List<String> problems = new ArrayList<>();
        Colour colour = null;
        String c = conf.get(ProtocolKeys.CONF_COLOUR);
        if (c == null) {
            problems.add(ProtocolKeys.CONF_COLOUR + ": required (BLUE or GREEN; the operator sets it)");
        } else {
            try {
                colour = Colour.valueOf(c.trim());
            } catch (IllegalArgumentException e) {
                problems.add(ProtocolKeys.CONF_COLOUR + " = \"" + c + "\": must be BLUE or GREEN");
            }
        }
        String cm = conf.get(ProtocolKeys.CONF_CONFIGMAP_NAME);
        if (cm == null || cm.isBlank()) {
            problems.add(ProtocolKeys.CONF_CONFIGMAP_NAME + ": required (the operator sets it)");
        }
        String strategy = conf.get(ProtocolKeys.CONF_STRATEGY);
        if (strategy != null && !strategy.trim().equals("WATERMARK")) {
            problems.add(ProtocolKeys.CONF_STRATEGY + " = \"" + strategy + "\": must be WATERMARK");
        }
        Position position = Position.BEFORE_SINK;
        String p = conf.get(ProtocolKeys.CONF_POSITION);
        if (p != null) {
            try {
                position = Position.valueOf(p.trim());
            } catch (IllegalArgumentException e) {
                problems.add(ProtocolKeys.CONF_POSITION + " = \"" + p + "\": must be BEFORE_SINK or AFTER_SOURCE");
            }
        }
        String fieldPath = blankToNull(conf.get(ProtocolKeys.CONF_FIELD_PATH));
        String extractorClass = blankToNull(conf.get(ProtocolKeys.CONF_EXTRACTOR_CLASS));
        Integer fieldIndex = null;
        String fi = blankToNull(conf.get(ProtocolKeys.CONF_FIELD_INDEX));
        if (fi != null) {
            try {
                fieldIndex = Integer.parseInt(fi.trim());
                if (fieldIndex < 0) {
                    problems.add(ProtocolKeys.CONF_FIELD_INDEX + " = " + fi + ": must be >= 0");
                }
            } catch (NumberFormatException e) {
                problems.add(ProtocolKeys.CONF_FIELD_INDEX + " = \"" + fi + "\": must be an integer");
            }
        }
        int extractors = (fieldPath != null ? 1 : 0) + (extractorClass != null ? 1 : 0) + (fi != null ? 1 : 0);
        if (extractors != 1) {
            problems.add("exactly one of " + ProtocolKeys.CONF_FIELD_PATH + ", " + ProtocolKeys.CONF_EXTRACTOR_CLASS
                    + ", " + ProtocolKeys.CONF_FIELD_INDEX + " is required; found " + extractors);
        }
        String namespace = blankToNull(conf.get(ProtocolKeys.CONF_NAMESPACE));
        if (namespace == null) {
            namespace = serviceAccountNamespace();
        }
        if (namespace == null) {
            problems.add(ProtocolKeys.CONF_NAMESPACE + ": required outside a pod (no service account namespace file)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("blue/green gate configuration is invalid:\n  * " + String.join("\n  * ", problems));
        }
        return new GateConfig(true, colour, cm.trim(), namespace, position, fieldPath, extractorClass, fieldIndex);
    }

    /** The extractor for DataStream records (field-path or extractor-class); null for field-index. */
    public EventTimeExtractor dataStreamExtractor() {
        if (fieldPath != null) {
            return new FieldPathExtractor(fieldPath);
        }
        if (extractorClass != null) {
            return new ExtractorClassExtractor(extractorClass);
        }
        return null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String serviceAccountNamespace() {
        Path p = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
        try {
            return Files.exists(p) ? Files.readString(p).trim() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
