package io.github.tealflink.gate.testing;

import io.github.tealflink.gate.store.CoordinationStore;
import io.github.tealflink.gate.store.StoreFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A coordination store in memory for operator tests: writes apply at once under a lock (so the conditional
 * semantics hold trivially) and count, so a test can tell that a gate looked and chose not to write.
 */
public final class InMemoryStore implements CoordinationStore {
    private static final Map<String, InMemoryStore> STORES = new ConcurrentHashMap<>();

    private volatile Map<String, String> data;
    private int updates;
    private Runnable interfereOnce;

    /** The store named {@code name}, created empty on first use. */
    public static InMemoryStore named(String name) {
        return STORES.computeIfAbsent(name, n -> new InMemoryStore());
    }

    /** A factory for the store named {@code name}. */
    public static StoreFactory factory(String name) {
        return new Factory(name);
    }

    /** Replaces the data, as the operator would. */
    public synchronized void set(Map<String, String> newData) {
        data = Map.copyOf(newData);
    }

    /** Changes some keys (null removes), as the operator would. */
    public synchronized void put(String key, String value) {
        Map<String, String> d = new HashMap<>(data);
        if (value == null) {
            d.remove(key);
        } else {
            d.put(key, value);
        }
        data = Map.copyOf(d);
    }

    /** Runs {@code writer} once, inside the next update, just before its mutation reads the data: a racing writer. */
    public synchronized void interfereOnce(Runnable writer) {
        interfereOnce = writer;
    }

    /** How many update calls ran their mutation (whether or not it changed anything). */
    public synchronized int updates() {
        return updates;
    }

    @Override
    public Map<String, String> current() {
        return data;
    }

    @Override
    public synchronized CompletableFuture<Map<String, String>> update(Function<Map<String, String>, Map<String, String>> mutation) {
        updates++;
        if (interfereOnce != null) {
            Runnable r = interfereOnce;
            interfereOnce = null;
            r.run();
        }
        Map<String, String> changes = mutation.apply(data);
        if (changes != null && !changes.isEmpty()) {
            Map<String, String> d = new HashMap<>(data);
            changes.forEach((k, v) -> {
                if (v == null) {
                    d.remove(k);
                } else {
                    d.put(k, v);
                }
            });
            data = Map.copyOf(d);
        }
        return CompletableFuture.completedFuture(data);
    }

    @Override
    public String describe() {
        return "in-memory store";
    }

    @Override
    public void close() {}

    private record Factory(String name) implements StoreFactory {
        @Override
        public CoordinationStore open() {
            return named(name);
        }

        @Override
        public String key() {
            return "memory:" + name;
        }
    }
}
