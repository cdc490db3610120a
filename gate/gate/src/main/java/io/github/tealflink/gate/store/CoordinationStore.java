package io.github.tealflink.gate.store;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Where the gates and the operator coordinate a cut-over: one small map of string keys. The Kubernetes ConfigMap of
 * the blue/green deployment is the store Teal ships ({@link ConfigMapStore}); another (a ConfigMap in a second
 * cluster, a key-value service for two clusters) only has to keep these three promises.
 */
public interface CoordinationStore extends AutoCloseable {

    /**
     * The latest data the store has seen, kept current by a watch (never a poll); {@code null} while it has seen
     * none (not yet read, or the object does not exist).
     */
    Map<String, String> current();

    /**
     * A conditional read-modify-write: {@code mutation} gets the latest data and returns the changes to apply (a
     * {@code null} value removes a key) or {@code null}/empty for none. The change is applied only if nobody wrote
     * in between; otherwise the mutation runs again on the newer data, so "first writer wins" rules are written as
     * mutations that look before they write.
     *
     * @return completes with the data after the write (or the unchanged data when the mutation wanted none)
     */
    CompletableFuture<Map<String, String>> update(Function<Map<String, String>, Map<String, String>> mutation);

    /** A short description for logs: which object in which place. */
    String describe();

    /** Stops the watch; further calls fail. */
    @Override
    void close();
}
