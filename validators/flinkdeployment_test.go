package validators_test

import (
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
)

func TestValidateFlinkDeployment(t *testing.T) {
	cfg := func(mutate func(map[string]string)) func(*flinkv1beta1.FlinkDeployment) {
		return func(d *flinkv1beta1.FlinkDeployment) { withConfig(d, mutate) }
	}
	useResource := func(d *flinkv1beta1.FlinkDeployment) {
		d.Spec.JobManager.Resources, d.Spec.TaskManager.Resources = nil, nil
		d.Spec.JobManager.Resource = &flinkv1beta1.Resource{CPU: ptr(1.0), Memory: "2048m", EphemeralStorage: "2G"}
		d.Spec.TaskManager.Resource = &flinkv1beta1.Resource{CPU: ptr(1.0), Memory: "2048m", EphemeralStorage: "2G"}
	}
	versionChange := func(from flinkv1beta1.UpgradeMode, to flinkv1beta1.UpgradeMode, state flinkv1beta1.JobState) func(*flinkv1beta1.FlinkDeployment) {
		return func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Job.UpgradeMode = to
			last := *d.Spec.DeepCopy()
			last.Job.UpgradeMode, last.Job.State, last.FlinkVersion = from, state, flinkv1beta1.FlinkVersionV1_19
			deployed(d, last)
		}
	}
	cases := []struct {
		name   string
		mutate func(*flinkv1beta1.FlinkDeployment)
		// want are the field paths of the expected errors, in order; empty means valid.
		want []string
		// message is a substring of the first error's message.
		message string
	}{
		{name: "application cluster", mutate: func(*flinkv1beta1.FlinkDeployment) {}},
		{name: "session cluster", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job = nil }},
		{name: "name with a dot", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Name = "session-cluster-1.13" },
			want: []string{"metadata.name"}, message: "at most 45 characters"},
		{name: "name of 46 characters", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Name = "a" + strings.Repeat("b", 45) },
			want: []string{"metadata.name"}},
		{name: "name of 45 characters", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Name = "a" + strings.Repeat("b", 44) }},
		{name: "suspended job", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.State = flinkv1beta1.JobStateSuspended }},
		{name: "parallelism 0", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.Parallelism = 0 },
			want: []string{"spec.job.parallelism"}},
		{name: "taskmanager replicas 0", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Spec.TaskManager.Replicas = ptr(int32(0)) },
			want: []string{"spec.taskManager.replicas"}},
		{name: "replicas set, parallelism 0", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.TaskManager.Replicas, d.Spec.Job.Parallelism = ptr(int32(1)), 0
		}},
		{name: "savepoint mode without savepoint dir", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			withConfig(d, func(c map[string]string) { delete(c, "state.savepoints.dir") })
			d.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeSavepoint
		}, want: []string{"spec.job.upgradeMode"}, message: "savepoint directory"},
		{name: "savepoint mode without checkpoint dir", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			withConfig(d, func(c map[string]string) { delete(c, "state.checkpoints.dir") })
			d.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeSavepoint
		}, want: []string{"spec.job.upgradeMode"}, message: "execution.checkpointing.dir"},
		{name: "last-state mode without checkpoint dir", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			withConfig(d, func(c map[string]string) { delete(c, "state.checkpoints.dir") })
			d.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeLastState
		}, want: []string{"spec.job.upgradeMode"}},
		{name: "stateless mode without checkpoint dir", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			withConfig(d, func(c map[string]string) { delete(c, "state.checkpoints.dir") })
		}},
		{name: "new checkpoint dir key", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			withConfig(d, func(c map[string]string) {
				delete(c, "state.checkpoints.dir")
				c["execution.checkpointing.dir"] = "s3://bucket/cp"
			})
			d.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeLastState
		}},
		{name: "manual savepoint without savepoint dir", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{})
			d.Spec.Job.SavepointTriggerNonce = ptr(int64(7))
		}, want: []string{"spec.job.savepointTriggerNonce"}},
		{name: "periodic savepoints without savepoint dir", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{"kubernetes.operator.periodic.savepoint.interval": "1m"})
		}, want: []string{"spec.flinkConfiguration[kubernetes.operator.periodic.savepoint.interval]"}},
		{name: "max checkpoint age without savepoint dir", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{
				"kubernetes.operator.job.upgrade.last-state.max.allowed.checkpoint.age": "1m"})
		}, want: []string{"spec.flinkConfiguration[kubernetes.operator.job.upgrade.last-state.max.allowed.checkpoint.age]"}},
		{name: "unrelated config key", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{"random": "config"})
		}},
		{name: "forbidden namespace key", mutate: cfg(func(c map[string]string) { c["kubernetes.namespace"] = "myns" }),
			want: []string{"spec.flinkConfiguration[kubernetes.namespace]"}},
		{name: "forbidden HA cluster id", mutate: cfg(func(c map[string]string) { c["high-availability.cluster-id"] = "x" }),
			want: []string{"spec.flinkConfiguration[high-availability.cluster-id]"}},
		{name: "all forbidden keys at once", mutate: cfg(func(c map[string]string) {
			c["kubernetes.namespace"], c["kubernetes.cluster-id"], c["high-availability.cluster-id"] = "a", "b", "c"
		}), want: []string{"spec.flinkConfiguration[kubernetes.namespace]", "spec.flinkConfiguration[kubernetes.cluster-id]",
			"spec.flinkConfiguration[high-availability.cluster-id]"}},
		{name: "health check without deployment recovery", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{
				"kubernetes.operator.cluster.health-check.enabled": "true", "kubernetes.operator.jm-deployment-recovery.enabled": "false"})
		}, want: []string{"spec.flinkConfiguration[kubernetes.operator.cluster.health-check.enabled]"}},
		{name: "rollback without HA", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{"kubernetes.operator.deployment.rollback.enabled": "true"})
		}, want: []string{"spec.flinkConfiguration[kubernetes.operator.deployment.rollback.enabled]"}},
		{name: "rollback with HA", mutate: cfg(func(c map[string]string) { c["kubernetes.operator.deployment.rollback.enabled"] = "true" })},
		{name: "boolean that is not", mutate: cfg(func(c map[string]string) { c["kubernetes.operator.deployment.rollback.enabled"] = "yes" }),
			want: []string{"spec.flinkConfiguration[kubernetes.operator.deployment.rollback.enabled]"}},
		{name: "log4j config", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.LogConfiguration = map[string]string{"log4j-console.properties": "rootLogger.level = INFO"}
		}},
		{name: "unknown log config key", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.LogConfiguration = map[string]string{"random": "config"}
		}, want: []string{"spec.logConfiguration[random]"}},
		{name: "ingress without template", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Ingress = &flinkv1beta1.IngressSpec{} },
			want: []string{"spec.ingress.template"}},
		{name: "ingress with a bad port", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Ingress = &flinkv1beta1.IngressSpec{Template: "example.com:port"}
		}, want: []string{"spec.ingress.template"}},
		{name: "ingress host and path", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Ingress = &flinkv1beta1.IngressSpec{Template: "example.com/{{namespace}}/{{name}}"}
		}},
		{name: "ingress path regex", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Ingress = &flinkv1beta1.IngressSpec{Template: "/{{namespace}}/{{name}}(/|$)(.*)"}
		}},
		{name: "standby JobManagers without HA", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{})
			d.Spec.JobManager.Replicas = ptr(int32(2))
		}, want: []string{"spec.jobManager.replicas"}, message: "high availability"},
		{name: "standby JobManagers with HA", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Spec.JobManager.Replicas = ptr(int32(2)) }},
		{name: "JobManager replicas 0", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Spec.JobManager.Replicas = ptr(int32(0)) },
			want: []string{"spec.jobManager.replicas"}},
		{name: "shorthand resources", mutate: useResource},
		{name: "shorthand memory 1G", mutate: func(d *flinkv1beta1.FlinkDeployment) { useResource(d); d.Spec.TaskManager.Resource.Memory = "1G" }},
		{name: "shorthand memory in bytes", mutate: func(d *flinkv1beta1.FlinkDeployment) { useResource(d); d.Spec.TaskManager.Resource.Memory = "100" }},
		{name: "shorthand memory 1Gi", mutate: func(d *flinkv1beta1.FlinkDeployment) { useResource(d); d.Spec.JobManager.Resource.Memory = "1Gi" }},
		{name: "shorthand memory invalid", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			useResource(d)
			d.Spec.TaskManager.Resource.Memory, d.Spec.JobManager.Resource.Memory = "invalid", "invalid"
		}, want: []string{"spec.jobManager.resource.memory", "spec.taskManager.resource.memory"}},
		{name: "shorthand without TaskManager memory", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			useResource(d)
			d.Spec.TaskManager.Resource.Memory = ""
		}, want: []string{"spec.taskManager.resource.memory"}, message: "TaskManager memory must be defined"},
		{name: "task heap alone does not size a TaskManager", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			useResource(d)
			d.Spec.TaskManager.Resource.Memory = ""
			d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{"taskmanager.memory.task.heap.size": "1024m"})
		}, want: []string{"spec.taskManager.resource.memory"}},
		{name: "task heap and managed memory size a TaskManager", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			useResource(d)
			d.Spec.TaskManager.Resource.Memory = ""
			d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{
				"taskmanager.memory.task.heap.size": "1024m", "taskmanager.memory.managed.size": "1024m"})
		}},
		{name: "JVM heap sizes a JobManager", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			useResource(d)
			d.Spec.JobManager.Resource.Memory = ""
			d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{"jobmanager.memory.heap.size": "2048m"})
		}},
		{name: "no JobManager spec at all", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Spec.JobManager = nil },
			want: []string{"spec.jobManager.resources.requests.memory"}},
		{name: "memory limits only", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			limits := &corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("2Gi"), corev1.ResourceCPU: resource.MustParse("2")}}
			d.Spec.JobManager.Resources, d.Spec.TaskManager.Resources = limits, limits.DeepCopy()
		}},
		{name: "zero cpu", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.TaskManager.Resources.Requests[corev1.ResourceCPU] = resource.MustParse("0")
		}, want: []string{"spec.taskManager.resources.requests[cpu]"}},
		{name: "negative cpu", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.TaskManager.Resources.Requests[corev1.ResourceCPU] = resource.MustParse("-1")
		}, want: []string{"spec.taskManager.resources.requests[cpu]"}},
		{name: "zero memory", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.TaskManager.Resources.Requests[corev1.ResourceMemory] = resource.MustParse("0")
		}, want: []string{"spec.taskManager.resources.requests[memory]"}},
		{name: "negative ephemeral storage", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.TaskManager.Resources.Requests[corev1.ResourceEphemeralStorage] = resource.MustParse("-5Gi")
		}, want: []string{"spec.taskManager.resources.requests[ephemeral-storage]"}},
		{name: "memory request above limit", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.TaskManager.Resources.Requests[corev1.ResourceMemory] = resource.MustParse("4Gi")
			d.Spec.TaskManager.Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("2Gi")}
		}, want: []string{"spec.taskManager.resources.requests[memory]"}},
		{name: "cpu request above limit in mixed units", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.TaskManager.Resources.Requests[corev1.ResourceCPU] = resource.MustParse("1000m")
			d.Spec.TaskManager.Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m")}
		}, want: []string{"spec.taskManager.resources.requests[cpu]"}},
		{name: "requests below limits", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.TaskManager.Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("4Gi"), corev1.ResourceCPU: resource.MustParse("2")}
		}},
		{name: "shorthand ephemeral storage invalid", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			useResource(d)
			d.Spec.JobManager.Resource.EphemeralStorage = "abc"
		}, want: []string{"spec.jobManager.resource.ephemeralStorage"}},
		{name: "savepoint upgrade after suspend", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			last := *d.Spec.DeepCopy()
			last.Job.State = flinkv1beta1.JobStateSuspended
			deployed(d, last)
			d.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeSavepoint
		}},
		{name: "application to session", mutate: func(d *flinkv1beta1.FlinkDeployment) { deployed(d, d.Spec); d.Spec.Job = nil },
			want: []string{"spec.job"}, message: "application cluster into a session cluster"},
		{name: "session to application", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			last := *d.Spec.DeepCopy()
			last.Job = nil
			deployed(d, last)
		}, want: []string{"spec.job"}},
		{name: "native to standalone", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			deployed(d, d.Spec)
			d.Spec.Mode = flinkv1beta1.DeploymentModeStandalone
		}, want: []string{"spec.mode"}},
		{name: "standalone to default native", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			last := *d.Spec.DeepCopy()
			last.Mode = flinkv1beta1.DeploymentModeStandalone
			deployed(d, last)
		}, want: []string{"spec.mode"}},
		{name: "explicit native after default native", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			deployed(d, d.Spec)
			d.Spec.Mode = flinkv1beta1.DeploymentModeNative
		}},
		{name: "mode switch before first deployment", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Mode = flinkv1beta1.DeploymentModeStandalone }},
		{name: "no flinkVersion", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Spec.FlinkVersion = "" },
			want: []string{"spec.flinkVersion"}},
		{name: "flink 1.14", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Spec.FlinkVersion = flinkv1beta1.FlinkVersionV1_14 },
			want: []string{"spec.flinkVersion"}, message: "v1_15 or newer"},
		{name: "flink 1.15", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Spec.FlinkVersion = flinkv1beta1.FlinkVersionV1_15 }},
		{name: "flink 1.18", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Spec.FlinkVersion = flinkv1beta1.FlinkVersionV1_18 }},
		{name: "no service account", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Spec.ServiceAccount = "" },
			want: []string{"spec.serviceAccount"}},
		{name: "last-state with HA", mutate: func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeLastState }},
		{name: "redeploy nonce on first deployment needs nothing", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Job.SavepointRedeployNonce = ptr(int64(1))
		}},
		{name: "redeploy nonce with path", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			deployed(d, d.Spec)
			d.Spec.Job.SavepointRedeployNonce, d.Spec.Job.InitialSavepointPath = ptr(int64(1)), "s"
		}},
		{name: "redeploy nonce removed", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Job.SavepointRedeployNonce, d.Spec.Job.InitialSavepointPath = ptr(int64(1)), "s"
			deployed(d, d.Spec)
			d.Spec.Job.SavepointRedeployNonce, d.Spec.Job.InitialSavepointPath = nil, ""
		}},
		{name: "redeploy nonce without path", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			deployed(d, d.Spec)
			d.Spec.Job.SavepointRedeployNonce = ptr(int64(1))
		}, want: []string{"spec.job.initialSavepointPath"}},
		{name: "redeploy nonce with blank path", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Job.SavepointRedeployNonce, d.Spec.Job.InitialSavepointPath = ptr(int64(1)), "s"
			deployed(d, d.Spec)
			d.Spec.Job.SavepointRedeployNonce, d.Spec.Job.InitialSavepointPath = ptr(int64(2)), " "
		}, want: []string{"spec.job.initialSavepointPath"}},
		{name: "version change after last-state suspend", mutate: versionChange(flinkv1beta1.UpgradeModeLastState, flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateSuspended),
			want: []string{"spec.flinkVersion"}, message: "after a last-state suspend"},
		{name: "version change after last-state suspend to last-state", mutate: versionChange(flinkv1beta1.UpgradeModeLastState, flinkv1beta1.UpgradeModeLastState, flinkv1beta1.JobStateSuspended),
			want: []string{"spec.flinkVersion"}},
		{name: "version change after last-state suspend to stateless", mutate: versionChange(flinkv1beta1.UpgradeModeLastState, flinkv1beta1.UpgradeModeStateless, flinkv1beta1.JobStateSuspended)},
		{name: "version change while running", mutate: versionChange(flinkv1beta1.UpgradeModeLastState, flinkv1beta1.UpgradeModeLastState, flinkv1beta1.JobStateRunning)},
		{name: "version change after savepoint suspend", mutate: versionChange(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.UpgradeModeLastState, flinkv1beta1.JobStateSuspended)},
		{name: "many errors at once", mutate: func(d *flinkv1beta1.FlinkDeployment) {
			d.Name, d.Spec.ServiceAccount, d.Spec.Job.Parallelism = "Bad", "", 0
			d.Spec.LogConfiguration = map[string]string{"x": "y"}
		}, want: []string{"metadata.name", "spec.logConfiguration[x]", "spec.job.parallelism", "spec.serviceAccount"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			d := applicationCluster()
			tc.mutate(d)
			errs := validators.ValidateFlinkDeployment(d, nil, testOptions)
			g.Expect(fieldPaths(errs)).To(Equal(orEmpty(tc.want)), "errors: %v", errs)
			if tc.message != "" {
				g.Expect(errs[0].Error()).To(ContainSubstring(tc.message))
			}
		})
	}
}

