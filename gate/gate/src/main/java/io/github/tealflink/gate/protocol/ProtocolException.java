package io.github.tealflink.gate.protocol;

/** A coordination ConfigMap whose content breaks the protocol: names the key, the value and the rule. */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for {@code key} holding {@code value}, which breaks {@code rule}. */
    public ProtocolException(String key, String value, String rule) {
        super("ConfigMap key " + key + (value == null ? " (absent)" : " = \"" + value + "\"") + ": " + rule);
    }
}
