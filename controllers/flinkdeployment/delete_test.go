package flinkdeployment_test

import (
	"context"
	"os"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
	"github.com/teal-flink/teal/test/sim/localruntime"
	"github.com/teal-flink/teal/test/stack"
)

// Defect 4: with savepoint-on-deletion, a JobManager that does not answer must not mean a deletion without a
// savepoint and without a word: the deletion waits (Warning event, status.error) and takes the savepoint once
// the JobManager answers again.
func TestDeletionWaitsForTheSavepointWhenTheJobManagerIsUnreachable(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "delete-unreachable", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint),
		builders.WithConfig("kubernetes.operator.job.savepoint-on-deletion", "true"))
	server := localruntime.Server(runtime.Cluster(deployment.Namespace, deployment.Name))
	g.Expect(server).NotTo(BeNil())
	server.SetFaults(flinkstandin.Faults{RESTStatus: 503})
	g.Expect(env.Client.Delete(ctx, deployment)).To(Succeed())

	g.Eventually(func(g Gomega) {
		g.Expect(warningEvents(g, deployment, flinkv1beta1.ReasonSavepointFailed)).NotTo(BeEmpty())
		current := get(g, deployment)
		g.Expect(current.DeletionTimestamp).NotTo(BeNil())
		g.Expect(current.Status.Error).To(ContainSubstring("retrying until"))
	}, timeout, interval).Should(Succeed())
	g.Expect(runtime.Cluster(deployment.Namespace, deployment.Name)).NotTo(BeNil(), "the cluster is still there")

	server.SetFaults(flinkstandin.Faults{})
	g.Eventually(func() bool {
		return apierrors.IsNotFound(env.Client.Get(ctx, client.ObjectKeyFromObject(deployment), &flinkv1beta1.FlinkDeployment{}))
	}, timeout, interval).Should(BeTrue())
	entries, err := os.ReadDir(localPath(stateConfig(deployment.Namespace)[1]))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(entries).To(HaveLen(1), "the savepoint on deletion was taken")
}

// Defect 4: Flink's HA ConfigMaps are deleted with the cluster, so a re-created deployment of the same name does
// not silently resume the old job from them.
func TestDeletionRemovesTheHAConfigMaps(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "delete-ha")
	haLabels := map[string]string{"app": deployment.Name, "configmap-type": "high-availability"}
	leader := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: deployment.Namespace,
		Name: deployment.Name + "-cluster-config-map", Labels: haLabels}}
	g.Expect(env.Client.Create(ctx, leader)).To(Succeed())
	unrelated := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: deployment.Namespace,
		Name: "other-cluster-config-map", Labels: map[string]string{"app": "other", "configmap-type": "high-availability"}}}
	g.Expect(env.Client.Create(ctx, unrelated)).To(Succeed())

	g.Expect(env.Client.Delete(ctx, deployment)).To(Succeed())
	g.Eventually(func() bool {
		return apierrors.IsNotFound(env.Client.Get(ctx, client.ObjectKeyFromObject(deployment), &flinkv1beta1.FlinkDeployment{}))
	}, timeout, interval).Should(BeTrue())
	err := env.Client.Get(ctx, client.ObjectKeyFromObject(leader), &corev1.ConfigMap{})
	g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "the HA ConfigMap is gone")
	g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(unrelated), &corev1.ConfigMap{})).To(Succeed())
}

// A deletion with savepoint-on-deletion must not decide on a cached copy that lacks the trigger id it just
// recorded: that copy sees the job the savepoint stopped as nothing to save, deletes the cluster before the
// savepoint is recorded, and the recorded trigger can then never complete (the deletion hung until the cleanup
// timeout). The controller confirms the status through the API reader first.
func TestDeletionSavepointReadsItsOwnTrigger(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	namespace := newNamespace(g)
	deployment := builders.NewFlinkDeployment("delete-lagging", builders.InNamespace(namespace),
		builders.WithConfig(stateConfig(namespace)...), builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint),
		builders.WithConfig("kubernetes.operator.job.savepoint-on-deletion", "true"))
	lagging := stack.NewLaggingCache(func(d *flinkv1beta1.FlinkDeployment) *flinkv1beta1.JobStatus { return &d.Status.JobStatus })
	lagging.Watch(client.ObjectKeyFromObject(deployment))
	stack.RunLagging(t, stk, lagging)
	g.Expect(env.Client.Create(ctx, deployment)).To(Succeed())
	eventuallyReady(g, deployment)
	server := localruntime.Server(runtime.Cluster(namespace, deployment.Name))
	g.Expect(server).NotTo(BeNil())

	g.Expect(env.Client.Delete(ctx, deployment)).To(Succeed())
	g.Eventually(func() bool {
		return apierrors.IsNotFound(env.Client.Get(ctx, client.ObjectKeyFromObject(deployment), &flinkv1beta1.FlinkDeployment{}))
	}, timeout, interval).Should(BeTrue())
	g.Expect(lagging.ServedStale()).To(BeNumerically(">=", 1), "the cache lagged behind the recorded trigger id")
	g.Expect(server.SavepointTriggers()).To(BeEquivalentTo(1), "exactly one savepoint was started")
	entries, err := os.ReadDir(localPath(stateConfig(namespace)[1]))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(entries).To(HaveLen(1), "the savepoint on deletion was taken")
}
