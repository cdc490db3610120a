package tenant

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
	"github.com/teal-flink/teal/test/stack"
)

var teal *stack.Stack

func TestMain(m *testing.M) {
	stack.Main(m, stack.Options{Name: "tenant", Webhooks: true}, func(s *stack.Stack) error {
		teal = s
		return nil
	})
}

// tenantClient creates a ServiceAccount allowed everything on flink.apache.org in namespace only, and returns a
// client impersonating it through the API server (RBAC decides, as in a real cluster).
func tenantClient(g Gomega, namespace string) client.Client {
	ctx := context.Background()
	admin := teal.Env.Client
	g.Expect(admin.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "tenant", Namespace: namespace}})).To(Succeed())
	g.Expect(admin.Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "flink-editor", Namespace: namespace},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{flinkv1beta1.GroupVersion.Group}, Resources: []string{"*"}, Verbs: []string{"*"}}}})).To(Succeed())
	g.Expect(admin.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "tenant-flink-editor", Namespace: namespace},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "flink-editor"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "tenant", Namespace: namespace}}})).To(Succeed())
	config := rest.CopyConfig(teal.Env.Config)
	config.Impersonate = rest.ImpersonationConfig{
		UserName: "system:serviceaccount:" + namespace + ":tenant",
		Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"},
	}
	tenant, err := client.New(config, client.Options{Scheme: teal.Env.Scheme})
	g.Expect(err).NotTo(HaveOccurred())
	return tenant
}

// victimState is what the attack must not change: the victim's job, its state and its savepoints.
type victimState struct {
	jobIDs        []string
	state         string
	lastSavepoint any
}

func observeVictim(g Gomega, server *flinkstandin.Server, jobID string) victimState {
	state, found := server.JobState(jobID)
	g.Expect(found).To(BeTrue())
	response, err := http.Get(server.URL() + "/jobs/" + jobID + "/checkpoints")
	g.Expect(err).NotTo(HaveOccurred())
	defer response.Body.Close()
	var statistics struct {
		Latest struct {
			Savepoint any `json:"savepoint"`
		} `json:"latest"`
	}
	g.Expect(json.NewDecoder(response.Body).Decode(&statistics)).To(Succeed())
	return victimState{jobIDs: server.JobIDs(), state: state, lastSavepoint: statistics.Latest.Savepoint}
}

