package webhook

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
)

const tableNamespace = "table"

// admissionCase is one object to create and the field paths its rejection must name (none: accepted).
type admissionCase struct {
	name string
	obj  func(name string) client.Object
	want []string
}

// rejectedAt asserts that err is the API's Invalid error naming exactly the given field paths.
func rejectedAt(g Gomega, err error, want []string) {
	g.Expect(err).To(HaveOccurred())
	g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want an Invalid error, got %v", err)
	var status apierrors.APIStatus
	g.Expect(errors.As(err, &status)).To(BeTrue())
	var paths []string
	for _, cause := range status.Status().Details.Causes {
		paths = append(paths, cause.Field)
	}
	g.Expect(paths).To(ConsistOf(want), "error: %v", err)
	g.Expect(err.Error()).To(ContainSubstring("is invalid"))
}

func fd(mutate func(*flinkv1beta1.FlinkDeployment)) func(string) client.Object {
	return func(name string) client.Object { return with(appCluster(name, tableNamespace), mutate) }
}

func sj(mutate func(*flinkv1beta1.FlinkSessionJob)) func(string) client.Object {
	return func(name string) client.Object { return with(sessionJob(name, tableNamespace, "session"), mutate) }
}

func snap(mutate func(*flinkv1beta1.FlinkStateSnapshot)) func(string) client.Object {
	return func(name string) client.Object {
		return with(snapshot(name, tableNamespace, flinkv1beta1.JobKindFlinkDeployment, "app"), mutate)
	}
}

func bg(mutate func(*flinkv1beta1.FlinkBlueGreenDeployment)) func(string) client.Object {
	return func(name string) client.Object { return with(blueGreen(name, tableNamespace), mutate) }
}

