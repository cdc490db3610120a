package flinkapi

import (
	"bytes"
	"fmt"
	"strconv"
	"text/template"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/reconciled"
	"github.com/teal-flink/teal/internal/resources"
)

// RestURL renders the REST address template (kubernetes.operator.rest.url.template) for a deployment.
func RestURL(urlTemplate string, deployment *flinkv1beta1.FlinkDeployment, config map[string]string) (string, error) {
	parsed, err := template.New("rest-url").Option("missingkey=error").Parse(urlTemplate)
	if err != nil {
		return "", fmt.Errorf("%s: %w", operatorconfig.KeyRestURLTemplate, err)
	}
	port := config[resources.KeyRestPort]
	if port == "" {
		port = strconv.Itoa(resources.DefaultRestPort)
	}
	// rest.port comes from the resource: only a port number may reach the address, never text that moves the
	// host ("80@victim-rest.b.svc").
	if number, err := strconv.Atoi(port); err != nil || number < 1 || number > 65535 {
		return "", fmt.Errorf("%s %q is not a port number", resources.KeyRestPort, port)
	}
	var out bytes.Buffer
	err = parsed.Execute(&out, map[string]string{"Name": deployment.Name, "Namespace": deployment.Namespace, "Port": port})
	if err != nil {
		return "", fmt.Errorf("%s: %w", operatorconfig.KeyRestURLTemplate, err)
	}
	return out.String(), nil
}

// sharedHTTP is the connection pool of the REST clients made by ClusterClient.
var sharedHTTP = newSharedHTTP()

// Cluster is what a controller needs to talk to the JobManager of a FlinkDeployment it does not own (a session
// job's session cluster, a snapshot's job).
type Cluster struct {
	// Client reaches the JobManager's REST API.
	Client API
	// Config is the operator configuration for the deployment.
	Config *operatorconfig.Config
	// FlinkConfig is the effective Flink configuration of the deployed spec.
	FlinkConfig map[string]string
}

// ClusterClient returns a REST client of deployment's JobManager, configured from the spec it runs (the last
// reconciled one once deployed).
func ClusterClient(deployment *flinkv1beta1.FlinkDeployment, operatorConfig *operatorconfig.Config) (*Cluster, error) {
	spec := &deployment.Spec
	if target, _, deployed, err := reconciled.Parse[flinkv1beta1.FlinkDeploymentSpec](deployment.Status.ReconciliationStatus.LastReconciledSpec); err == nil && deployed {
		spec = &target
	}
	desiredConfig, err := spec.FlinkConfiguration.Flatten()
	if err != nil {
		return nil, fmt.Errorf("spec.flinkConfiguration: %w", err)
	}
	config := operatorConfig.InNamespace(deployment.Namespace).ForResource(desiredConfig)
	running := deployment.DeepCopy()
	running.Spec = *spec.DeepCopy()
	flinkConfig, err := resources.EffectiveConfig(running, resources.ConfigOptions{Defaults: config.FlinkDefaults(spec.FlinkVersion)})
	if err != nil {
		return nil, err
	}
	url, err := RestURL(config.String(operatorconfig.KeyRestURLTemplate), deployment, flinkConfig)
	if err != nil {
		return nil, err
	}
	client, err := newClient(url, config, sharedHTTP, nil)
	if err != nil {
		return nil, err
	}
	return &Cluster{Client: client, Config: config, FlinkConfig: flinkConfig}, nil
}
