package chart_test

import (
	"regexp"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
)

// notes renders the chart's NOTES.txt as `helm install` prints it (a client-side dry run against the test
// control plane, which supplies the Kubernetes version; the CRDs are left out because the control plane already
// has them, unowned by Helm).
func notes(t *testing.T, g Gomega, set []string) string {
	kubeconfig, err := env.Kubeconfig(t.TempDir())
	g.Expect(err).NotTo(HaveOccurred())
	out, err := helm(append([]string{"install", "teal", chartDir(), "--namespace", releaseNamespace, "--dry-run=client",
		"--kubeconfig", kubeconfig, "--set", "crds.install=false"}, setArgs(set)...)...)
	g.Expect(err).NotTo(HaveOccurred())
	_, text, found := strings.Cut(string(out), "\nNOTES:\n")
	g.Expect(found).To(BeTrue(), "helm printed no NOTES")
	return text
}

// TestNotesApplyTheSampleWhereTheFlinkServiceAccountIs: the NOTES' commands apply the sample FlinkDeployment
// (spec.serviceAccount: flink) into a namespace where the chart created the "flink" service account. Before,
// they applied it into kubectl's current namespace, where a cluster-wide install has no such account, so the
// JobManager pod was never created.
func TestNotesApplyTheSampleWhereTheFlinkServiceAccountIs(t *testing.T) {
	apply := regexp.MustCompile(`kubectl -n (\S+) apply -f \S+/config/samples/flinkdeployment-application\.yaml`)
	cases := []struct {
		name string
		set  []string
	}{
		{name: "every namespace"},
		{name: "watched namespaces", set: []string{"watchNamespaces={flink-a,flink-b}"}},
		{name: "renamed account", set: []string{"jobServiceAccount.name=flink-jobs"}},
		{name: "no account from the chart", set: []string{"jobServiceAccount.create=false"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			text := notes(t, g, tc.set)
			match := apply.FindStringSubmatch(text)
			g.Expect(match).NotTo(BeNil(), "NOTES apply the sample into a named namespace:\n%s", text)
			namespace := match[1]
			g.Expect(text).To(ContainSubstring("kubectl -n " + namespace + " wait --for=condition=Ready flinkdeployment/topspeed"))

			accounts := map[string]bool{} // namespace → the chart creates the job service account there
			for _, obj := range find(render(g, variant{set: tc.set}), "ServiceAccount") {
				if obj.GetName() == jobServiceAccountName(tc.set) {
					accounts[obj.GetNamespace()] = true
				}
			}
			if len(accounts) == 0 {
				g.Expect(text).To(ContainSubstring(`create
   "flink" and its role`), "without a chart-made account, NOTES say to create it first")
				return
			}
			g.Expect(accounts).To(HaveKey(namespace), "NOTES send the sample where the chart made the account:\n%s", text)
			g.Expect(text).To(ContainSubstring(`service account "` + jobServiceAccountName(tc.set) + `"`))
		})
	}
}

func jobServiceAccountName(set []string) string {
	for _, s := range set {
		if name, found := strings.CutPrefix(s, "jobServiceAccount.name="); found {
			return name
		}
	}
	return "flink"
}
