package io.github.tealflink.gate.store;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * One store per JVM and key, shared by every gate subtask in a TaskManager: one watch per ConfigMap per JVM instead
 * of one per subtask. Reference-counted; the last release closes the store.
 */
public final class SharedStores {
    private SharedStores() {}

    private static final Map<String, Entry> STORES = new HashMap<>();

    private static final class Entry {
        final CoordinationStore store;
        int refs;

        Entry(CoordinationStore store) {
            this.store = store;
        }
    }

    /** Returns the shared store for {@code factory.key()}, opening it on first use. */
    public static synchronized CoordinationStore acquire(StoreFactory factory) throws IOException {
        Entry e = STORES.get(factory.key());
        if (e == null) {
            e = new Entry(factory.open());
            STORES.put(factory.key(), e);
        }
        e.refs++;
        return e.store;
    }

    /** Releases one reference taken by {@link #acquire}. */
    public static synchronized void release(StoreFactory factory) {
        Entry e = STORES.get(factory.key());
        if (e != null && --e.refs == 0) {
            STORES.remove(factory.key());
            e.store.close();
        }
    }
}
