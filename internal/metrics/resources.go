package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// resourceCollector computes the resource gauges on each scrape from the manager's cache, so they can never
// drift from the objects (no increments to miss on a restart or a leader change) and cost no API calls.
type resourceCollector struct {
	reader  client.Reader
	timeout time.Duration

	resources, lifecycle, jobManager, flinkVersion, blueGreen, jobState *prometheus.Desc
}

func newResourceCollector(reader client.Reader, timeout time.Duration) *resourceCollector {
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "", name), help, labels, nil)
	}
	return &resourceCollector{
		reader: reader, timeout: timeout,
		resources: desc("resources", "Teal resources, by kind and namespace.", "kind", "namespace"),
		lifecycle: desc("resources_lifecycle_state", "FlinkDeployments and FlinkSessionJobs, by status.lifecycleState.",
			"kind", "namespace", "state"),
		jobManager: desc("flinkdeployment_jobmanager_deployment_status", "FlinkDeployments, by status.jobManagerDeploymentStatus.",
			"namespace", "status"),
		flinkVersion: desc("flinkdeployment_flink_version", "FlinkDeployments, by spec.flinkVersion.", "namespace", "version"),
		blueGreen:    desc("bluegreen_state", "FlinkBlueGreenDeployments, by status.blueGreenState.", "namespace", "state"),
		jobState:     desc("resources_job_state", "Resources with a job, by status.jobStatus.state.", "kind", "namespace", "state"),
	}
}

func (c *resourceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, desc := range []*prometheus.Desc{c.resources, c.lifecycle, c.jobManager, c.flinkVersion, c.blueGreen, c.jobState} {
		ch <- desc
	}
}

// counts accumulates one gauge's values by label values.
type counts map[[3]string]float64

func (c counts) emit(ch chan<- prometheus.Metric, desc *prometheus.Desc, labels int) {
	for key, value := range c {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, value, key[:labels]...)
	}
}

func (c *resourceCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	log := ctrl.Log.WithName("metrics")
	resources, lifecycle, jobManager, flinkVersion, blueGreen, jobState := counts{}, counts{}, counts{}, counts{}, counts{}, counts{}
	// A kind that cannot be listed (CRD missing, cache not synced yet) is left out of this scrape rather than
	// failing the whole endpoint.
	deployments := &flinkv1beta1.FlinkDeploymentList{}
	if err := c.reader.List(ctx, deployments); err != nil {
		log.V(1).Info("listing FlinkDeployments for metrics", "error", err.Error())
	}
	for _, d := range deployments.Items {
		resources[[3]string{"FlinkDeployment", d.Namespace}]++
		lifecycle[[3]string{"FlinkDeployment", d.Namespace, orUnknown(string(d.Status.LifecycleState))}]++
		jobManager[[3]string{d.Namespace, orUnknown(string(d.Status.JobManagerDeploymentStatus))}]++
		flinkVersion[[3]string{d.Namespace, orUnknown(string(d.Spec.FlinkVersion))}]++
		if d.Spec.Job != nil {
			jobState[[3]string{"FlinkDeployment", d.Namespace, orUnknown(string(d.Status.JobStatus.State))}]++
		}
	}
	sessionJobs := &flinkv1beta1.FlinkSessionJobList{}
	if err := c.reader.List(ctx, sessionJobs); err != nil {
		log.V(1).Info("listing FlinkSessionJobs for metrics", "error", err.Error())
	}
	for _, j := range sessionJobs.Items {
		resources[[3]string{"FlinkSessionJob", j.Namespace}]++
		lifecycle[[3]string{"FlinkSessionJob", j.Namespace, orUnknown(string(j.Status.LifecycleState))}]++
		jobState[[3]string{"FlinkSessionJob", j.Namespace, orUnknown(string(j.Status.JobStatus.State))}]++
	}
	blueGreens := &flinkv1beta1.FlinkBlueGreenDeploymentList{}
	if err := c.reader.List(ctx, blueGreens); err != nil {
		log.V(1).Info("listing FlinkBlueGreenDeployments for metrics", "error", err.Error())
	}
	for _, bg := range blueGreens.Items {
		resources[[3]string{"FlinkBlueGreenDeployment", bg.Namespace}]++
		blueGreen[[3]string{bg.Namespace, orUnknown(string(bg.Status.BlueGreenState))}]++
		jobState[[3]string{"FlinkBlueGreenDeployment", bg.Namespace, orUnknown(string(bg.Status.JobStatus.State))}]++
	}
	snapshots := &flinkv1beta1.FlinkStateSnapshotList{}
	if err := c.reader.List(ctx, snapshots); err != nil {
		log.V(1).Info("listing FlinkStateSnapshots for metrics", "error", err.Error())
	}
	for _, s := range snapshots.Items {
		resources[[3]string{"FlinkStateSnapshot", s.Namespace}]++
	}
	resources.emit(ch, c.resources, 2)
	lifecycle.emit(ch, c.lifecycle, 3)
	jobManager.emit(ch, c.jobManager, 2)
	flinkVersion.emit(ch, c.flinkVersion, 2)
	blueGreen.emit(ch, c.blueGreen, 2)
	jobState.emit(ch, c.jobState, 3)
}

// orUnknown labels a status the controller has not written yet.
func orUnknown(value string) string {
	if value == "" {
		return "UNKNOWN"
	}
	return value
}
