package chart_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/teal-flink/teal/test/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	testenv.Main(m, &env, testenv.Options{ExtraCRDs: []string{filepath.Join(testenv.RepoRoot(), "test", "chart", "testdata", "crds")}})
}

const releaseNamespace = "teal-system"

// variant is one way a platform team installs the chart.
type variant struct {
	name string
	// set are --set arguments.
	set []string
	// namespaces must exist before the dry-run (the release namespace and the watched ones).
	namespaces []string
}

var variants = []variant{
	{name: "default", namespaces: []string{releaseNamespace}},
	{name: "namespace-scoped", set: []string{"watchNamespaces={flink-a,flink-b}"}, namespaces: []string{releaseNamespace, "flink-a", "flink-b"}},
	{name: "cert-manager", set: []string{"webhook.certificates.mode=cert-manager"}, namespaces: []string{releaseNamespace}},
	{name: "built-in-cert", set: []string{"webhook.certificates.mode=builtin", "webhook.certificates.builtin.certValidity=720h"}, namespaces: []string{releaseNamespace}},
	{name: "high-availability", set: []string{"replicas=2", "metrics.serviceMonitor.enabled=true", "crds.install=false"}, namespaces: []string{releaseNamespace}},
	{name: "no-webhooks", set: []string{"webhook.enabled=false", "metrics.enabled=false"}, namespaces: []string{releaseNamespace}},
}

func chartDir() string { return filepath.Join(testenv.RepoRoot(), "charts", "teal") }

func helm(args ...string) ([]byte, error) {
	command := exec.Command(filepath.Join(testenv.AssetsDir(), "helm"), args...)
	var stderr bytes.Buffer
	command.Stderr = &stderr
	out, err := command.Output()
	if err != nil {
		return nil, fmt.Errorf("helm %s: %w\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return out, nil
}

func setArgs(set []string) []string {
	var args []string
	for _, s := range set {
		args = append(args, "--set", s)
	}
	return args
}

// render runs helm template and returns every rendered object.
func render(g Gomega, v variant) []*unstructured.Unstructured {
	out, err := helm(append([]string{"template", "teal", chartDir(), "--namespace", releaseNamespace}, setArgs(v.set)...)...)
	g.Expect(err).NotTo(HaveOccurred())
	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(out), 64*1024)
	var objects []*unstructured.Unstructured
	for {
		obj := &unstructured.Unstructured{}
		if err := decoder.Decode(&obj.Object); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			g.Expect(err).NotTo(HaveOccurred())
		}
		if len(obj.Object) > 0 {
			objects = append(objects, obj)
		}
	}
	return objects
}

func find(objects []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var found []*unstructured.Unstructured
	for _, obj := range objects {
		if obj.GetKind() == kind {
			found = append(found, obj)
		}
	}
	return found
}

// into converts a rendered object into a typed one, failing on fields the type does not know.
func into(g Gomega, obj *unstructured.Unstructured, typed any) {
	g.Expect(runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(obj.Object, typed, true)).To(Succeed(), "%s %s", obj.GetKind(), obj.GetName())
}

func TestLint(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := helm(append([]string{"lint", "--strict", chartDir()}, setArgs(v.set)...)...)
			g.Expect(err).NotTo(HaveOccurred())
		})
	}
}

// TestRenderedObjectsPassServerSideDryRun sends every object of every variant to the API server as a
// server-side apply dry-run: schema, defaulting and validation (RBAC rules, webhook configurations, cert-manager's
// CRD schemas) all run, nothing is stored.
func TestRenderedObjectsPassServerSideDryRun(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := context.Background()
			for _, namespace := range v.namespaces {
				err := env.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}})
				g.Expect(client.IgnoreAlreadyExists(err)).To(Succeed())
			}
			objects := render(g, v)
			g.Expect(objects).NotTo(BeEmpty())
			for _, obj := range objects {
				err := env.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj),
					client.DryRunAll, client.ForceOwnership, client.FieldOwner("helm"))
				g.Expect(err).NotTo(HaveOccurred(), "%s %s/%s", obj.GetKind(), obj.GetNamespace(), obj.GetName())
			}
		})
	}
}

