package io.github.tealflink.gate.store;

import java.io.IOException;

/**
 * Opens a {@link ConfigMapStore} with the credentials of the process: the pod's service account, or the kubeconfig
 * of KUBECONFIG.
 *
 * @param namespace the ConfigMap's namespace
 * @param name the ConfigMap's name ({@code <bg-name>-configmap})
 */
public record ConfigMapStoreFactory(String namespace, String name) implements StoreFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public CoordinationStore open() throws IOException {
        return new ConfigMapStore(KubeConnection.auto(), namespace, name);
    }

    @Override
    public String key() {
        return "configmap:" + namespace + "/" + name;
    }
}
