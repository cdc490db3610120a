package io.github.tealflink.gate.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimpleYamlTest {
    @Test
    @SuppressWarnings("unchecked")
    void readsAKubectlStyleKubeconfig() {
        String yaml = String.join("\n",
                "apiVersion: v1",
                "clusters:",
                "- cluster:",
                "    certificate-authority-data: QUJD",
                "    server: https://127.0.0.1:6443",
                "  name: kind",
                "contexts:",
                "- context:",
                "    cluster: kind",
                "    user: admin",
                "  name: kind",
                "current-context: kind",
                "kind: Config",
                "preferences: {}",
                "users:",
                "- name: admin",
                "  user:",
                "    token: \"abc:def\"",
                "");
        Map<String, Object> m = (Map<String, Object>) SimpleYaml.parse(yaml);
        assertEquals("kind", m.get("current-context"));
        Map<String, Object> cluster = (Map<String, Object>) ((Map<String, Object>) ((List<Object>) m.get("clusters")).get(0)).get("cluster");
        assertEquals("https://127.0.0.1:6443", cluster.get("server"));
        assertEquals("QUJD", cluster.get("certificate-authority-data"));
        Map<String, Object> user = (Map<String, Object>) ((Map<String, Object>) ((List<Object>) m.get("users")).get(0)).get("user");
        assertEquals("abc:def", user.get("token"));
        assertEquals(Map.of(), m.get("preferences"));
    }

    @Test
    void readsJson() {
        assertEquals(Map.of("a", List.of(1L, "x")), SimpleYaml.parse("{\"a\": [1, \"x\"]}"));
    }
}
