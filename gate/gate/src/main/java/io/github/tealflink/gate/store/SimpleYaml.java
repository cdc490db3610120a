package io.github.tealflink.gate.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The block-style YAML subset kubeconfig files use (maps, lists of maps, plain or quoted scalars); a file that
 * starts with '{' is read as JSON. Enough for {@code kubectl config view --flatten} output, with no YAML library
 * to bundle.
 */
final class SimpleYaml {
    private SimpleYaml() {}

    static Object parse(String text) {
        if (text.trim().startsWith("{")) {
            return Json.parse(text);
        }
        List<String[]> lines = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.replace("\t", "  ");
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.equals("---")) {
                continue;
            }
            int indent = line.length() - line.stripLeading().length();
            lines.add(new String[] {Integer.toString(indent), trimmed});
        }
        int[] pos = {0};
        return block(lines, pos, 0);
    }

    private static Object block(List<String[]> lines, int[] pos, int indent) {
        if (pos[0] >= lines.size()) {
            return null;
        }
        if (lines.get(pos[0])[1].startsWith("- ") || lines.get(pos[0])[1].equals("-")) {
            return list(lines, pos, Integer.parseInt(lines.get(pos[0])[0]));
        }
        return map(lines, pos, Integer.parseInt(lines.get(pos[0])[0]), null);
    }

    private static List<Object> list(List<String[]> lines, int[] pos, int indent) {
        List<Object> out = new ArrayList<>();
        while (pos[0] < lines.size()) {
            int ind = Integer.parseInt(lines.get(pos[0])[0]);
            String t = lines.get(pos[0])[1];
            if (ind != indent || !(t.startsWith("- ") || t.equals("-"))) {
                break;
            }
            String rest = t.equals("-") ? "" : t.substring(2).trim();
            if (rest.isEmpty()) {
                pos[0]++;
                out.add(block(lines, pos, indent + 1));
            } else if (keyOf(rest) != null) {
                // "- key: value" starts a map whose further keys sit at indent + 2
                lines.set(pos[0], new String[] {Integer.toString(indent + 2), rest});
                out.add(map(lines, pos, indent + 2, null));
            } else {
                out.add(scalar(rest));
                pos[0]++;
            }
        }
        return out;
    }

    private static Map<String, Object> map(List<String[]> lines, int[] pos, int indent, Object unused) {
        Map<String, Object> out = new LinkedHashMap<>();
        while (pos[0] < lines.size()) {
            int ind = Integer.parseInt(lines.get(pos[0])[0]);
            String t = lines.get(pos[0])[1];
            if (ind != indent || t.startsWith("- ")) {
                break;
            }
            String key = keyOf(t);
            if (key == null) {
                throw new IllegalArgumentException("expected 'key: value' in YAML line: " + t);
            }
            String rest = t.substring(t.indexOf(':') + 1).trim();
            pos[0]++;
            if (!rest.isEmpty()) {
                out.put(unquote(key), scalar(rest));
            } else if (pos[0] < lines.size()
                    && (Integer.parseInt(lines.get(pos[0])[0]) > indent
                            || (Integer.parseInt(lines.get(pos[0])[0]) == indent && lines.get(pos[0])[1].startsWith("- ")))) {
                out.put(unquote(key), block(lines, pos, indent));
            } else {
                out.put(unquote(key), null);
            }
        }
        return out;
    }

    private static String keyOf(String t) {
        int colon = t.indexOf(": ");
        if (t.endsWith(":")) {
            colon = t.length() - 1;
        }
        if (colon <= 0 || t.startsWith("\"") && t.indexOf('"', 1) > colon) {
            return null;
        }
        return t.substring(0, colon);
    }

    private static Object scalar(String s) {
        if (s.equals("null") || s.equals("~")) {
            return null;
        }
        if (s.equals("{}")) {
            return new LinkedHashMap<>();
        }
        if (s.equals("[]")) {
            return new ArrayList<>();
        }
        return unquote(s);
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }
}