func admissionCases() []admissionCase {
	cfg := func(set map[string]string, drop ...string) func(*flinkv1beta1.FlinkDeployment) {
		return func(d *flinkv1beta1.FlinkDeployment) { withConfig(&d.Spec, set, drop...) }
	}
	none := func(any) {}
	return []admissionCase{
		// FlinkDeployment: accepted.
		{name: "deployment: application cluster", obj: fd(func(*flinkv1beta1.FlinkDeployment) {})},
		{name: "deployment: session cluster", obj: fd(func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job = nil })},
		{name: "deployment: standalone mode", obj: fd(func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Mode = flinkv1beta1.DeploymentModeStandalone })},
		{name: "deployment: deprecated flink 1.18", obj: fd(func(d *flinkv1beta1.FlinkDeployment) { d.Spec.FlinkVersion = flinkv1beta1.FlinkVersionV1_18 })},
		{name: "deployment: ingress", obj: fd(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Ingress = &flinkv1beta1.IngressSpec{Template: "{{name}}.{{namespace}}.flink.example.com"}
		})},
		{name: "deployment: standby JobManager with HA", obj: fd(func(d *flinkv1beta1.FlinkDeployment) { d.Spec.JobManager.Replicas = ptr(int32(2)) })},
		{name: "deployment: memory limits only", obj: fd(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.TaskManager.Resources = &corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("2Gi")}}
		})},
		{name: "deployment: shorthand resource", obj: fd(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.TaskManager.Resources, d.Spec.TaskManager.Resource = nil, &flinkv1beta1.Resource{Memory: "2048m", CPU: ptr(1.0)}
		})},
		{name: "deployment: autoscaler", obj: fd(cfg(map[string]string{"job.autoscaler.enabled": "true", "job.autoscaler.metrics.window": "10 min"}))},
		{name: "deployment: memory from flink config", obj: fd(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.JobManager.Resources = nil
			withConfig(&d.Spec, map[string]string{"jobmanager.memory.process.size": "1600m"})
		})},
		// FlinkDeployment: rejected.
		{name: "deployment: name with a dot", obj: fd(func(d *flinkv1beta1.FlinkDeployment) { d.Name = "app-1.20" }), want: []string{"metadata.name"}},
		{name: "deployment: name of 46 characters", obj: fd(func(d *flinkv1beta1.FlinkDeployment) { d.Name = "a" + strings.Repeat("b", 45) }), want: []string{"metadata.name"}},
		{name: "deployment: no flinkVersion", obj: fd(func(d *flinkv1beta1.FlinkDeployment) { d.Spec.FlinkVersion = "" }), want: []string{"spec.flinkVersion"}},
		{name: "deployment: flink 1.14", obj: fd(func(d *flinkv1beta1.FlinkDeployment) { d.Spec.FlinkVersion = flinkv1beta1.FlinkVersionV1_14 }), want: []string{"spec.flinkVersion"}},
		{name: "deployment: no service account", obj: fd(func(d *flinkv1beta1.FlinkDeployment) { d.Spec.ServiceAccount = "" }), want: []string{"spec.serviceAccount"}},
		{name: "deployment: forbidden cluster id", obj: fd(cfg(map[string]string{"kubernetes.cluster-id": "x"})),
			want: []string{"spec.flinkConfiguration[kubernetes.cluster-id]"}},
		{name: "deployment: rollback without HA", obj: fd(cfg(map[string]string{"kubernetes.operator.deployment.rollback.enabled": "true"}, "high-availability.type")),
			want: []string{"spec.flinkConfiguration[kubernetes.operator.deployment.rollback.enabled]"}},
		{name: "deployment: health check without recovery", obj: fd(cfg(map[string]string{
			"kubernetes.operator.cluster.health-check.enabled": "true", "kubernetes.operator.jm-deployment-recovery.enabled": "false"})),
			want: []string{"spec.flinkConfiguration[kubernetes.operator.cluster.health-check.enabled]"}},
		{name: "deployment: ingress without template", obj: fd(func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Ingress = &flinkv1beta1.IngressSpec{ClassName: "nginx"} }),
			want: []string{"spec.ingress.template"}},
		{name: "deployment: ingress with bad port", obj: fd(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Ingress = &flinkv1beta1.IngressSpec{Template: "example.com:port"}
		}),
			want: []string{"spec.ingress.template"}},
		{name: "deployment: unknown log file", obj: fd(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.LogConfiguration = map[string]string{"log4j.properties": "x"}
		}),
			want: []string{"spec.logConfiguration[log4j.properties]"}},
		{name: "deployment: savepoint mode without savepoint dir", obj: fd(cfg(nil, "state.savepoints.dir")), want: []string{"spec.job.upgradeMode"}},
		{name: "deployment: last-state without checkpoint dir", obj: fd(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeLastState
			withConfig(&d.Spec, nil, "state.checkpoints.dir")
		}), want: []string{"spec.job.upgradeMode"}},
		{name: "deployment: manual savepoint without dir", obj: fd(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Job.UpgradeMode, d.Spec.Job.SavepointTriggerNonce = flinkv1beta1.UpgradeModeStateless, ptr(int64(1))
			withConfig(&d.Spec, nil, "state.savepoints.dir")
		}), want: []string{"spec.job.savepointTriggerNonce"}},
		{name: "deployment: periodic savepoints without dir", obj: fd(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeStateless
			withConfig(&d.Spec, map[string]string{"kubernetes.operator.periodic.savepoint.interval": "1h"}, "state.savepoints.dir")
		}), want: []string{"spec.flinkConfiguration[kubernetes.operator.periodic.savepoint.interval]"}},
		{name: "deployment: parallelism 0", obj: fd(func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.Parallelism = 0 }), want: []string{"spec.job.parallelism"}},
		{name: "deployment: TaskManager replicas 0", obj: fd(func(d *flinkv1beta1.FlinkDeployment) { d.Spec.TaskManager.Replicas = ptr(int32(0)) }),
			want: []string{"spec.taskManager.replicas"}},
		{name: "deployment: JobManager replicas 0", obj: fd(func(d *flinkv1beta1.FlinkDeployment) { d.Spec.JobManager.Replicas = ptr(int32(0)) }),
			want: []string{"spec.jobManager.replicas"}},
		{name: "deployment: standby JobManager without HA", obj: fd(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Job.UpgradeMode, d.Spec.JobManager.Replicas = flinkv1beta1.UpgradeModeStateless, ptr(int32(2))
			withConfig(&d.Spec, nil, "high-availability.type")
		}), want: []string{"spec.jobManager.replicas"}},
		{name: "deployment: no JobManager memory", obj: fd(func(d *flinkv1beta1.FlinkDeployment) { d.Spec.JobManager = nil }),
			want: []string{"spec.jobManager.resources.requests.memory"}},
		{name: "deployment: zero cpu", obj: fd(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.TaskManager.Resources.Requests[corev1.ResourceCPU] = resource.MustParse("0")
		}), want: []string{"spec.taskManager.resources.requests[cpu]"}},
		{name: "deployment: memory request above limit", obj: fd(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.JobManager.Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")}
		}), want: []string{"spec.jobManager.resources.requests[memory]"}},
		{name: "deployment: shorthand memory unparseable", obj: fd(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.TaskManager.Resources, d.Spec.TaskManager.Resource = nil, &flinkv1beta1.Resource{Memory: "lots"}
		}), want: []string{"spec.taskManager.resource.memory"}},
		{name: "deployment: autoscaler target above 1", obj: fd(cfg(map[string]string{
			"job.autoscaler.enabled": "true", "job.autoscaler.utilization.target": "1.5", "job.autoscaler.metrics.window": "10 min"})),
			want: []string{"spec.flinkConfiguration[job.autoscaler.utilization.target]"}},
		{name: "deployment: autoscaler window below reconcile interval", obj: fd(cfg(map[string]string{
			"job.autoscaler.enabled": "true", "job.autoscaler.metrics.window": "30 s"})),
			want: []string{"spec.flinkConfiguration[job.autoscaler.metrics.window]"}},
		{name: "deployment: every error at once", obj: fd(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.ServiceAccount, d.Spec.Job.Parallelism, d.Spec.FlinkVersion = "", 0, ""
		}), want: []string{"spec.flinkVersion", "spec.job.parallelism", "spec.serviceAccount"}},
		// FlinkSessionJob.
		{name: "session job: on a session cluster", obj: sj(func(*flinkv1beta1.FlinkSessionJob) {})},
		{name: "session job: last-state with session dirs", obj: sj(func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeLastState })},
		{name: "session job: missing session cluster", obj: sj(func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.DeploymentName = "nowhere" }),
			want: []string{"spec.deploymentName"}},
		{name: "session job: application cluster target", obj: sj(func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.DeploymentName = "app" }),
			want: []string{"spec.deploymentName"}},
		{name: "session job: invalid deploymentName", obj: sj(func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.DeploymentName = "Session" }),
			want: []string{"spec.deploymentName", "spec.deploymentName"}},
		{name: "session job: no job", obj: sj(func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job = nil }), want: []string{"spec.job"}},
		{name: "session job: http jar", obj: sj(func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "http://repo.example.com/job.jar" }),
			want: []string{"spec.job.jarURI"}},
		{name: "session job: file jar", obj: sj(func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "file:///etc/passwd" }),
			want: []string{"spec.job.jarURI"}},
		{name: "session job: metadata endpoint jar", obj: sj(func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "https://169.254.169.254/x.jar" }),
			want: []string{"spec.job.jarURI"}},
		{name: "session job: localhost jar", obj: sj(func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "https://localhost:8443/x.jar" }),
			want: []string{"spec.job.jarURI"}},
		{name: "session job: parallelism 0", obj: sj(func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.Parallelism = 0 }),
			want: []string{"spec.job.parallelism"}},
		{name: "session job: autoscaler out of range", obj: sj(func(j *flinkv1beta1.FlinkSessionJob) {
			j.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{
				"job.autoscaler.enabled": "true", "job.autoscaler.scale-down.max-factor": "-1", "job.autoscaler.metrics.window": "1h"})
		}), want: []string{"spec.flinkConfiguration[job.autoscaler.scale-down.max-factor]"}},
		// FlinkStateSnapshot.
		{name: "snapshot: savepoint of a deployment", obj: snap(func(*flinkv1beta1.FlinkStateSnapshot) {})},
		{name: "snapshot: checkpoint of a deployment", obj: snap(func(s *flinkv1beta1.FlinkStateSnapshot) {
			s.Spec.Savepoint, s.Spec.Checkpoint = nil, &flinkv1beta1.CheckpointSpec{}
		})},
		{name: "snapshot: savepoint of a session job", obj: snap(func(s *flinkv1beta1.FlinkStateSnapshot) {
			s.Spec.JobReference = &flinkv1beta1.JobReference{Kind: flinkv1beta1.JobKindFlinkSessionJob, Name: "existing-job"}
		})},
		{name: "snapshot: existing savepoint without job", obj: snap(func(s *flinkv1beta1.FlinkStateSnapshot) {
			s.Spec.JobReference, s.Spec.Savepoint = nil, &flinkv1beta1.SavepointSpec{Path: "s3://sp/1", AlreadyExists: ptr(true)}
		})},
		{name: "snapshot: missing target", obj: snap(func(s *flinkv1beta1.FlinkStateSnapshot) { s.Spec.JobReference.Name = "gone" }),
			want: []string{"spec.jobReference.name"}},
		{name: "snapshot: missing session job target", obj: snap(func(s *flinkv1beta1.FlinkStateSnapshot) {
			s.Spec.JobReference = &flinkv1beta1.JobReference{Kind: flinkv1beta1.JobKindFlinkSessionJob, Name: "app"}
		}), want: []string{"spec.jobReference.name"}},
		{name: "snapshot: savepoint and checkpoint", obj: snap(func(s *flinkv1beta1.FlinkStateSnapshot) { s.Spec.Checkpoint = &flinkv1beta1.CheckpointSpec{} }),
			want: []string{"spec.checkpoint"}},
		{name: "snapshot: neither", obj: snap(func(s *flinkv1beta1.FlinkStateSnapshot) { s.Spec.Savepoint = nil }), want: []string{"spec.savepoint"}},
		{name: "snapshot: no job reference", obj: snap(func(s *flinkv1beta1.FlinkStateSnapshot) { s.Spec.JobReference = nil }),
			want: []string{"spec.jobReference"}},
		// FlinkBlueGreenDeployment.
		{name: "blue/green: valid", obj: bg(func(*flinkv1beta1.FlinkBlueGreenDeployment) {})},
		{name: "blue/green: all durations", obj: bg(func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			b.Spec.Configuration = map[string]string{validators.KeyBlueGreenAbortGracePeriod: "PT5M",
				validators.KeyBlueGreenRescheduleInterval: "15 s", validators.KeyBlueGreenDeletionDelay: "500 ms"}
			b.Spec.Ingress = &flinkv1beta1.IngressSpec{Template: "{{name}}.example.com"}
		})},
		{name: "blue/green: bad duration", obj: bg(func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			b.Spec.Configuration[validators.KeyBlueGreenRescheduleInterval] = "soon"
		}), want: []string{"spec.configuration[kubernetes.operator.bluegreen.reconciliation.reschedule-interval]"}},
		{name: "blue/green: zero grace period", obj: bg(func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			b.Spec.Configuration[validators.KeyBlueGreenAbortGracePeriod] = "0"
		}), want: []string{"spec.configuration[kubernetes.operator.bluegreen.abort.grace-period]"}},
		{name: "blue/green: unknown key", obj: bg(func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			b.Spec.Configuration["kubernetes.operator.bluegreen.grace-period"] = "1 min"
		}), want: []string{"spec.configuration[kubernetes.operator.bluegreen.grace-period]"}},
		{name: "blue/green: template without job", obj: bg(func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Job = nil }),
			want: []string{"spec.template.spec.job"}},
		{name: "blue/green: template without service account", obj: bg(func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.ServiceAccount = "" }),
			want: []string{"spec.template.spec.serviceAccount"}},
		{name: "blue/green: template savepoint mode without dir", obj: bg(func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			withConfig(&b.Spec.Template.Spec, nil, "state.savepoints.dir")
		}), want: []string{"spec.template.spec.job.upgradeMode"}},
		{name: "blue/green: ingress without template", obj: bg(func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Ingress = &flinkv1beta1.IngressSpec{} }),
			want: []string{"spec.ingress.template"}},
		{name: "blue/green: name too long for children", obj: bg(func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Name = "b" + strings.Repeat("g", 40) }),
			want: []string{"metadata.name"}},
		{name: "blue/green: template flink 1.13", obj: bg(func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			b.Spec.Template.Spec.FlinkVersion = flinkv1beta1.FlinkVersionV1_13
		}), want: []string{"spec.template.spec.flinkVersion"}},
		{name: "blue/green: nothing", obj: func(name string) client.Object {
			obj := &flinkv1beta1.FlinkBlueGreenDeployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: tableNamespace}}
			none(obj)
			return obj
		}, want: []string{"spec.template.spec.job", "spec.template.spec.flinkVersion", "spec.template.spec.jobManager.resources.requests.memory",
			"spec.template.spec.taskManager.resources.requests.memory", "spec.template.spec.serviceAccount"}},
	}
}

