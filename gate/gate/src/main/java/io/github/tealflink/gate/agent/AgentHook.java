package io.github.tealflink.gate.agent;

import io.github.tealflink.gate.inject.GateInjector;
import io.github.tealflink.gate.protocol.ProtocolKeys;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.dag.Transformation;

/**
 * Called by the instrumented {@code StreamGraphGenerator.generate()} before it builds the stream graph: reads the
 * generator's transformations, configuration and checkpoint settings and lets {@link GateInjector} rewrite them.
 * A job without {@code bluegreen.gate.injection.enabled=true} is never touched; with it, a configuration error fails
 * the submission with a message naming the key.
 */
public final class AgentHook {
    private AgentHook() {}

    /** The entry point the agent's bytecode calls; {@code generator} is the StreamGraphGenerator. */
    @SuppressWarnings("unchecked")
    public static void beforeGenerate(Object generator) {
        List<Transformation<?>> transformations;
        Map<String, String> conf;
        boolean checkpointing;
        try {
            transformations = (List<Transformation<?>>) field(generator, "transformations");
            Object configuration = field(generator, "configuration");
            conf = new HashMap<>((Map<String, String>) configuration.getClass().getMethod("toMap").invoke(configuration));
            checkpointing = checkpointingEnabled(generator, conf);
        } catch (Throwable t) {
            System.err.println("[teal-gate] cannot read the stream graph generator (" + t + "); no gate injected");
            return;
        }
        if (!Boolean.parseBoolean(conf.getOrDefault(ProtocolKeys.CONF_INJECTION_ENABLED, "false").trim())) {
            return;
        }
        List<Transformation<?>> gates = GateInjector.inject(transformations, conf, checkpointing);
        if (!gates.isEmpty()) {
            System.err.println("[teal-gate] injected " + gates.size() + " blue/green gate(s) ("
                    + conf.getOrDefault(ProtocolKeys.CONF_POSITION, "BEFORE_SINK") + ", colour "
                    + conf.get(ProtocolKeys.CONF_COLOUR) + ", checkpoint-aligned " + checkpointing + ")");
        }
    }

    private static boolean checkpointingEnabled(Object generator, Map<String, String> conf) {
        String interval = conf.get("execution.checkpointing.interval");
        if (interval != null && !interval.isBlank() && !interval.trim().startsWith("0")) {
            return true;
        }
        try {
            Object cc = field(generator, "checkpointConfig");
            return cc != null && (Boolean) cc.getClass().getMethod("isCheckpointingEnabled").invoke(cc);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(target);
            } catch (NoSuchFieldException ignored) {
                // superclass next
            }
        }
        throw new NoSuchFieldException(target.getClass().getName() + "." + name);
    }
}
