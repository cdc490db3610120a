package flinkdeployment_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/resources"
)

// TestDeletionRemovesHAConfigMapsOnlyOnceThePodsAreGone: on real pods, <name>-cluster-config-map outlived the
// deletion of an HA deployment, because the HA ConfigMaps were deleted while the JobManager was still
// terminating and renewed its leadership. The finalizer holds until no pod of the cluster is left; then the HA
// ConfigMaps go with the rest.
func TestDeletionRemovesHAConfigMapsOnlyOnceThePodsAreGone(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "delete-ha-pods")
	// A JobManager pod still terminating (no kubelet here: it stays until the test deletes it).
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: deployment.Namespace, Name: deployment.Name + "-terminating",
		Labels: resources.Selector(deployment.Name, resources.ComponentJobManager, resources.TypeNative)},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: resources.MainContainerName, Image: "flink:1.20"}}}}
	g.Expect(env.Client.Create(ctx, pod)).To(Succeed())
	leader := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: deployment.Namespace, Name: deployment.Name + "-cluster-config-map",
		Labels: map[string]string{"app": deployment.Name, "configmap-type": "high-availability"}}}
	g.Expect(env.Client.Create(ctx, leader)).To(Succeed())

	g.Expect(env.Client.Delete(ctx, deployment)).To(Succeed())
	// The controller acted on the deletion: the JobManager Deployment is gone.
	g.Eventually(func() bool {
		err := env.Client.Get(ctx, client.ObjectKey{Namespace: deployment.Namespace, Name: resources.JobManagerName(deployment.Name)}, &appsv1.Deployment{})
		return apierrors.IsNotFound(err)
	}, timeout, interval).Should(BeTrue())
	current := &flinkv1beta1.FlinkDeployment{}
	g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(deployment), current)).To(Succeed(), "the finalizer holds while a pod is left")
	g.Expect(current.DeletionTimestamp).NotTo(BeNil())
	g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(leader), &corev1.ConfigMap{})).To(Succeed(),
		"the HA ConfigMaps stay while the JobManager may still write them")

	g.Expect(env.Client.Delete(ctx, pod)).To(Succeed())
	g.Eventually(func() bool {
		return apierrors.IsNotFound(env.Client.Get(ctx, client.ObjectKeyFromObject(deployment), &flinkv1beta1.FlinkDeployment{}))
	}, timeout, interval).Should(BeTrue())
	g.Expect(apierrors.IsNotFound(env.Client.Get(ctx, client.ObjectKeyFromObject(leader), &corev1.ConfigMap{}))).To(BeTrue(), "the HA ConfigMap is gone")
}

// TestDeletionRemovesFlink2HAConfigMaps: Flink 2.x labels its HA ConfigMaps only app=<cluster id> and
// type=flink-native-kubernetes (no configmap-type, seen on real 2.3.0 pods), and a deletion that looked for
// configmap-type left them behind. They are known by Flink's names; a user's ConfigMap with the same app label
// stays.
func TestDeletionRemovesFlink2HAConfigMaps(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "delete-ha-flink2")
	flink2Labels := map[string]string{"app": deployment.Name, "type": resources.TypeNative}
	var haConfigMaps []*corev1.ConfigMap
	for _, name := range []string{deployment.Name + "-cluster-config-map", deployment.Name + "-43fc63d7d9d449a7ab69da1bd3d1e89d-config-map"} {
		configMap := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: deployment.Namespace, Name: name, Labels: flink2Labels}}
		g.Expect(env.Client.Create(ctx, configMap)).To(Succeed())
		haConfigMaps = append(haConfigMaps, configMap)
	}
	users := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: deployment.Namespace, Name: deployment.Name + "-settings",
		Labels: map[string]string{"app": deployment.Name}}}
	g.Expect(env.Client.Create(ctx, users)).To(Succeed())

	g.Expect(env.Client.Delete(ctx, deployment)).To(Succeed())
	g.Eventually(func() bool {
		return apierrors.IsNotFound(env.Client.Get(ctx, client.ObjectKeyFromObject(deployment), &flinkv1beta1.FlinkDeployment{}))
	}, timeout, interval).Should(BeTrue())
	for _, configMap := range haConfigMaps {
		err := env.Client.Get(ctx, client.ObjectKeyFromObject(configMap), &corev1.ConfigMap{})
		g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "HA ConfigMap %s is gone", configMap.Name)
	}
	g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(users), &corev1.ConfigMap{})).To(Succeed(), "the user's ConfigMap stays")
}