// TestVariants checks what each variant promises.
func TestVariants(t *testing.T) {
	t.Run("default: cluster-wide RBAC, built-in certificates, hardened pod", func(t *testing.T) {
		g := NewWithT(t)
		objects := render(g, variants[0])
		g.Expect(find(objects, "CustomResourceDefinition")).To(HaveLen(4))
		g.Expect(names(find(objects, "ClusterRole"))).To(ConsistOf("teal", "teal-webhook-ca"))
		g.Expect(find(objects, "Issuer")).To(BeEmpty())
		g.Expect(find(objects, "PodDisruptionBudget")).To(BeEmpty())
		deployment := operatorDeployment(g, objects)
		container := deployment.Spec.Template.Spec.Containers[0]
		g.Expect(container.Args).To(ContainElements("--webhook-cert-mode=builtin", "--webhook-cert-secret=teal-webhook-cert",
			"--validating-webhook-configuration=teal-validating", "--mutating-webhook-configuration=teal-mutating",
			"--leader-elect=true"))
		g.Expect(*deployment.Spec.Template.Spec.SecurityContext.RunAsNonRoot).To(BeTrue())
		g.Expect(*container.SecurityContext.ReadOnlyRootFilesystem).To(BeTrue())
		g.Expect(*container.SecurityContext.AllowPrivilegeEscalation).To(BeFalse())
		g.Expect(container.SecurityContext.Capabilities.Drop).To(ConsistOf(corev1.Capability("ALL")))
		g.Expect(container.LivenessProbe.HTTPGet.Path).To(Equal("/healthz"))
		g.Expect(container.ReadinessProbe.HTTPGet.Path).To(Equal("/readyz"))
		g.Expect(container.Resources.Requests).NotTo(BeEmpty())
		// Built-in certificates: the operator may write only its own Secret and its own webhook configurations.
		webhookCA := &rbacv1.ClusterRole{}
		into(g, named(find(objects, "ClusterRole"), "teal-webhook-ca"), webhookCA)
		for _, rule := range webhookCA.Rules {
			g.Expect(rule.ResourceNames).NotTo(BeEmpty())
		}
		for _, configuration := range webhookConfigurations(g, objects) {
			g.Expect(configuration.annotations).NotTo(HaveKey("cert-manager.io/inject-ca-from"))
			for _, webhook := range configuration.webhooks {
				g.Expect(webhook.NamespaceSelector).To(BeNil())
			}
		}
	})
	t.Run("namespace-scoped: Roles per namespace, webhooks scoped, Flink service account per namespace", func(t *testing.T) {
		g := NewWithT(t)
		objects := render(g, variants[1])
		g.Expect(names(find(objects, "ClusterRole"))).To(ConsistOf("teal-webhook-ca"))
		var roleNamespaces []string
		for _, role := range find(objects, "Role") {
			if role.GetName() == "teal" {
				roleNamespaces = append(roleNamespaces, role.GetNamespace())
			}
		}
		g.Expect(roleNamespaces).To(ConsistOf("flink-a", "flink-b"))
		var flinkAccounts []string
		for _, account := range find(objects, "ServiceAccount") {
			if account.GetName() == "flink" {
				flinkAccounts = append(flinkAccounts, account.GetNamespace())
			}
		}
		g.Expect(flinkAccounts).To(ConsistOf("flink-a", "flink-b"))
		for _, configuration := range webhookConfigurations(g, objects) {
			for _, webhook := range configuration.webhooks {
				g.Expect(webhook.NamespaceSelector.MatchExpressions).To(ConsistOf(metav1.LabelSelectorRequirement{
					Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpIn, Values: []string{"flink-a", "flink-b"},
				}))
			}
		}
		g.Expect(operatorDeployment(g, objects).Spec.Template.Spec.Containers[0].Args).To(ContainElement("--watch-namespaces=flink-a,flink-b"))
	})
	t.Run("cert-manager: a valid Issuer and Certificate whose Secret the operator mounts and whose CA is injected", func(t *testing.T) {
		g := NewWithT(t)
		objects := render(g, variants[2])
		g.Expect(names(find(objects, "ClusterRole"))).To(ConsistOf("teal"))
		issuers, certificates := find(objects, "Issuer"), find(objects, "Certificate")
		g.Expect(issuers).To(HaveLen(1))
		g.Expect(certificates).To(HaveLen(1))
		issuer := &cmapi.Issuer{}
		into(g, issuers[0], issuer)
		g.Expect(issuer.Spec.SelfSigned).NotTo(BeNil())
		certificate := &cmapi.Certificate{}
		into(g, certificates[0], certificate)
		g.Expect(certificate.Spec.IssuerRef.Name).To(Equal(issuer.Name))
		g.Expect(certificate.Spec.IssuerRef.Kind).To(Equal(cmapi.IssuerKind))
		g.Expect(certificate.Spec.DNSNames).To(ContainElements("teal-webhook.teal-system.svc", "teal-webhook.teal-system.svc.cluster.local"))
		g.Expect(certificate.Spec.Usages).To(ContainElement(cmapi.UsageServerAuth))
		g.Expect(certificate.Spec.RenewBefore.Duration).To(BeNumerically("<", certificate.Spec.Duration.Duration))
		deployment := operatorDeployment(g, objects)
		g.Expect(deployment.Spec.Template.Spec.Containers[0].Args).To(ContainElements("--webhook-cert-mode=dir", "--webhook-cert-dir=/etc/teal/webhook-certs"))
		g.Expect(deployment.Spec.Template.Spec.Volumes).To(ContainElement(HaveField("VolumeSource.Secret.SecretName", certificate.Spec.SecretName)))
		for _, configuration := range webhookConfigurations(g, objects) {
			g.Expect(configuration.annotations).To(HaveKeyWithValue("cert-manager.io/inject-ca-from", "teal-system/"+certificate.Name))
		}
		// The operator does not touch Secrets or webhook configurations in this mode.
		for _, role := range find(objects, "Role") {
			g.Expect(role.Object["rules"]).NotTo(ContainElement(HaveKeyWithValue("resources", ContainElement("secrets"))))
		}
	})
	t.Run("high availability: two replicas, a PodDisruptionBudget, a ServiceMonitor", func(t *testing.T) {
		g := NewWithT(t)
		objects := render(g, variants[4])
		g.Expect(find(objects, "PodDisruptionBudget")).To(HaveLen(1))
		g.Expect(find(objects, "ServiceMonitor")).To(HaveLen(1))
		g.Expect(find(objects, "CustomResourceDefinition")).To(BeEmpty())
	})
}

