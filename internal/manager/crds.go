package manager

import (
	"context"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// WaitForCRDs waits until the API server serves every kind of flinkv1beta1.Kinds, all of which the operator's
// webhooks and controllers read. A fresh install (helm install, one Argo CD
// or Flux sync) applies the CRDs and the operator's Deployment together, and the webhooks start their informers
// at setup: a kind not served yet failed that setup ("no matches for kind"), and the pod restarted until the CRDs
// were established. It gives up after timeout.
func WaitForCRDs(ctx context.Context, config *rest.Config, interval, timeout time.Duration, log logr.Logger) error {
	client, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	for {
		resources, err := client.ServerResourcesForGroupVersion(flinkv1beta1.GroupVersion.String())
		missing := MissingKinds(resources, err)
		if len(missing) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the API server does not serve %v of %s after %s (are Teal's CRDs installed?)",
				missing, flinkv1beta1.GroupVersion, timeout)
		}
		log.Info("waiting for the CRDs to be served", "missing", missing)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}

// MissingKinds lists the kinds of flinkv1beta1.Kinds that a discovery answer for flink.apache.org/v1beta1 lacks
// (all of them when the group version is not served, or discovery failed).
func MissingKinds(resources *metav1.APIResourceList, err error) []string {
	served := map[string]bool{}
	if err == nil && resources != nil {
		for _, resource := range resources.APIResources {
			served[resource.Kind] = true
		}
	}
	var missing []string
	for _, kind := range flinkv1beta1.Kinds {
		if !served[kind] {
			missing = append(missing, kind)
		}
	}
	return missing
}
