// Command crdtrim post-processes the CRDs controller-gen writes, in place.
//
// Under every podTemplate it drops descriptions and required lists: the core Pod schema's descriptions would
// push FlinkDeployment and FlinkBlueGreenDeployment past etcd's object size limit (upstream ships its CRDs
// without them), and its required lists (e.g. spec.containers) would reject upstream manifests whose pod
// templates set only a node selector or a label. Upstream's schema requires nothing there either, and treats
// the lists inside as atomic, as they become here once their list-map keys are no longer required.
//
//	go run ./hack/crdtrim config/crd/bases/*.yaml
package main

import (
	"fmt"
	"os"

	"sigs.k8s.io/yaml"
)

func main() {
	for _, path := range os.Args[1:] {
		if err := trimFile(path); err != nil {
			fmt.Fprintf(os.Stderr, "crdtrim: %s: %v\n", path, err)
			os.Exit(1)
		}
	}
}

func trimFile(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return err
	}
	walk(doc, false)
	out, err := yaml.Marshal(doc)
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte("---\n"), out...), 0o644)
}

// walk descends through maps and lists; inside a podTemplate schema it strips description and required.
func walk(node any, inPodTemplate bool) {
	switch value := node.(type) {
	case map[string]any:
		if inPodTemplate {
			delete(value, "description")
			delete(value, "required")
			// list-map keys must be required; without required lists the lists become atomic, as upstream's.
			delete(value, "x-kubernetes-list-type")
			delete(value, "x-kubernetes-list-map-keys")
		}
		for key, child := range value {
			walk(child, inPodTemplate || (key == "podTemplate" && isSchema(child)))
		}
	case []any:
		for _, child := range value {
			walk(child, inPodTemplate)
		}
	}
}

// isSchema tells a property schema named podTemplate apart from a field value that happens to use the name.
func isSchema(node any) bool {
	schema, ok := node.(map[string]any)
	if !ok {
		return false
	}
	_, hasType := schema["type"]
	_, hasProperties := schema["properties"]
	return hasType || hasProperties
}
