package io.github.tealflink.gate.store;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A real Kubernetes control plane for tests: etcd and kube-apiserver (the binaries the Makefile builds into
 * ~/.cache/teal/tools, or TEAL_KUBE_ASSETS), on loopback ports, with a bearer token and the API server's own
 * self-signed serving certificate. Writes a kubeconfig the gate's client reads like any other.
 */
public final class KubeControlPlane implements AutoCloseable {
    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final String token = UUID.randomUUID().toString();
    private URI server;
    private KubeConnection connection;
    private HttpClient http;

    private KubeControlPlane(Path dir) {
        this.dir = dir;
    }

    /** Starts etcd and kube-apiserver and waits until the API server is ready. */
    public static KubeControlPlane start() throws Exception {
        KubeControlPlane cp = new KubeControlPlane(Files.createTempDirectory("teal-gate-kube"));
        try {
            cp.boot();
        } catch (Exception e) {
            cp.close();
            throw e;
        }
        return cp;
    }

    static Path binary(String name) throws IOException {
        String assets = System.getenv("TEAL_KUBE_ASSETS");
        if (assets != null && Files.isExecutable(Path.of(assets, name))) {
            return Path.of(assets, name);
        }
        Path tools = Path.of(System.getProperty("user.home"), ".cache", "teal", "tools");
        if (Files.isDirectory(tools)) {
            try (Stream<Path> s = Files.list(tools)) {
                Path found = s.filter(p -> p.getFileName().toString().startsWith(name + "-v"))
                        .map(p -> p.resolve(name)).filter(Files::isExecutable)
                        .max(Comparator.comparing(Path::toString)).orElse(null);
                if (found != null) {
                    return found;
                }
            }
        }
        throw new IOException(name + " not found: build the test control plane with `hack/install-tools.sh kube-apiserver etcd`"
                + " (make gate-test does) or set TEAL_KUBE_ASSETS to a directory holding it");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process launch(String name, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary(name).toString());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
        processes.add(p);
        return p;
    }