// createFixtures creates the objects the table refers to: a session cluster, an application cluster and a
// session job on the session cluster. The webhooks look references up in their informer cache only, so each
// reference is created once the cache holds what it refers to, and the fixtures are returned once a snapshot of
// the session job is admitted.
func createFixtures(ctx context.Context, g Gomega, namespace string) {
	g.Expect(client.IgnoreAlreadyExists(env.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}))).To(Succeed())
	for _, obj := range []client.Object{sessionCluster("session", namespace), appCluster("app", namespace),
		sessionCluster("session2", namespace)} {
		g.Expect(client.IgnoreAlreadyExists(env.Client.Create(ctx, obj))).To(Succeed())
	}
	g.Eventually(func() error {
		return client.IgnoreAlreadyExists(env.Client.Create(ctx, sessionJob("existing-job", namespace, "session")))
	}, 10*time.Second, 20*time.Millisecond).Should(Succeed())
	g.Eventually(func() error {
		return env.Client.Create(ctx, snapshot("probe", namespace, flinkv1beta1.JobKindFlinkSessionJob, "existing-job"), client.DryRunAll)
	}, 10*time.Second, 20*time.Millisecond).Should(Succeed())
}

func TestAdmissionOnCreate(t *testing.T) {
	ctx := context.Background()
	createFixtures(ctx, NewWithT(t), tableNamespace)
	cases := admissionCases()
	NewWithT(t).Expect(len(cases)).To(BeNumerically(">=", 60))
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			obj := tc.obj(fmt.Sprintf("case-%02d", i))
			err := env.Client.Create(ctx, obj)
			if len(tc.want) == 0 {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			rejectedAt(g, err, tc.want)
		})
	}
}

// TestAdmissionOnDryRun re-runs every rejected case as a server-side dry run, as Flux does before applying:
// the rejection is the same.
func TestAdmissionOnDryRun(t *testing.T) {
	ctx := context.Background()
	createFixtures(ctx, NewWithT(t), tableNamespace)
	for i, tc := range admissionCases() {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			obj := tc.obj(fmt.Sprintf("dry-%02d", i))
			err := env.Client.Create(ctx, obj, client.DryRunAll)
			if len(tc.want) == 0 {
				g.Expect(err).NotTo(HaveOccurred())
				// A dry run stores nothing.
				g.Expect(apierrors.IsNotFound(env.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj))).To(BeTrue())
				return
			}
			rejectedAt(g, err, tc.want)
		})
	}
}
