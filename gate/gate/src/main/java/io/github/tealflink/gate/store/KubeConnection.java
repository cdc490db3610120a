package io.github.tealflink.gate.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How to reach the Kubernetes API: the server, a bearer token (read again for each request, so rotated service
 * account tokens keep working) and the TLS trust. Built from the pod's service account or from a kubeconfig file.
 *
 * @param server the API server's base URI, e.g. {@code https://10.0.0.1:443}
 * @param token supplies the bearer token, or null for none
 * @param sslContext trusts the API server's certificate
 * @param namespace the default namespace (the pod's, or the kubeconfig context's), may be null
 */
public record KubeConnection(URI server, Supplier<String> token, SSLContext sslContext, String namespace) {

    /** The service account mount of a pod. */
    public static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    /**
     * The connection a pod has: KUBERNETES_SERVICE_HOST/PORT, the service account token and CA. Falls back to the
     * kubeconfig named by the system property teal.gate.kubeconfig, KUBECONFIG, or ~/.kube/config outside a pod.
     */
    public static KubeConnection auto() throws IOException {
        String host = System.getenv("KUBERNETES_SERVICE_HOST");
        if (host != null && Files.exists(SERVICE_ACCOUNT_DIR.resolve("token"))) {
            String port = System.getenv().getOrDefault("KUBERNETES_SERVICE_PORT", "443");
            return fromServiceAccount(host, port, SERVICE_ACCOUNT_DIR);
        }
        // The system property lets tests and local runs of several jobs in one JVM point at a kubeconfig.
        String kubeconfig = System.getProperty("teal.gate.kubeconfig", System.getenv("KUBECONFIG"));
        Path path = kubeconfig != null ? Path.of(kubeconfig.split(java.io.File.pathSeparator)[0])
                : Path.of(System.getProperty("user.home"), ".kube", "config");
        if (!Files.exists(path)) {
            throw new IOException("no Kubernetes credentials: KUBERNETES_SERVICE_HOST and " + SERVICE_ACCOUNT_DIR
                    + "/token are absent, and there is no kubeconfig at " + path);
        }
        return fromKubeconfig(path);
    }

    /** The connection of a pod's service account mounted at {@code dir} (token, ca.crt, namespace). */
    public static KubeConnection fromServiceAccount(String host, String port, Path dir) throws IOException {
        String hostPart = host.contains(":") ? "[" + host + "]" : host;
        Path tokenFile = dir.resolve("token");
        String namespace = Files.exists(dir.resolve("namespace"))
                ? Files.readString(dir.resolve("namespace")).trim() : null;
        return new KubeConnection(
                URI.create("https://" + hostPart + ":" + port),
                () -> readToken(tokenFile),
                trusting(Files.readAllBytes(dir.resolve("ca.crt"))),
                namespace);
    }

    /**
     * The connection of a kubeconfig file's current context. Supports bearer tokens ({@code token},
     * {@code tokenFile}) and {@code certificate-authority(-data)}; client-certificate users are refused with a clear
     * error (the gate runs with a service account).
     */
    @SuppressWarnings("unchecked")
    public static KubeConnection fromKubeconfig(Path path) throws IOException {
        Map<String, Object> cfg = (Map<String, Object>) SimpleYaml.parse(Files.readString(path));
        String current = (String) cfg.get("current-context");
        Map<String, Object> context = named(cfg, "contexts", current, "context", path);
        Map<String, Object> cluster = named(cfg, "clusters", (String) context.get("cluster"), "cluster", path);
        Map<String, Object> user = named(cfg, "users", (String) context.get("user"), "user", path);
        String server = (String) cluster.get("server");
        if (server == null) {
            throw new IOException(path + ": clusters[].cluster.server is required");
        }
        byte[] ca = null;
        if (cluster.get("certificate-authority-data") != null) {
            ca = Base64.getDecoder().decode(((String) cluster.get("certificate-authority-data")).trim());
        } else if (cluster.get("certificate-authority") != null) {
            ca = Files.readAllBytes(path.resolveSibling((String) cluster.get("certificate-authority")));
        }
        Supplier<String> token;
        if (user.get("token") != null) {
            String t = (String) user.get("token");
            token = () -> t;
        } else if (user.get("tokenFile") != null) {
            Path tf = path.resolveSibling((String) user.get("tokenFile"));
            token = () -> readToken(tf);
        } else if (user.get("client-certificate-data") != null || user.get("client-certificate") != null) {
            throw new IOException(path + ": users[].user: client certificates are not supported by the gate's client; use a token");
        } else {
            token = null;
        }
        SSLContext ssl;
        try {
            ssl = ca != null ? trusting(ca) : SSLContext.getDefault();
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
        return new KubeConnection(URI.create(server), token, ssl, (String) context.get("namespace"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> named(Map<String, Object> cfg, String list, String name, String field, Path path)
            throws IOException {
        Object entries = cfg.get(list);
        if (entries instanceof List<?> l) {
            for (Object o : l) {
                Map<String, Object> m = (Map<String, Object>) o;
                if (name != null && name.equals(m.get("name")) && m.get(field) instanceof Map) {
                    return (Map<String, Object>) m.get(field);
                }
            }
        }
        throw new IOException(path + ": " + list + "[name=" + name + "]." + field + " not found");
    }

    private static String readToken(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the service account token " + file, e);
        }
    }

    /** An SSL context that trusts exactly the PEM certificates in {@code pem}. */
    static SSLContext trusting(byte[] pem) throws IOException {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            try (InputStream in = new ByteArrayInputStream(pem)) {
                for (Certificate c : cf.generateCertificates(in)) {
                    ks.setCertificateEntry("ca-" + i++, c);
                }
            }
            if (i == 0) {
                throw new IOException("no certificate in the CA bundle");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the CA bundle", e);
        }
    }
}