func TestValidateFlinkDeploymentOperatorDefaults(t *testing.T) {
	g := NewWithT(t)
	d := applicationCluster()
	d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{})
	d.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeLastState
	opts := testOptions
	opts.DefaultFlinkConfig = map[string]string{"high-availability.type": "kubernetes", "state.checkpoints.dir": "cpdir"}
	g.Expect(validators.ValidateFlinkDeployment(d, nil, opts)).To(BeEmpty())
	g.Expect(validators.ValidateFlinkDeployment(d, nil, testOptions)).NotTo(BeEmpty())
}

func TestValidateFlinkDeploymentUsesOldStatusOnUpdate(t *testing.T) {
	g := NewWithT(t)
	oldObj := applicationCluster()
	deployed(oldObj, oldObj.Spec)
	newObj := applicationCluster()
	newObj.Spec.Job = nil
	g.Expect(fieldPaths(validators.ValidateFlinkDeployment(newObj, oldObj, testOptions))).To(Equal([]string{"spec.job"}))
	g.Expect(validators.ValidateFlinkDeployment(newObj, nil, testOptions)).To(BeEmpty())
}

func TestValidateFlinkDeploymentAutoscaler(t *testing.T) {
	base := map[string]string{
		"job.autoscaler.enabled": "true", "job.autoscaler.scale-up.max-factor": "100000.0",
		"job.autoscaler.scale-down.max-factor": "0.6", "job.autoscaler.scaling.effectiveness.threshold": "0.1",
		"job.autoscaler.utilization.target": "0.7", "job.autoscaler.utilization.max": "1.0", "job.autoscaler.utilization.min": "0.3",
	}
	cases := []struct {
		name string
		set  map[string]string
		want []string
	}{
		{name: "defaults", set: map[string]string{}},
		{name: "negative scale-down factor", set: map[string]string{"job.autoscaler.scale-down.max-factor": "-0.1"},
			want: []string{"spec.flinkConfiguration[job.autoscaler.scale-down.max-factor]"}},
		{name: "negative scale-up factor", set: map[string]string{"job.autoscaler.scale-up.max-factor": "-0.1"},
			want: []string{"spec.flinkConfiguration[job.autoscaler.scale-up.max-factor]"}},
		{name: "target above 1", set: map[string]string{"job.autoscaler.utilization.target": "1.5"},
			want: []string{"spec.flinkConfiguration[job.autoscaler.utilization.target]", "spec.flinkConfiguration[job.autoscaler.utilization.max]"}},
		{name: "max below target", set: map[string]string{"job.autoscaler.utilization.min": "0.3", "job.autoscaler.utilization.target": "0.5", "job.autoscaler.utilization.max": "0.4"},
			want: []string{"spec.flinkConfiguration[job.autoscaler.utilization.max]"}},
		{name: "min above target", set: map[string]string{"job.autoscaler.utilization.min": "0.8"},
			want: []string{"spec.flinkConfiguration[job.autoscaler.utilization.min]"}},
		{name: "not a number", set: map[string]string{"job.autoscaler.utilization.min": "low"},
			want: []string{"spec.flinkConfiguration[job.autoscaler.utilization.min]"}},
		{name: "excluded period backwards", set: map[string]string{"job.autoscaler.excluded.periods": "12:00-10:00"},
			want: []string{"spec.flinkConfiguration[job.autoscaler.excluded.periods]"}},
		{name: "excluded daily and cron", set: map[string]string{"job.autoscaler.excluded.periods": "9:00-17:00 && * * * ? * 2-6;22:00-23:00"}},
		{name: "coefficient out of range while enabled", set: map[string]string{
			"job.autoscaler.observed-scalability.enabled": "true", "job.autoscaler.observed-scalability.coefficient-min": "1.2"},
			want: []string{"spec.flinkConfiguration[job.autoscaler.observed-scalability.coefficient-min]"}},
		{name: "coefficient out of range while disabled", set: map[string]string{"job.autoscaler.observed-scalability.coefficient-min": "1.2"}},
		{name: "metric window shorter than reconcile interval", set: map[string]string{"job.autoscaler.metrics.window": "30 s"},
			want: []string{"spec.flinkConfiguration[job.autoscaler.metrics.window]"}},
		{name: "metric window longer than reconcile interval", set: map[string]string{"job.autoscaler.metrics.window": "5 min"}},
		{name: "disabled autoscaler ignores ranges", set: map[string]string{"job.autoscaler.enabled": "false",
			"job.autoscaler.utilization.target": "-1.6", "job.autoscaler.metrics.window": "1 s"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			d := applicationCluster()
			withConfig(d, func(c map[string]string) {
				for k, v := range base {
					c[k] = v
				}
				for k, v := range tc.set {
					c[k] = v
				}
			})
			g.Expect(fieldPaths(validators.ValidateFlinkDeployment(d, nil, testOptions))).To(Equal(orEmpty(tc.want)))
		})
	}
}

func orEmpty(paths []string) []string {
	if paths == nil {
		return []string{}
	}
	return paths
}