    private void boot() throws Exception {
        int etcdClient = freePort();
        int etcdPeer = freePort();
        Process etcd = launch("etcd", List.of(
                "--data-dir", dir.resolve("etcd").toString(),
                "--listen-client-urls", "http://127.0.0.1:" + etcdClient,
                "--advertise-client-urls", "http://127.0.0.1:" + etcdClient,
                "--listen-peer-urls", "http://127.0.0.1:" + etcdPeer,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + etcdPeer,
                "--initial-cluster", "default=http://127.0.0.1:" + etcdPeer,
                "--unsafe-no-fsync"));
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        awaitReady(etcd, "etcd", () -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + etcdClient + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode() == 200);

        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair kp = gen.generateKeyPair();
        Files.writeString(dir.resolve("sa.key"), pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
        Files.writeString(dir.resolve("sa.pub"), pem("PUBLIC KEY", kp.getPublic().getEncoded()));
        Files.writeString(dir.resolve("tokens.csv"), token + ",teal-gate-test,teal-gate-test,system:masters\n");
        int port = freePort();
        Path certDir = dir.resolve("certs");
        Process apiserver = launch("kube-apiserver", List.of(
                "--etcd-servers", "http://127.0.0.1:" + etcdClient,
                "--cert-dir", certDir.toString(),
                "--secure-port", Integer.toString(port),
                "--bind-address", "127.0.0.1",
                "--advertise-address", "127.0.0.1",
                "--service-cluster-ip-range", "10.0.0.0/24",
                "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
                "--service-account-key-file", dir.resolve("sa.pub").toString(),
                "--service-account-signing-key-file", dir.resolve("sa.key").toString(),
                "--token-auth-file", dir.resolve("tokens.csv").toString(),
                "--authorization-mode", "RBAC",
                "--enable-priority-and-fairness=false"));
        server = URI.create("https://127.0.0.1:" + port);
        Path caFile = certDir.resolve("apiserver.crt");
        awaitReady(apiserver, "kube-apiserver", () -> Files.exists(caFile) && Files.size(caFile) > 0);
        String kubeconfig = String.join("\n",
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                "- cluster:",
                "    certificate-authority: " + caFile,
                "    server: " + server,
                "  name: test",
                "contexts:",
                "- context:",
                "    cluster: test",
                "    user: test",
                "    namespace: default",
                "  name: test",
                "current-context: test",
                "users:",
                "- name: test",
                "  user:",
                "    token: " + token,
                "");
        Files.writeString(kubeconfigPath(), kubeconfig);
        connection = KubeConnection.fromKubeconfig(kubeconfigPath());
        http = HttpClient.newBuilder().sslContext(connection.sslContext()).connectTimeout(Duration.ofSeconds(2)).build();
        awaitReady(apiserver, "kube-apiserver", () -> send("GET", "/readyz", null).statusCode() == 200);
        // the default namespace is created by a controller shortly after readiness
        awaitReady(apiserver, "kube-apiserver", () -> send("GET", "/api/v1/namespaces/default", null).statusCode() == 200);
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    /** Polls a readiness endpoint of a process this test started (no watch exists for "the process is up"). */
    private void awaitReady(Process p, String name, Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException(name + " exited with " + p.exitValue() + "; log:\n" + tail(dir.resolve(name + ".log")));
            }
            try {
                if (check.ok()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new IOException(name + " not ready after 90 s (last error " + last + "); log:\n" + tail(dir.resolve(name + ".log")));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The kubeconfig file for this control plane. */
    public Path kubeconfigPath() {
        return dir.resolve("kubeconfig");
    }

    /** The connection the gate's client uses. */
    public KubeConnection connection() {
        return connection;
    }

    /** Sends a raw request as the admin user. */
    public HttpResponse<String> send(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server + path)).header("Authorization", "Bearer " + token);
        if (json != null) {
            b.header("Content-Type", method.equals("PATCH") ? "application/merge-patch+json" : "application/json");
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Creates ConfigMap {@code namespace/name} with {@code data}. */
    public void createConfigMap(String namespace, String name, Map<String, String> data) throws IOException, InterruptedException {
        Map<String, Object> cm = new LinkedHashMap<>();
        cm.put("apiVersion", "v1");
        cm.put("kind", "ConfigMap");
        cm.put("metadata", Map.of("name", name, "namespace", namespace));
        cm.put("data", new LinkedHashMap<String, Object>(data));
        HttpResponse<String> r = send("POST", "/api/v1/namespaces/" + namespace + "/configmaps", Json.write(cm));
        if (r.statusCode() != 201) {
            throw new IOException("create ConfigMap: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    /** Applies a merge patch to the ConfigMap's data, as the operator does (no resourceVersion precondition). */
    public void patchData(String namespace, String name, Map<String, String> data) throws IOException, InterruptedException {
        HttpResponse<String> r = send("PATCH", "/api/v1/namespaces/" + namespace + "/configmaps/" + name,
                Json.write(Map.of("data", new LinkedHashMap<String, Object>(data))));
        if (r.statusCode() != 200) {
            throw new IOException("patch ConfigMap: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    /** Reads the ConfigMap's data; null if absent. */
    @SuppressWarnings("unchecked")
    public Map<String, String> configMapData(String namespace, String name) throws IOException, InterruptedException {
        HttpResponse<String> r = send("GET", "/api/v1/namespaces/" + namespace + "/configmaps/" + name, null);
        if (r.statusCode() == 404) {
            return null;
        }
        Map<String, Object> obj = (Map<String, Object>) Json.parse(r.body());
        Map<String, String> out = new LinkedHashMap<>();
        ((Map<String, Object>) obj.getOrDefault("data", Map.of())).forEach((k, v) -> out.put(k, (String) v));
        return out;
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.destroy();
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        deleteTree(dir.toFile());
    }

    private static void deleteTree(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            for (File c : children) {
                deleteTree(c);
            }
        }
        f.delete();
    }
}
