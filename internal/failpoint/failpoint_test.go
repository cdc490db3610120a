package failpoint

import (
	"testing"

	. "github.com/onsi/gomega"
)

func TestParse(t *testing.T) {
	cases := []struct {
		name, value string
		want        Point
		wantErr     string
	}{
		{name: "an intent step", value: "FlinkDeployment/ns/app@StopWithSavepoint/intent",
			want: Point{Kind: KindFlinkDeployment, Namespace: "ns", Name: "app", Step: "StopWithSavepoint/intent"}},
		{name: "a step with spaces and parentheses", value: "FlinkBlueGreenDeployment/ns/bg@Intent SAVEPOINTING_BLUE",
			want: Point{Kind: KindFlinkBlueGreenDeployment, Namespace: "ns", Name: "bg", Step: "Intent SAVEPOINTING_BLUE"}},
		{name: "a step with @", value: "FlinkStateSnapshot/ns/sp@Trigger@2",
			want: Point{Kind: KindFlinkStateSnapshot, Namespace: "ns", Name: "sp", Step: "Trigger@2"}},
		{name: "a session job", value: "FlinkSessionJob/ns/job@Submit",
			want: Point{Kind: KindFlinkSessionJob, Namespace: "ns", Name: "job", Step: "Submit"}},
		{name: "no step", value: "FlinkDeployment/ns/app", wantErr: "no @<step>"},
		{name: "an empty step", value: "FlinkDeployment/ns/app@ ", wantErr: "the step must not be empty"},
		{name: "no namespace", value: "FlinkDeployment/app@Deploy", wantErr: "is not <Kind>/<namespace>/<name>"},
		{name: "an empty name", value: "FlinkDeployment/ns/@Deploy", wantErr: "must not be empty"},
		{name: "an unknown kind", value: "Deployment/ns/app@Deploy", wantErr: `kind "Deployment" is not one of`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			point, err := Parse(tc.value)
			if tc.wantErr != "" {
				g.Expect(err).To(MatchError(ContainSubstring(tc.wantErr)))
				g.Expect(err).To(MatchError(ContainSubstring(EnvVar)))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(point).To(Equal(tc.want))
			g.Expect(point.String()).To(Equal(tc.value), "String writes what Parse reads")
		})
	}
}

func TestMatches(t *testing.T) {
	point := Point{Kind: KindFlinkDeployment, Namespace: "ns", Name: "app", Step: "DeleteCluster/intent"}
	cases := []struct {
		name                        string
		kind, namespace, objectName string
		step                        string
		want                        bool
	}{
		{"the point", KindFlinkDeployment, "ns", "app", "DeleteCluster/intent", true},
		{"the step after the intent", KindFlinkDeployment, "ns", "app", "DeleteCluster", false},
		{"another kind of the same name", KindFlinkSessionJob, "ns", "app", "DeleteCluster/intent", false},
		{"another namespace", KindFlinkDeployment, "other", "app", "DeleteCluster/intent", false},
		{"another object", KindFlinkDeployment, "ns", "app-green", "DeleteCluster/intent", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			NewWithT(t).Expect(point.Matches(tc.kind, tc.namespace, tc.objectName, tc.step)).To(Equal(tc.want))
		})
	}
}

func TestFromEnv(t *testing.T) {
	g := NewWithT(t)
	env := map[string]string{}
	getenv := func(key string) string { return env[key] }
	point, err := FromEnv(getenv)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(point).To(BeNil(), "unset: no crash point")

	env[EnvVar] = "FlinkSessionJob/ns/job@AwaitSavepoint"
	point, err = FromEnv(getenv)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*point).To(Equal(Point{Kind: KindFlinkSessionJob, Namespace: "ns", Name: "job", Step: "AwaitSavepoint"}))
	g.Expect(Reached(*point)).To(Equal("crash point reached: FlinkSessionJob/ns/job@AwaitSavepoint"))

	env[EnvVar] = "garbage"
	_, err = FromEnv(getenv)
	g.Expect(err).To(HaveOccurred())
}