// TestChartCRDsEqualGeneratedCRDs: the chart ships exactly config/crd/bases (copied by make manifests), and
// renders each with the keep policy and nothing else changed.
func TestChartCRDsEqualGeneratedCRDs(t *testing.T) {
	g := NewWithT(t)
	root := testenv.RepoRoot()
	generated, err := filepath.Glob(filepath.Join(root, "config", "crd", "bases", "*.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	shipped, err := filepath.Glob(filepath.Join(chartDir(), "files", "crds", "*.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(baseNames(shipped)).To(Equal(baseNames(generated)), "run make manifests")
	rendered := map[string]*unstructured.Unstructured{}
	for _, crd := range find(render(g, variants[0]), "CustomResourceDefinition") {
		rendered[crd.GetName()] = crd
	}
	g.Expect(rendered).To(HaveLen(len(generated)))
	for _, path := range generated {
		want, err := os.ReadFile(path)
		g.Expect(err).NotTo(HaveOccurred())
		got, err := os.ReadFile(filepath.Join(chartDir(), "files", "crds", filepath.Base(path)))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(bytes.Equal(got, want)).To(BeTrue(), "%s differs from config/crd/bases: run make manifests", filepath.Base(path))

		wantCRD := &apiextensionsv1.CustomResourceDefinition{}
		g.Expect(yaml.UnmarshalStrict(want, wantCRD)).To(Succeed())
		gotCRD := &apiextensionsv1.CustomResourceDefinition{}
		g.Expect(rendered).To(HaveKey(wantCRD.Name))
		into(g, rendered[wantCRD.Name], gotCRD)
		g.Expect(gotCRD.Annotations).To(HaveKeyWithValue("helm.sh/resource-policy", "keep"))
		delete(gotCRD.Annotations, "helm.sh/resource-policy")
		g.Expect(gotCRD).To(Equal(wantCRD), wantCRD.Name)
	}
	role, err := os.ReadFile(filepath.Join(root, "config", "rbac", "role.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	chartRole, err := os.ReadFile(filepath.Join(chartDir(), "files", "operator-role.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(chartRole)).To(Equal(string(role)), "charts/teal/files/operator-role.yaml differs from config/rbac/role.yaml: run make manifests")
}

// TestChartWebhooksMatchGeneratedWebhooks: the chart's webhooks are those controller-gen generates from the
// webhooks' markers (names, paths, rules, failure policy, side effects).
func TestChartWebhooksMatchGeneratedWebhooks(t *testing.T) {
	g := NewWithT(t)
	raw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "webhook", "manifests.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	type webhookSummary struct {
		Kind, Name, Path, FailurePolicy, SideEffects string
		Rules                                        []admissionregistrationv1.RuleWithOperations
	}
	summarize := func(configurations []webhookConfiguration) []webhookSummary {
		var summaries []webhookSummary
		for _, configuration := range configurations {
			for _, webhook := range configuration.webhooks {
				summaries = append(summaries, webhookSummary{
					Kind: configuration.kind, Name: webhook.Name, Path: *webhook.ClientConfig.Service.Path,
					FailurePolicy: string(*webhook.FailurePolicy), SideEffects: string(*webhook.SideEffects), Rules: webhook.Rules,
				})
			}
		}
		slices.SortFunc(summaries, func(a, b webhookSummary) int { return strings.Compare(a.Name, b.Name) })
		return summaries
	}
	var generated []*unstructured.Unstructured
	for _, doc := range strings.Split(string(raw), "\n---\n") {
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &obj.Object); err == nil && len(obj.Object) > 0 {
			generated = append(generated, obj)
		}
	}
	want := summarize(webhookConfigurations(g, generated))
	g.Expect(want).NotTo(BeEmpty())
	got := summarize(webhookConfigurations(g, render(g, variants[0])))
	g.Expect(got).To(Equal(want))
}

type webhookConfiguration struct {
	kind        string
	annotations map[string]string
	webhooks    []admissionregistrationv1.ValidatingWebhook
}

// webhookConfigurations reads both kinds of webhook configuration as validating webhooks (the fields compared
// here are common to both).
func webhookConfigurations(g Gomega, objects []*unstructured.Unstructured) []webhookConfiguration {
	var configurations []webhookConfiguration
	for _, obj := range objects {
		switch obj.GetKind() {
		case "MutatingWebhookConfiguration":
			typed := &admissionregistrationv1.MutatingWebhookConfiguration{}
			into(g, obj, typed)
			configuration := webhookConfiguration{kind: obj.GetKind(), annotations: obj.GetAnnotations()}
			for _, webhook := range typed.Webhooks {
				configuration.webhooks = append(configuration.webhooks, admissionregistrationv1.ValidatingWebhook{
					Name: webhook.Name, ClientConfig: webhook.ClientConfig, Rules: webhook.Rules, FailurePolicy: webhook.FailurePolicy,
					SideEffects: webhook.SideEffects, NamespaceSelector: webhook.NamespaceSelector, ObjectSelector: webhook.ObjectSelector,
				})
			}
			configurations = append(configurations, configuration)
		case "ValidatingWebhookConfiguration":
			typed := &admissionregistrationv1.ValidatingWebhookConfiguration{}
			into(g, obj, typed)
			configurations = append(configurations, webhookConfiguration{kind: obj.GetKind(), annotations: obj.GetAnnotations(), webhooks: typed.Webhooks})
		}
	}
	g.Expect(configurations).To(HaveLen(2))
	return configurations
}

func operatorDeployment(g Gomega, objects []*unstructured.Unstructured) *appsv1.Deployment {
	deployments := find(objects, "Deployment")
	g.Expect(deployments).To(HaveLen(1))
	deployment := &appsv1.Deployment{}
	into(g, deployments[0], deployment)
	return deployment
}

func names(objects []*unstructured.Unstructured) []string {
	var result []string
	for _, obj := range objects {
		result = append(result, obj.GetName())
	}
	return result
}

func named(objects []*unstructured.Unstructured, name string) *unstructured.Unstructured {
	for _, obj := range objects {
		if obj.GetName() == name {
			return obj
		}
	}
	return &unstructured.Unstructured{Object: map[string]any{}}
}

func baseNames(paths []string) []string {
	var result []string
	for _, path := range paths {
		result = append(result, filepath.Base(path))
	}
	slices.Sort(result)
	return result
}

// TestReadmeCarriesArgoCDHealthChecks: the chart README's Argo CD snippet is config/argocd/argocd-cm.yaml.
func TestReadmeCarriesArgoCDHealthChecks(t *testing.T) {
	g := NewWithT(t)
	readme, err := os.ReadFile(filepath.Join(chartDir(), "README.md"))
	g.Expect(err).NotTo(HaveOccurred())
	health, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "argocd", "argocd-cm.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(readme)).To(ContainSubstring("```yaml\n" + string(health) + "```\n"))
}
