package io.github.tealflink.gate.inject;

import io.github.tealflink.gate.extract.EventTimeExtractor;
import io.github.tealflink.gate.operator.GateOperator;
import io.github.tealflink.gate.operator.GateSettings;
import io.github.tealflink.gate.store.ConfigMapStoreFactory;
import io.github.tealflink.gate.store.StoreFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;

/**
 * Inserts gates into a job's transformations before the stream graph is generated, for DataStream and SQL jobs
 * alike (the table planner hands its transformations to the same generator).
 *
 * <ul>
 *   <li>BEFORE_SINK (default): for each sink, walking up from it, the gate goes on the first edge whose records the
 *       extractor can read: directly before a DataStream sink (Sink V2 sinks are expanded into writer and committer
 *       later, so the gate sits before the writer), and before the writer of a SQL filesystem sink (whose committer
 *       carries no rows). One gate per sink; its parallelism, slot sharing group and uid follow the sink, and it
 *       chains into it.
 *   <li>AFTER_SOURCE: one gate after each source (after its timestamp/watermark assigner when that follows
 *       directly), feeding every former consumer of the source.
 * </ul>
 *
 * Gates are numbered 0..n-1 in transformation-id order, which is stable for a given program, so that blue and green
 * agree on the gate count CLEAR_TO_TEARDOWN waits for. Injection is idempotent (a second generation of the same
 * transformations adds nothing).
 */
public final class GateInjector {
    private GateInjector() {}

    /** The name prefix of injected gates in the job graph. */
    public static final String GATE_NAME = "Teal BlueGreen Gate";
    /** Teal key: the gate's tick (ms) for re-checking the store without input. */
    public static final String CONF_TICK_MS = "teal.bluegreen.gate.tick-ms";

    private static final Set<Transformation<?>> GATES = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    /** Injects gates using the ConfigMap store named by the configuration; returns the gates added. */
    public static List<Transformation<?>> inject(List<Transformation<?>> transformations, Map<String, String> conf,
            boolean checkpointing) {
        GateConfig config = GateConfig.from(conf);
        if (!config.enabled()) {
            return List.of();
        }
        return inject(transformations, conf, checkpointing,
                new ConfigMapStoreFactory(config.namespace(), config.configMapName()));
    }

    /** Injects gates that coordinate through {@code storeFactory}; returns the gates added (none when disabled). */
    public static List<Transformation<?>> inject(List<Transformation<?>> transformations, Map<String, String> conf,
            boolean checkpointing, StoreFactory storeFactory) {
        GateConfig config = GateConfig.from(conf);
        if (!config.enabled()) {
            return List.of();
        }
        long tickMs = Long.parseLong(conf.getOrDefault(CONF_TICK_MS, "100").trim());
        RecordMatcher matcher = config.fieldIndex() != null
                ? new RowDataMatcher(config.fieldIndex())
                : new DataStreamMatcher(config.fieldPath(), config.extractorClass());

        Graph graph = new Graph(transformations);
        if (graph.nodes.stream().anyMatch(GATES::contains)) {
            return List.of();
        }
        List<Edge> edges = config.position() == GateConfig.Position.AFTER_SOURCE
                ? sourceEdges(graph, matcher) : sinkEdges(graph, matcher);
        List<Transformation<?>> added = new ArrayList<>();
        Map<Transformation<?>, Transformation<?>> gateByInput = new IdentityHashMap<>();
        int gateCount = (int) edges.stream().map(e -> e.input).distinct().count();
        if (config.position() == GateConfig.Position.BEFORE_SINK) {
            gateCount = edges.size();
        }
        int next = 0;
        for (Edge e : edges) {
            Transformation<?> gate = config.position() == GateConfig.Position.AFTER_SOURCE ? gateByInput.get(e.input) : null;
            if (gate == null) {
                GateSettings settings = new GateSettings(config.colour(), next++, gateCount,
                        matcher.extractorFor(e.input.getOutputType()), storeFactory, checkpointing, tickMs);
                gate = newGate(e.input, e.consumer, settings, config.position());
                gateByInput.put(e.input, gate);
                added.add(gate);
                GATES.add(gate);
            }
            replaceInput(e.consumer, e.input, gate);
        }
        for (Transformation<?> t : graph.nodes) {
            clearPredecessorCache(t);
        }
        return added;
    }

