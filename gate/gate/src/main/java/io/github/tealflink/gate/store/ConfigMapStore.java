package io.github.tealflink.gate.store;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A {@link CoordinationStore} on one Kubernetes ConfigMap, through the API server's REST interface and the JDK's
 * HTTP client (no Kubernetes client library on Flink's classpath).
 *
 * <ul>
 *   <li>Reads: a list-then-watch loop on the single object ({@code fieldSelector=metadata.name=…}), resumed from the
 *       last resourceVersion, re-listed on 410 Gone, with bookmarks; {@link #current()} is the latest object seen.
 *   <li>Writes: JSON merge patches that carry {@code metadata.resourceVersion}, so the API server applies them only
 *       to the version the mutation saw (409 Conflict otherwise); on a conflict the object is read again and the
 *       mutation re-run on it.
 * </ul>
 */
public final class ConfigMapStore implements CoordinationStore {
    private static final Logger LOG = Logger.getLogger(ConfigMapStore.class.getName());
    private static final int MAX_ATTEMPTS = 50;

    private final KubeConnection connection;
    private final String namespace;
    private final String name;
    private final HttpClient http;
    private final ExecutorService writer;
    private final Thread watcher;
    private final AtomicLong conflicts = new AtomicLong();
    private final AtomicLong watchEvents = new AtomicLong();
    private volatile boolean closed;
    private volatile Snapshot latest;
    /** The open watch's body, closed by {@link #close()} to end a watch blocked on the network. */
    private volatile Stream<String> openWatch;
    private final Object watchLock = new Object();

    private record Snapshot(String resourceVersion, Map<String, String> data) {}

    /** Starts watching ConfigMap {@code namespace/name}. */
    public ConfigMapStore(KubeConnection connection, String namespace, String name) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.name = Objects.requireNonNull(name, "name");
        this.http = HttpClient.newBuilder()
                .sslContext(connection.sslContext())
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        this.writer = Executors.newSingleThreadExecutor(r -> daemon(r, "teal-gate-write-" + name));
        this.watcher = daemon(this::watchLoop, "teal-gate-watch-" + name);
        this.watcher.start();
    }

    private static Thread daemon(Runnable r, String threadName) {
        Thread t = new Thread(r, threadName);
        t.setDaemon(true);
        return t;
    }

    @Override
    public Map<String, String> current() {
        Snapshot s = latest;
        return s == null ? null : s.data();
    }

    /** The number of write attempts the API server refused with 409 Conflict (each was retried). */
    public long conflictCount() {
        return conflicts.get();
    }

    /** The number of watch events received (ADDED, MODIFIED, DELETED). */
    public long watchEventCount() {
        return watchEvents.get();
    }

    @Override
    public String describe() {
        return "ConfigMap " + namespace + "/" + name + " at " + connection.server();
    }

    /** Blocks until the store has seen the object or the timeout elapses; returns whether it has. */
    public boolean awaitFirstRead(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (watchLock) {
            while (latest == null && System.nanoTime() < deadline && !closed) {
                watchLock.wait(Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis()));
            }
        }
        return latest != null;
    }

    @Override
    public CompletableFuture<Map<String, String>> update(Function<Map<String, String>, Map<String, String>> mutation) {
        CompletableFuture<Map<String, String>> result = new CompletableFuture<>();
        writer.execute(() -> {
            try {
                result.complete(applyWithRetries(mutation));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    private Map<String, String> applyWithRetries(Function<Map<String, String>, Map<String, String>> mutation)
            throws IOException, InterruptedException {
        Snapshot base = latest;
        IOException last = null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS && !closed; attempt++) {
            if (base == null) {
                base = get();
                if (base == null) {
                    throw new IOException(describe() + " does not exist");
                }
            }
            Map<String, String> changes = mutation.apply(Collections.unmodifiableMap(base.data()));
            if (changes == null || changes.isEmpty() || unchanged(base.data(), changes)) {
                return base.data();
            }
            Map<String, Object> patch = new LinkedHashMap<>();
            patch.put("metadata", Map.of("resourceVersion", base.resourceVersion()));
            patch.put("data", new HashMap<String, Object>(changes));
            HttpResponse<String> resp = http.send(
                    request(objectPath())
                            .method("PATCH", HttpRequest.BodyPublishers.ofString(Json.write(patch)))
                            .header("Content-Type", "application/merge-patch+json")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() == 200) {
                Snapshot written = snapshotOf(Json.parse(resp.body()));
                offer(written);
                return written.data();
            }
            if (resp.statusCode() == 409) {
                conflicts.incrementAndGet();
                base = get();
                continue;
            }
            last = new IOException("PATCH " + describe() + ": HTTP " + resp.statusCode() + ": " + resp.body());
            if (resp.statusCode() < 500 && resp.statusCode() != 429) {
                throw last;
            }
            Thread.sleep(Math.min(2000, 50L << Math.min(attempt, 5)));
            base = get();
        }
        throw last != null ? last : new IOException(describe() + ": gave up after " + MAX_ATTEMPTS + " conflicting writes");
    }

    private static boolean unchanged(Map<String, String> data, Map<String, String> changes) {
        for (Map.Entry<String, String> e : changes.entrySet()) {
            if (!Objects.equals(data.get(e.getKey()), e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** Reads the object now; null if it does not exist. */
    private Snapshot get() throws IOException, InterruptedException {
        HttpResponse<String> resp = http.send(request(objectPath()).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() == 404) {
            return null;
        }
        if (resp.statusCode() != 200) {
            throw new IOException("GET " + describe() + ": HTTP " + resp.statusCode() + ": " + resp.body());
        }
        Snapshot s = snapshotOf(Json.parse(resp.body()));
        offer(s);
        return s;
    }

    private String objectPath() {
        return "/api/v1/namespaces/" + enc(namespace) + "/configmaps/" + enc(name);
    }

    private String collectionPath(String query) {
        return "/api/v1/namespaces/" + enc(namespace) + "/configmaps?fieldSelector="
                + enc("metadata.name=" + name) + query;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(connection.server().toString().replaceAll("/$", "") + path))
                .header("Accept", "application/json");
        if (connection.token() != null) {
            b.header("Authorization", "Bearer " + connection.token().get());
        }
        return b;
    }

    @SuppressWarnings("unchecked")
    private static Snapshot snapshotOf(Object json) {
        Map<String, Object> obj = (Map<String, Object>) json;
        Map<String, Object> meta = (Map<String, Object>) obj.get("metadata");
        Map<String, Object> data = (Map<String, Object>) obj.getOrDefault("data", Map.of());
        Map<String, String> copy = new HashMap<>();
        if (data != null) {
            data.forEach((k, v) -> copy.put(k, v == null ? null : v.toString()));
        }
        return new Snapshot((String) meta.get("resourceVersion"), Collections.unmodifiableMap(copy));
    }

    /** Keeps {@code s} if it is not older than what the store has (resourceVersions of one object grow). */
    private void offer(Snapshot s) {
        synchronized (watchLock) {
            Snapshot cur = latest;
            if (cur == null || newer(s.resourceVersion(), cur.resourceVersion())) {
                latest = s;
            }
            watchLock.notifyAll();
        }
    }

    private static boolean newer(String a, String b) {
        try {
            return Long.parseLong(a) >= Long.parseLong(b);
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private void deleted() {
        synchronized (watchLock) {
            latest = null;
            watchLock.notifyAll();
        }
    }

    @SuppressWarnings("unchecked")
    private void watchLoop() {
        int failures = 0;
        String listVersion = null;
        while (!closed) {
            try {
                if (listVersion == null) {
                    HttpResponse<String> resp = http.send(request(collectionPath("")).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (resp.statusCode() != 200) {
                        throw new IOException("LIST " + describe() + ": HTTP " + resp.statusCode() + ": " + resp.body());
                    }
                    Map<String, Object> list = (Map<String, Object>) Json.parse(resp.body());
                    List<Object> items = (List<Object>) list.get("items");
                    if (items == null || items.isEmpty()) {
                        deleted();
                    } else {
                        offer(snapshotOf(items.get(0)));
                    }
                    listVersion = (String) ((Map<String, Object>) list.get("metadata")).get("resourceVersion");
                }
                HttpResponse<Stream<String>> resp = http.send(
                        request(collectionPath("&watch=true&allowWatchBookmarks=true&timeoutSeconds=240&resourceVersion="
                                + enc(listVersion))).GET().build(),
                        HttpResponse.BodyHandlers.ofLines());
                if (resp.statusCode() == 410) {
                    listVersion = null;
                    resp.body().close();
                    continue;
                }
                if (resp.statusCode() != 200) {
                    resp.body().close();
                    throw new IOException("WATCH " + describe() + ": HTTP " + resp.statusCode());
                }
                failures = 0;
                openWatch = resp.body();
                if (closed) {
                    openWatch.close();
                    return;
                }
                try (Stream<String> lines = resp.body()) {
                    for (String line : (Iterable<String>) lines::iterator) {
                        if (closed) {
                            break;
                        }
                        if (line.isBlank()) {
                            continue;
                        }
                        Map<String, Object> event = (Map<String, Object>) Json.parse(line);
                        String type = (String) event.get("type");
                        Map<String, Object> object = (Map<String, Object>) event.get("object");
                        if ("ERROR".equals(type)) {
                            // 410 Gone: our resourceVersion is too old; list again.
                            listVersion = null;
                            break;
                        }
                        String rv = (String) ((Map<String, Object>) object.get("metadata")).get("resourceVersion");
                        if (rv != null) {
                            listVersion = rv;
                        }
                        if ("BOOKMARK".equals(type)) {
                            continue;
                        }
                        watchEvents.incrementAndGet();
                        if ("DELETED".equals(type)) {
                            deleted();
                        } else {
                            offer(snapshotOf(object));
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                failures++;
                LOG.log(failures <= 3 ? Level.FINE : Level.WARNING, "watch of " + describe() + " failed; retrying", e);
                listVersion = null;
                try {
                    // back-off between reconnects of a failed watch, not a wait for a condition
                    Thread.sleep(Math.min(5000, 100L << Math.min(failures, 6)));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Stream<String> watch = openWatch;
        if (watch != null) {
            watch.close();
        }
        watcher.interrupt();
        writer.shutdownNow();
        synchronized (watchLock) {
            watchLock.notifyAll();
        }
    }
}
