package manager

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// WatchedNamespaces reads kubernetes.operator.watched.namespaces (or the --watch-namespaces flag, which wins
// when set): a comma-separated list, where upstream's JOSDK_ALL_NAMESPACES or an empty value means every
// namespace (nil). The result is sorted and free of duplicates.
func WatchedNamespaces(flag string, config *operatorconfig.Config) []string {
	raw := flag
	if strings.TrimSpace(raw) == "" {
		raw = config.String(operatorconfig.KeyWatchedNamespaces)
	}
	seen := map[string]bool{}
	var namespaces []string
	for _, namespace := range strings.Split(raw, ",") {
		namespace = strings.TrimSpace(namespace)
		if namespace == operatorconfig.AllNamespaces {
			return nil
		}
		if namespace != "" && !seen[namespace] {
			seen[namespace] = true
			namespaces = append(namespaces, namespace)
		}
	}
	sort.Strings(namespaces)
	return namespaces
}

// LabelSelector reads kubernetes.operator.label.selector: the Flink resources this operator reconciles (nil:
// all). Two operators with complementary selectors share a cluster without touching each other's resources.
func LabelSelector(config *operatorconfig.Config) (labels.Selector, error) {
	raw := strings.TrimSpace(config.String(operatorconfig.KeyLabelSelector))
	if raw == "" {
		return nil, nil
	}
	selector, err := labels.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: %w", operatorconfig.KeyLabelSelector, raw, err)
	}
	return selector, nil
}

// CacheOptions are the manager's cache options for the operator configuration: the watched namespaces and,
// with a label selector, informers of the four Flink kinds that only see the selected resources (so neither
// the controllers nor their caches hold another operator's resources).
func CacheOptions(namespaces []string, selector labels.Selector) cache.Options {
	options := cache.Options{}
	for _, namespace := range namespaces {
		if options.DefaultNamespaces == nil {
			options.DefaultNamespaces = map[string]cache.Config{}
		}
		options.DefaultNamespaces[namespace] = cache.Config{}
	}
	if selector == nil {
		return options
	}
	options.ByObject = map[client.Object]cache.ByObject{}
	for _, kind := range []client.Object{&flinkv1beta1.FlinkDeployment{}, &flinkv1beta1.FlinkSessionJob{},
		&flinkv1beta1.FlinkStateSnapshot{}, &flinkv1beta1.FlinkBlueGreenDeployment{}} {
		options.ByObject[kind] = cache.ByObject{Label: selector}
	}
	return options
}