    /** Whether {@code t} is a gate this injector added. */
    public static boolean isGate(Transformation<?> t) {
        return GATES.contains(t);
    }

    private record Edge(Transformation<?> input, Transformation<?> consumer) {}

    /** The transformation DAG reachable from the job's transformations, with consumers. */
    private static final class Graph {
        final Set<Transformation<?>> nodes = new LinkedHashSet<>();
        final Map<Transformation<?>, List<Transformation<?>>> consumers = new IdentityHashMap<>();

        Graph(List<Transformation<?>> roots) {
            for (Transformation<?> t : roots) {
                visit(t);
            }
        }

        private void visit(Transformation<?> t) {
            if (!nodes.add(t)) {
                return;
            }
            consumers.computeIfAbsent(t, k -> new ArrayList<>());
            for (Transformation<?> in : t.getInputs()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(t);
                visit(in);
            }
        }

        List<Transformation<?>> sorted(java.util.function.Predicate<Transformation<?>> filter) {
            List<Transformation<?>> out = new ArrayList<>();
            for (Transformation<?> t : nodes) {
                if (filter.test(t)) {
                    out.add(t);
                }
            }
            out.sort(Comparator.comparingInt(Transformation::getId));
            return out;
        }
    }

    private static List<Edge> sinkEdges(Graph graph, RecordMatcher matcher) {
        List<Edge> edges = new ArrayList<>();
        for (Transformation<?> sink : graph.sorted(t -> graph.consumers.get(t).isEmpty())) {
            int before = edges.size();
            walkUp(sink, sink, matcher, edges, Collections.newSetFromMap(new IdentityHashMap<>()));
            if (edges.size() == before) {
                throw new IllegalArgumentException("blue/green gate: no stream into sink '" + sink.getName()
                        + "' carries records that " + matcher.describe() + " can read (types seen: "
                        + typesAbove(sink) + ")");
            }
        }
        return edges;
    }

    private static void walkUp(Transformation<?> sink, Transformation<?> consumer, RecordMatcher matcher, List<Edge> edges,
            Set<Transformation<?>> seen) {
        if (!seen.add(consumer)) {
            return;
        }
        for (Transformation<?> input : consumer.getInputs()) {
            if (matcher.accepts(input.getOutputType())) {
                edges.add(new Edge(input, consumer));
            } else if (!input.getInputs().isEmpty()) {
                walkUp(sink, input, matcher, edges, seen);
            }
        }
    }

    private static String typesAbove(Transformation<?> t) {
        Set<String> types = new LinkedHashSet<>();
        List<Transformation<?>> frontier = new ArrayList<>(t.getInputs());
        while (!frontier.isEmpty() && types.size() < 8) {
            Transformation<?> x = frontier.remove(0);
            types.add(x.getName() + ": " + x.getOutputType());
            frontier.addAll(x.getInputs());
        }
        return String.join("; ", types);
    }

