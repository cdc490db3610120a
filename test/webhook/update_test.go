package webhook

import (
	"context"
	"fmt"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/reconciled"
	"github.com/teal-flink/teal/validators"
)

// markDeployed writes the spec as lastReconciledSpec through the status subresource, as the controller does
// after a deployment; lastSpec may differ from the object's spec (e.g. suspended).
func markDeployed[Spec any](ctx context.Context, g Gomega, obj client.Object, lastSpec Spec, status *flinkv1beta1.ReconciliationStatus) {
	record, err := reconciled.Serialize(lastSpec, false)
	g.Expect(err).NotTo(HaveOccurred())
	status.LastReconciledSpec = record
	g.Expect(env.Client.Status().Update(ctx, obj)).To(Succeed())
}

func TestAdmissionOnUpdate(t *testing.T) {
	ctx := context.Background()
	const namespace = "updates"
	createFixtures(ctx, NewWithT(t), namespace)
	deployedApp := func(ctx context.Context, g Gomega, d *flinkv1beta1.FlinkDeployment) {
		markDeployed(ctx, g, d, d.Spec, &d.Status.ReconciliationStatus)
	}
	cases := []struct {
		name string
		// create returns the object to create; deploy (optional) then records a deployment in its status.
		create func(name string) client.Object
		deploy func(ctx context.Context, g Gomega, obj client.Object)
		update func(obj client.Object)
		want   []string
	}{
		{name: "deployed application cluster made a session cluster",
			create: func(n string) client.Object { return appCluster(n, namespace) },
			deploy: func(ctx context.Context, g Gomega, o client.Object) {
				deployedApp(ctx, g, o.(*flinkv1beta1.FlinkDeployment))
			},
			update: func(o client.Object) { o.(*flinkv1beta1.FlinkDeployment).Spec.Job = nil },
			want:   []string{"spec.job"}},
		{name: "undeployed application cluster made a session cluster",
			create: func(n string) client.Object { return appCluster(n, namespace) },
			update: func(o client.Object) { o.(*flinkv1beta1.FlinkDeployment).Spec.Job = nil }},
		{name: "deployed session cluster given a job",
			create: func(n string) client.Object { return sessionCluster(n, namespace) },
			deploy: func(ctx context.Context, g Gomega, o client.Object) {
				deployedApp(ctx, g, o.(*flinkv1beta1.FlinkDeployment))
			},
			update: func(o client.Object) {
				o.(*flinkv1beta1.FlinkDeployment).Spec.Job = appCluster("x", namespace).Spec.Job
			},
			want: []string{"spec.job"}},
		{name: "deployed native cluster switched to standalone",
			create: func(n string) client.Object { return appCluster(n, namespace) },
			deploy: func(ctx context.Context, g Gomega, o client.Object) {
				deployedApp(ctx, g, o.(*flinkv1beta1.FlinkDeployment))
			},
			update: func(o client.Object) {
				o.(*flinkv1beta1.FlinkDeployment).Spec.Mode = flinkv1beta1.DeploymentModeStandalone
			},
			want: []string{"spec.mode"}},
		{name: "flinkVersion changed after last-state suspend",
			create: func(n string) client.Object {
				d := appCluster(n, namespace)
				d.Spec.FlinkVersion, d.Spec.Job.UpgradeMode = flinkv1beta1.FlinkVersionV1_19, flinkv1beta1.UpgradeModeLastState
				d.Spec.Job.State = flinkv1beta1.JobStateSuspended
				return d
			},
			deploy: func(ctx context.Context, g Gomega, o client.Object) {
				deployedApp(ctx, g, o.(*flinkv1beta1.FlinkDeployment))
			},
			update: func(o client.Object) {
				d := o.(*flinkv1beta1.FlinkDeployment)
				d.Spec.FlinkVersion, d.Spec.Job.State = flinkv1beta1.FlinkVersionV1_20, flinkv1beta1.JobStateRunning
			},
			want: []string{"spec.flinkVersion"}},
		{name: "flinkVersion changed after last-state suspend, stateless restart",
			create: func(n string) client.Object {
				d := appCluster(n, namespace)
				d.Spec.FlinkVersion, d.Spec.Job.UpgradeMode = flinkv1beta1.FlinkVersionV1_19, flinkv1beta1.UpgradeModeLastState
				d.Spec.Job.State = flinkv1beta1.JobStateSuspended
				return d
			},
			deploy: func(ctx context.Context, g Gomega, o client.Object) {
				deployedApp(ctx, g, o.(*flinkv1beta1.FlinkDeployment))
			},
			update: func(o client.Object) {
				d := o.(*flinkv1beta1.FlinkDeployment)
				d.Spec.FlinkVersion, d.Spec.Job.UpgradeMode = flinkv1beta1.FlinkVersionV1_20, flinkv1beta1.UpgradeModeStateless
			}},
		{name: "savepoint redeploy without path",
			create: func(n string) client.Object { return appCluster(n, namespace) },
			deploy: func(ctx context.Context, g Gomega, o client.Object) {
				deployedApp(ctx, g, o.(*flinkv1beta1.FlinkDeployment))
			},
			update: func(o client.Object) {
				o.(*flinkv1beta1.FlinkDeployment).Spec.Job.SavepointRedeployNonce = ptr(int64(3))
			},
			want: []string{"spec.job.initialSavepointPath"}},
		{name: "valid object made invalid",
			create: func(n string) client.Object { return appCluster(n, namespace) },
			update: func(o client.Object) { o.(*flinkv1beta1.FlinkDeployment).Spec.Job.Parallelism = -1 },
			want:   []string{"spec.job.parallelism"}},
		{name: "deployed session job moved to another cluster",
			create: func(n string) client.Object { return sessionJob(n, namespace, "session") },
			deploy: func(ctx context.Context, g Gomega, o client.Object) {
				j := o.(*flinkv1beta1.FlinkSessionJob)
				markDeployed(ctx, g, j, j.Spec, &j.Status.ReconciliationStatus)
			},
			update: func(o client.Object) { o.(*flinkv1beta1.FlinkSessionJob).Spec.DeploymentName = "session2" },
			want:   []string{"spec.deploymentName"}},
		{name: "undeployed session job moved to another cluster",
			create: func(n string) client.Object { return sessionJob(n, namespace, "session") },
			update: func(o client.Object) { o.(*flinkv1beta1.FlinkSessionJob).Spec.DeploymentName = "session2" }},
		{name: "blue/green duration broken",
			create: func(n string) client.Object { return blueGreen(n, namespace) },
			update: func(o client.Object) {
				o.(*flinkv1beta1.FlinkBlueGreenDeployment).Spec.Configuration[validators.KeyBlueGreenDeletionDelay] = "later"
			},
			want: []string{"spec.configuration[kubernetes.operator.bluegreen.deployment-deletion.delay]"}},
		{name: "deployed blue/green changes its transition mode",
			create: func(n string) client.Object { return advancedBlueGreen(n, namespace) },
			deploy: func(ctx context.Context, g Gomega, o client.Object) {
				b := o.(*flinkv1beta1.FlinkBlueGreenDeployment)
				b.Status.LastReconciledSpec = `{"spec":{}}`
				g.Expect(env.Client.Status().Update(ctx, b)).To(Succeed())
			},
			update: func(o client.Object) {
				o.(*flinkv1beta1.FlinkBlueGreenDeployment).Spec.TransitionMode = flinkv1beta1.TransitionModeBasic
			},
			want: []string{"spec.transitionMode"}},
		{name: "undeployed blue/green changes its transition mode",
			create: func(n string) client.Object { return advancedBlueGreen(n, namespace) },
			update: func(o client.Object) { o.(*flinkv1beta1.FlinkBlueGreenDeployment).Spec.TransitionMode = "" }},
		{name: "snapshot reference broken",
			create: func(n string) client.Object {
				return snapshot(n, namespace, flinkv1beta1.JobKindFlinkDeployment, "app")
			},
			update: func(o client.Object) {
				o.(*flinkv1beta1.FlinkStateSnapshot).Spec.Checkpoint = &flinkv1beta1.CheckpointSpec{}
			},
			want: []string{"spec.checkpoint"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			obj := tc.create(fmt.Sprintf("update-%02d", i))
			g.Expect(env.Client.Create(ctx, obj)).To(Succeed())
			if tc.deploy != nil {
				tc.deploy(ctx, g, obj)
			}
			tc.update(obj)
			err := env.Client.Update(ctx, obj)
			if len(tc.want) == 0 {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			rejectedAt(g, err, tc.want)
			// Flux's server-side dry run of the same change is rejected the same way.
			rejectedAt(g, env.Client.Update(ctx, obj, client.DryRunAll), tc.want)
		})
	}
}

func TestDefaultingFillsOnlyAbsentFields(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	const namespace = "defaults"
	createFixtures(ctx, g, namespace)
	job := sessionJob("labelled", namespace, "session")
	g.Expect(env.Client.Create(ctx, job)).To(Succeed())
	g.Expect(job.Labels).To(HaveKeyWithValue(flinkv1beta1.LabelTargetSession, "session"))

	mine := sessionJob("own-label", namespace, "session")
	mine.Labels = map[string]string{flinkv1beta1.LabelTargetSession: "kept-as-written"}
	g.Expect(env.Client.Create(ctx, mine)).To(Succeed())
	g.Expect(mine.Labels).To(HaveKeyWithValue(flinkv1beta1.LabelTargetSession, "kept-as-written"))

	deployment := appCluster("untouched", namespace)
	want := deployment.Spec.DeepCopy()
	g.Expect(env.Client.Create(ctx, deployment)).To(Succeed())
	g.Expect(deployment.Spec).To(Equal(*want))
}