// TestTenantCannotReachAnotherNamespacesJob: whatever operator keys a tenant writes into its own
// FlinkDeployment, Teal never lists, savepoints, stops or cancels the victim's job in another namespace.
// Before the fix, kubernetes.operator.rest.url-template in the tenant's spec.flinkConfiguration pointed the
// operator at the victim's JobManager.
func TestTenantCannotReachAnotherNamespacesJob(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	victim := teal.NewDeployment(g, "victim")
	victimServer := teal.Standin(g, victim.Namespace, victim.Name)
	victimJobID := victim.Status.JobStatus.JobID
	g.Expect(victimJobID).NotTo(BeEmpty())
	before := observeVictim(g, victimServer, victimJobID)
	g.Expect(before.state).To(Equal("RUNNING"))
	g.Expect(before.lastSavepoint).To(BeNil())

	tenantNamespace := teal.NewNamespace(g, "tenant")
	tenant := tenantClient(g, tenantNamespace)
	g.Expect(apierrors.IsForbidden(tenant.Get(ctx, client.ObjectKeyFromObject(victim), &flinkv1beta1.FlinkDeployment{}))).
		To(BeTrue(), "RBAC confines the tenant to its namespace")

	victimURL := strings.NewReplacer("{{.Namespace}}", victim.Namespace, "{{.Name}}", victim.Name).
		Replace(teal.OperatorConfig().String("kubernetes.operator.rest.url-template"))
	attacks := map[string]string{
		"kubernetes.operator.rest.url-template":                                                             victimURL,
		"kubernetes.operator.flink.client.timeout":                                                          "10 h",
		"kubernetes.operator.flink.client.cancel.timeout":                                                   "10 h",
		"kubernetes.operator.watched.namespaces":                                                            victim.Namespace,
		"kubernetes.operator.default-configuration.namespace." + victim.Namespace + ".state.savepoints.dir": "file:///tmp/stolen",
	}
	state := teal.StateConfig(tenantNamespace)
	t.Run("the webhook rejects every operator-wide key at its field path", func(t *testing.T) {
		for key, value := range attacks {
			g := NewWithT(t)
			attack := builders.NewFlinkDeployment("attack", builders.InNamespace(tenantNamespace),
				builders.WithConfig(append(append([]string{}, state...), key, value)...))
			err := tenant.Create(ctx, attack)
			g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%s: %v", key, err)
			g.Expect(err.Error()).To(ContainSubstring("spec.flinkConfiguration[" + key + "]"))
			g.Expect(err.Error()).To(ContainSubstring("operator-wide"))
		}
		// rest.port is a Flink key, but it is part of the address the operator calls.
		g := NewWithT(t)
		attack := builders.NewFlinkDeployment("attack", builders.InNamespace(tenantNamespace),
			builders.WithConfig(append(append([]string{}, state...), "rest.port", "80@"+victim.Name+"-rest."+victim.Namespace+".svc:8081/")...))
		err := tenant.Create(ctx, attack)
		g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%v", err)
		g.Expect(err.Error()).To(ContainSubstring("spec.flinkConfiguration[rest.port]"))
	})

	// The tenant's own job, upgraded with a savepoint on every spec change: the operation an attacker wants
	// aimed at the victim.
	own := builders.NewFlinkDeployment("own", builders.InNamespace(tenantNamespace), builders.WithConfig(state...),
		builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	g.Expect(tenant.Create(ctx, own)).To(Succeed())
	waitCurrent(g, own)

	t.Run("with the webhook out of the way the controller refuses the keys", func(t *testing.T) {
		g := NewWithT(t)
		// An outage with failurePolicy Ignore, or a resource admitted before the upgrade: the keys reach etcd.
		webhook := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		g.Expect(teal.Env.Client.Get(ctx, client.ObjectKey{Name: "validating-webhook-configuration"}, webhook)).To(Succeed())
		g.Expect(teal.Env.Client.Delete(ctx, webhook)).To(Succeed())
		defer func() {
			webhook.ResourceVersion = ""
			g.Expect(teal.Env.Client.Create(ctx, webhook)).To(Succeed())
		}()
		g.Eventually(func(g Gomega) {
			current := stack.Fetch(g, tenant, own)
			flat, err := current.Spec.FlinkConfiguration.Flatten()
			g.Expect(err).NotTo(HaveOccurred())
			for key, value := range attacks {
				flat[key] = value
			}
			current.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(flat)
			current.Spec.Job.Parallelism++ // a spec change: a savepoint upgrade of "its" job
			g.Expect(tenant.Update(ctx, current)).To(Succeed())
		}, stack.Timeout, stack.Interval).Should(Succeed())
		// The controller saw the new generation (observedGeneration moved) and refused it, naming every key;
		// the tenant's own job keeps running as it was.
		g.Eventually(func(g Gomega) {
			current := stack.Fetch(g, teal.Env.Client, own)
			g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
			g.Expect(stack.KStatus(g, current)).To(Equal(status.FailedStatus))
			stalled := meta.FindStatusCondition(current.Status.Conditions, "Stalled")
			g.Expect(stalled).NotTo(BeNil())
			for key := range attacks {
				g.Expect(stalled.Message).To(ContainSubstring("spec.flinkConfiguration[" + key + "]"))
			}
		}, stack.Timeout, stack.Interval).Should(Succeed())
	})

	after := observeVictim(g, victimServer, victimJobID)
	g.Expect(after).To(Equal(before), "the victim's job: same id, still RUNNING, no savepoint")
	current := stack.Fetch(g, teal.Env.Client, victim)
	g.Expect(current.Status.JobStatus.JobID).To(Equal(victimJobID))
	g.Expect(string(current.Status.JobStatus.State)).To(Equal("RUNNING"))
}

// waitCurrent waits until the deployment's latest generation is rolled out (kstatus Current).
func waitCurrent(g Gomega, deployment *flinkv1beta1.FlinkDeployment) *flinkv1beta1.FlinkDeployment {
	g.Eventually(func(g Gomega) {
		current := stack.Fetch(g, teal.Env.Client, deployment)
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		g.Expect(stack.KStatus(g, current)).To(Equal(status.CurrentStatus), "conditions: %+v", current.Status.Conditions)
	}, stack.Timeout, stack.Interval).Should(Succeed())
	return stack.Fetch(g, teal.Env.Client, deployment)
}