    private static List<Edge> sourceEdges(Graph graph, RecordMatcher matcher) {
        List<Edge> edges = new ArrayList<>();
        for (Transformation<?> source : graph.sorted(t -> t.getInputs().isEmpty())) {
            Transformation<?> from = source;
            List<Transformation<?>> cs = graph.consumers.get(source);
            // A watermark assigner right after the source is where event time begins: gate after it.
            if (cs.size() == 1 && cs.get(0).getClass().getSimpleName().equals("TimestampsAndWatermarksTransformation")) {
                from = cs.get(0);
            }
            if (!matcher.accepts(from.getOutputType())) {
                throw new IllegalArgumentException("blue/green gate: source '" + source.getName() + "' emits "
                        + from.getOutputType() + ", which " + matcher.describe() + " cannot read");
            }
            for (Transformation<?> c : graph.consumers.get(from)) {
                edges.add(new Edge(from, c));
            }
        }
        return edges;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Transformation<?> newGate(Transformation<?> input, Transformation<?> consumer, GateSettings settings,
            GateConfig.Position position) {
        SimpleOperatorFactory factory = SimpleOperatorFactory.of(new GateOperator<>(settings));
        factory.setChainingStrategy(ChainingStrategy.ALWAYS);
        Transformation<?> anchor = position == GateConfig.Position.AFTER_SOURCE ? input : consumer;
        OneInputTransformation gate = new OneInputTransformation(input, GATE_NAME + " " + settings.gateId(), factory,
                input.getOutputType(), anchor.getParallelism());
        if (anchor.getMaxParallelism() > 0) {
            gate.setMaxParallelism(anchor.getMaxParallelism());
        }
        anchor.getSlotSharingGroup().ifPresent(g -> gate.setSlotSharingGroup((org.apache.flink.api.common.operators.SlotSharingGroup) g));
        if (anchor.getUid() != null) {
            gate.setUid(anchor.getUid() + "-teal-bluegreen-gate");
        }
        return gate;
    }

    /** Makes {@code consumer} read from {@code replacement} instead of {@code old} (its input fields are final). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static void replaceInput(Transformation<?> consumer, Transformation<?> old, Transformation<?> replacement) {
        boolean replaced = false;
        for (Class<?> c = consumer.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    Object value = f.get(consumer);
                    if (value == old) {
                        f.set(consumer, replacement);
                        replaced = true;
                    } else if (value instanceof DataStream<?> stream && stream.getTransformation() == old) {
                        // Sink V2 sinks expand from the DataStream they were given, not from their input transformation.
                        f.set(consumer, new DataStream(stream.getExecutionEnvironment(), replacement));
                        replaced = true;
                    } else if (value instanceof List<?> list && list.stream().anyMatch(x -> x == old)) {
                        List<Object> copy = new ArrayList<>(list);
                        for (int i = 0; i < copy.size(); i++) {
                            if (copy.get(i) == old) {
                                copy.set(i, replacement);
                            }
                        }
                        f.set(consumer, copy);
                        replaced = true;
                    }
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new IllegalStateException("blue/green gate: cannot rewire " + consumer + " (field " + f + ")", e);
                }
            }
        }
        if (!replaced) {
            throw new IllegalStateException("blue/green gate: " + consumer + " does not reference its input " + old);
        }
    }

    private static void clearPredecessorCache(Transformation<?> t) {
        for (Class<?> c = t.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) && f.getName().toLowerCase().contains("predecessor")
                        && Map.class.isAssignableFrom(f.getType())) {
                    try {
                        f.setAccessible(true);
                        Object m = f.get(t);
                        if (m instanceof Map<?, ?> map) {
                            map.clear();
                        }
                    } catch (ReflectiveOperationException | RuntimeException ignored) {
                        // a cache we cannot clear is recomputed by Flink when absent
                    }
                }
            }
        }
    }

    /** The gates' settings in gate-id order, for tests and logs. */
    public static Map<Integer, GateSettings> settingsOf(List<Transformation<?>> gates) {
        Map<Integer, GateSettings> out = new LinkedHashMap<>();
        for (Transformation<?> g : gates) {
            GateOperator<?> op = (GateOperator<?>) ((SimpleOperatorFactory<?>) ((OneInputTransformation<?, ?>) g).getOperatorFactory()).getOperator();
            out.put(op.settings().gateId(), op.settings());
        }
        return out;
    }

    /** The extractor of a gate, for tests. */
    static EventTimeExtractor extractorOf(Transformation<?> gate) {
        return settingsOf(List.of(gate)).values().iterator().next().extractor();
    }
}
