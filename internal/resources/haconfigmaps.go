package resources

import (
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// IsHAConfigMap tells Flink's HA ConfigMaps of a cluster (label app=<cluster id>) apart from the cluster's
// other ConfigMaps. Flink 1.x labels them configmap-type=high-availability; Flink 2.x only app and type (seen
// on real 2.3.0 pods), so they are known by Flink's names for them too: <cluster id>-cluster-config-map and
// <cluster id>-<job id>-config-map. Flink creates them itself, so no owner reference removes them.
func IsHAConfigMap(clusterID string, configMap corev1.ConfigMap) bool {
	if configMap.Labels[LabelApp] != clusterID {
		return false
	}
	if configMap.Labels["configmap-type"] == "high-availability" {
		return true
	}
	if configMap.Labels[LabelType] != TypeNative {
		return false
	}
	suffix, found := strings.CutPrefix(configMap.Name, clusterID+"-")
	return found && (suffix == "cluster-config-map" || haJobConfigMap.MatchString(suffix))
}

// haJobConfigMap is the name of a job's HA ConfigMap after "<cluster id>-".
var haJobConfigMap = regexp.MustCompile(`^[0-9a-f]{32}-config-map$`)
