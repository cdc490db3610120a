package validators_test

import (
	"net/netip"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
)

// TestTenantCannotSetOperatorWideKeys: a resource naming an operator-wide key in spec.flinkConfiguration is
// rejected with the key's field path (before the fix, ForResource applied it and a tenant could point the
// operator at another namespace's JobManager).
func TestTenantCannotSetOperatorWideKeys(t *testing.T) {
	cases := []struct{ key, value string }{
		{"kubernetes.operator.rest.url-template", "http://victim-rest.b.svc:8081"},
		{"kubernetes.operator.flink.client.timeout", "1 h"},
		{"kubernetes.operator.flink.client.cancel.timeout", "1 h"},
		{"kubernetes.operator.watched.namespaces", "b"},
		{"kubernetes.operator.user.artifacts.allowed-schemes", "file"},
		{"kubernetes.operator.user.artifacts.disallow-restricted-hosts", "false"},
		{"kubernetes.operator.default-configuration.namespace.b.state.savepoints.dir", "file:///tenant"},
		{"kubernetes.operator.plugins.listeners.audit.class", "org.example.Listener"},
	}
	for _, tc := range cases {
		t.Run(tc.key, func(t *testing.T) {
			g := NewWithT(t)
			deployment := applicationCluster()
			withConfig(deployment, func(c map[string]string) { c[tc.key] = tc.value })
			errs := validators.ValidateFlinkDeployment(deployment, nil, validators.Options{})
			g.Expect(fieldPaths(errs)).To(ConsistOf("spec.flinkConfiguration[" + tc.key + "]"))

			job := sessionJob()
			job.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{tc.key: tc.value})
			errs = validators.ValidateFlinkSessionJob(job, nil, sessionCluster(), validators.Options{
				Resolver: validators.StaticResolver{"repo.example.com": {netip.MustParseAddr("93.184.216.34")}}})
			g.Expect(fieldPaths(errs)).To(ConsistOf("spec.flinkConfiguration[" + tc.key + "]"))
		})
	}
}

// TestRestPortCannotMoveTheHost: rest.port is part of the address the operator calls; a value like
// "80@victim-rest.b.svc:8081" would turn the tenant's own host into userinfo and reach the victim.
func TestRestPortCannotMoveTheHost(t *testing.T) {
	g := NewWithT(t)
	deployment := applicationCluster()
	withConfig(deployment, func(c map[string]string) { c["rest.port"] = "80@victim-rest.b.svc:8081/" })
	g.Expect(fieldPaths(validators.ValidateFlinkDeployment(deployment, nil, validators.Options{}))).To(ConsistOf("spec.flinkConfiguration[rest.port]"))
	withConfig(deployment, func(c map[string]string) { c["rest.port"] = "8081" })
	g.Expect(validators.ValidateFlinkDeployment(deployment, nil, validators.Options{})).To(BeEmpty())
}

func TestPerResourceKeysStayAllowed(t *testing.T) {
	g := NewWithT(t)
	deployment := applicationCluster()
	withConfig(deployment, func(c map[string]string) {
		c["kubernetes.operator.job.savepoint-on-deletion"] = "true"
		c["kubernetes.operator.user.artifacts.http.header"] = "Authorization:Bearer x"
	})
	g.Expect(validators.ValidateFlinkDeployment(deployment, nil, validators.Options{})).To(BeEmpty())
	g.Expect(validators.FlinkDeploymentWarnings(deployment)).To(BeEmpty())
}

// TestKeysWithoutEffectWarnAtAdmission: keys Teal accepts but does not act on come back as admission warnings
// naming them.
func TestKeysWithoutEffectWarnAtAdmission(t *testing.T) {
	g := NewWithT(t)
	deployment := applicationCluster()
	withConfig(deployment, func(c map[string]string) {
		c["job.autoscaler.enabled"] = "true"
		c["kubernetes.operator.job.upgrade.ignore-pending-savepoint"] = "true"
		c["kubernetes.operator.checkpoint.type"] = "INCREMENTAL"
		c["kubernetes.operator.savepoint.histroy.max.count"] = "3"
	})
	deployment.Spec.Job.AutoscalerResetNonce = ptr(int64(1))
	warnings := strings.Join(validators.FlinkDeploymentWarnings(deployment), "\n")
	g.Expect(warnings).To(ContainSubstring("spec.flinkConfiguration[job.autoscaler.enabled]: is accepted for compatibility but has no effect in Teal: Teal has no autoscaler yet"))
	g.Expect(warnings).To(ContainSubstring("spec.flinkConfiguration[kubernetes.operator.job.upgrade.ignore-pending-savepoint]"))
	g.Expect(warnings).To(ContainSubstring("spec.flinkConfiguration[kubernetes.operator.checkpoint.type]"))
	g.Expect(warnings).To(ContainSubstring("spec.flinkConfiguration[kubernetes.operator.savepoint.histroy.max.count]: is not an operator option Teal knows"))
	g.Expect(warnings).To(ContainSubstring("spec.job.autoscalerResetNonce has no effect"))
}

// TestJarHostIsResolvedOnlyWhenJarURIChanges: the restricted-host check resolves the jar's host when jarURI is
// set or changed, not on every reconcile of an unchanged job (before the fix a DNS failure on any reconcile
// marked a running job Stalled).
func TestJarHostIsResolvedOnlyWhenJarURIChanges(t *testing.T) {
	g := NewWithT(t)
	dnsDown := validators.Options{Resolver: validators.StaticResolver{}}
	old := sessionJob()
	unchanged := sessionJob()
	unchanged.Spec.Job.Parallelism = 2
	g.Expect(validators.ValidateFlinkSessionJob(unchanged, old, sessionCluster(), dnsDown)).To(BeEmpty())

	changed := sessionJob()
	changed.Spec.Job.JarURI = "https://repo.example.com/other.jar"
	g.Expect(fieldPaths(validators.ValidateFlinkSessionJob(changed, old, sessionCluster(), dnsDown))).To(ConsistOf("spec.job.jarURI"))
	g.Expect(fieldPaths(validators.ValidateFlinkSessionJob(sessionJob(), nil, sessionCluster(), dnsDown))).To(ConsistOf("spec.job.jarURI"), "create resolves")
}
