package io.github.tealflink.gate.store;

import static io.github.tealflink.gate.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tealflink.gate.protocol.ProtocolKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ConfigMap store against a real kube-apiserver + etcd. */
class ConfigMapStoreTest {
    static KubeControlPlane kube;
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    @BeforeAll
    static void startControlPlane() throws Exception {
        kube = KubeControlPlane.start();
    }

    @AfterAll
    static void stopControlPlane() {
        if (kube != null) {
            kube.close();
        }
    }

    static Map<String, String> operatorData() {
        Map<String, String> d = new HashMap<>();
        d.put(ProtocolKeys.IS_FIRST_DEPLOYMENT, "false");
        d.put(ProtocolKeys.ACTIVE_DEPLOYMENT_TYPE, "GREEN");
        d.put(ProtocolKeys.DEPLOYMENT_DELETION_DELAY_MS, "500");
        d.put(ProtocolKeys.STAGE, "INITIALIZING");
        return d;
    }

    @Test
    void theWatchDeliversTheOperatorsWritesWithoutPolling() throws Exception {
        kube.createConfigMap("default", "watch-bg-configmap", operatorData());
        try (ConfigMapStore store = new ConfigMapStore(kube.connection(), "default", "watch-bg-configmap")) {
            assertTrue(store.awaitFirstRead(TIMEOUT));
            assertEquals("INITIALIZING", store.current().get(ProtocolKeys.STAGE));
            long eventsBefore = store.watchEventCount();
            kube.patchData("default", "watch-bg-configmap", Map.of(ProtocolKeys.STAGE, "TRANSITIONING"));
            eventually(TIMEOUT, () -> "TRANSITIONING".equals(store.current().get(ProtocolKeys.STAGE)),
                    () -> "stage seen: " + store.current());
            assertTrue(store.watchEventCount() > eventsBefore, "the change arrived as a watch event");
        }
    }

    @Test
    void aDeletedAndRecreatedConfigMapIsFollowed() throws Exception {
        kube.createConfigMap("default", "recreate-bg-configmap", operatorData());
        try (ConfigMapStore store = new ConfigMapStore(kube.connection(), "default", "recreate-bg-configmap")) {
            assertTrue(store.awaitFirstRead(TIMEOUT));
            assertEquals(200, kube.send("DELETE", "/api/v1/namespaces/default/configmaps/recreate-bg-configmap", null).statusCode());
            eventually(TIMEOUT, () -> store.current() == null, () -> "still seen: " + store.current());
            Map<String, String> again = operatorData();
            again.put(ProtocolKeys.STAGE, "RUNNING");
            kube.createConfigMap("default", "recreate-bg-configmap", again);
            eventually(TIMEOUT, () -> store.current() != null && "RUNNING".equals(store.current().get(ProtocolKeys.STAGE)),
                    () -> "seen: " + store.current());
        }
    }

    @Test
    void aWriteThatRacesAnotherWriterIsRetriedOnTheNewerVersion() throws Exception {
        kube.createConfigMap("default", "conflict-bg-configmap", Map.of("counter", "0"));
        try (ConfigMapStore store = new ConfigMapStore(kube.connection(), "default", "conflict-bg-configmap")) {
            assertTrue(store.awaitFirstRead(TIMEOUT));
            AtomicBoolean interfered = new AtomicBoolean();
            List<Integer> seen = new ArrayList<>();
            Map<String, String> result = store.update(data -> {
                int n = Integer.parseInt(data.get("counter"));
                seen.add(n);
                if (interfered.compareAndSet(false, true)) {
                    // another writer changes the object between our read and our write
                    try {
                        kube.patchData("default", "conflict-bg-configmap", Map.of("counter", "10"));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
                return Map.of("counter", Integer.toString(n + 1));
            }).get(30, TimeUnit.SECONDS);
            assertEquals("11", result.get("counter"), "the increment applied to the other writer's value, not over it");
            assertEquals(List.of(0, 10), seen, "the mutation ran again on the newer data");
            assertTrue(store.conflictCount() >= 1, "the API server refused the stale write with 409");
            assertEquals("11", kube.configMapData("default", "conflict-bg-configmap").get("counter"));
        }
    }

    @Test
    void concurrentReadModifyWritesFromTwoProcessesLoseNothing() throws Exception {
        kube.createConfigMap("default", "counter-bg-configmap", Map.of("counter", "0"));
        try (ConfigMapStore a = new ConfigMapStore(kube.connection(), "default", "counter-bg-configmap");
                ConfigMapStore b = new ConfigMapStore(kube.connection(), "default", "counter-bg-configmap")) {
            List<CompletableFuture<Map<String, String>>> writes = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                for (ConfigMapStore s : List.of(a, b)) {
                    writes.add(s.update(d -> Map.of("counter", Integer.toString(Integer.parseInt(d.get("counter")) + 1))));
                }
            }
            CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            assertEquals("40", kube.configMapData("default", "counter-bg-configmap").get("counter"));
            assertTrue(a.conflictCount() + b.conflictCount() > 0, "two writers on one object must have collided");
        }
    }

    @Test
    void theFirstProposedWWinsAndEveryProposerReadsIt() throws Exception {
        kube.createConfigMap("default", "w-bg-configmap", operatorData());
        List<ConfigMapStore> stores = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                stores.add(new ConfigMapStore(kube.connection(), "default", "w-bg-configmap"));
            }
            List<CompletableFuture<Map<String, String>>> proposals = new ArrayList<>();
            for (int i = 0; i < stores.size(); i++) {
                String w = Long.toString(1_000 + i);
                proposals.add(stores.get(i).update(d -> "WATERMARK_SET".equals(d.get(ProtocolKeys.WATERMARK_STAGE)) ? null
                        : Map.of(ProtocolKeys.WATERMARK_TOGGLE_VALUE, w, ProtocolKeys.WATERMARK_STAGE, "WATERMARK_SET")));
            }
            Set<String> results = new HashSet<>();
            for (CompletableFuture<Map<String, String>> p : proposals) {
                results.add(p.get(30, TimeUnit.SECONDS).get(ProtocolKeys.WATERMARK_TOGGLE_VALUE));
            }
            assertEquals(1, results.size(), "every proposer ends with the same W: " + results);
            assertEquals(results.iterator().next(), kube.configMapData("default", "w-bg-configmap").get(ProtocolKeys.WATERMARK_TOGGLE_VALUE));
        } finally {
            stores.forEach(ConfigMapStore::close);
        }
    }

    @Test
    void serviceAccountCredentialsReachTheApiServer(@TempDir Path sa) throws Exception {
        kube.createConfigMap("default", "sa-bg-configmap", operatorData());
        KubeConnection admin = kube.connection();
        Files.writeString(sa.resolve("token"), admin.token().get() + "\n");
        Files.copy(kube.kubeconfigPath().resolveSibling("certs").resolve("apiserver.crt"), sa.resolve("ca.crt"));
        Files.writeString(sa.resolve("namespace"), "default");
        KubeConnection conn = KubeConnection.fromServiceAccount(admin.server().getHost(),
                Integer.toString(admin.server().getPort()), sa);
        assertEquals("default", conn.namespace());
        try (ConfigMapStore store = new ConfigMapStore(conn, conn.namespace(), "sa-bg-configmap")) {
            assertTrue(store.awaitFirstRead(TIMEOUT));
            assertEquals("GREEN", store.current().get(ProtocolKeys.ACTIVE_DEPLOYMENT_TYPE));
        }
    }
}
