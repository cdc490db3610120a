package validators_test

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/reconciled"
	"github.com/teal-flink/teal/validators"
)

func TestValidateFlinkSessionJob(t *testing.T) {
	cases := []struct {
		name    string
		job     func(*flinkv1beta1.FlinkSessionJob)
		session func(*flinkv1beta1.FlinkDeployment)
		// noSession validates without a session cluster (it does not exist).
		noSession bool
		opts      func(*validators.Options)
		want      []string
		message   string
	}{
		{name: "job on session cluster"},
		{name: "missing session cluster", noSession: true, want: []string{"spec.deploymentName"}, message: "create the session cluster first"},
		{name: "missing session cluster allowed", noSession: true, opts: func(o *validators.Options) { o.AllowMissingSessionCluster = true }},
		{name: "application cluster target", session: func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Job = &flinkv1beta1.JobSpec{Parallelism: 1}
		}, want: []string{"spec.deploymentName"}, message: "application cluster"},
		{name: "cluster id mismatch", session: func(d *flinkv1beta1.FlinkDeployment) { d.Name = "other" },
			want: []string{"spec.deploymentName"}},
		{name: "bad deploymentName", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.DeploymentName = "Not_Valid" }, noSession: true,
			opts: func(o *validators.Options) { o.AllowMissingSessionCluster = true }, want: []string{"spec.deploymentName"}},
		{name: "no deploymentName", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.DeploymentName = "" }, noSession: true,
			want: []string{"spec.deploymentName"}},
		{name: "no job", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job = nil }, want: []string{"spec.job"}},
		{name: "last-state with session config", job: func(j *flinkv1beta1.FlinkSessionJob) {
			j.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeLastState
		}},
		{name: "periodic savepoint with session savepoint dir", job: func(j *flinkv1beta1.FlinkSessionJob) {
			j.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{"kubernetes.operator.periodic.savepoint.interval": "1m"})
		}},
		{name: "savepoint mode with job-level dirs", job: func(j *flinkv1beta1.FlinkSessionJob) {
			j.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeSavepoint
			j.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{
				"state.savepoints.dir": "test-savepoint-dir", "state.checkpoints.dir": "test-checkpoint-dir"})
		}, session: func(d *flinkv1beta1.FlinkDeployment) { d.Spec.FlinkConfiguration = nil }},
		{name: "savepoint mode without any dirs", job: func(j *flinkv1beta1.FlinkSessionJob) {
			j.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeSavepoint
		}, session: func(d *flinkv1beta1.FlinkDeployment) { d.Spec.FlinkConfiguration = nil },
			want: []string{"spec.job.upgradeMode", "spec.job.upgradeMode"}},
		{name: "parallelism 0", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.Parallelism = 0 }, want: []string{"spec.job.parallelism"}},
		{name: "autoscaler out of range", job: func(j *flinkv1beta1.FlinkSessionJob) {
			j.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{
				"job.autoscaler.enabled": "true", "job.autoscaler.utilization.target": "1.5"})
		}, want: []string{"spec.flinkConfiguration[job.autoscaler.utilization.target]"}},
		{name: "deploymentName changed after deployment", job: func(j *flinkv1beta1.FlinkSessionJob) {
			record, _ := reconciled.Serialize(j.Spec, false)
			j.Status.ReconciliationStatus.LastReconciledSpec = record
			j.Spec.DeploymentName = "new-deployment-name"
		}, session: func(d *flinkv1beta1.FlinkDeployment) { d.Name = "new-deployment-name" }, want: []string{"spec.deploymentName"}},
		{name: "jarURI http is not allowed by default", job: func(j *flinkv1beta1.FlinkSessionJob) {
			j.Spec.Job.JarURI = "http://repo.example.com/job.jar"
		}, want: []string{"spec.job.jarURI"}, message: `scheme "http" is not allowed`},
		{name: "jarURI file", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "file:///etc/passwd" }, want: []string{"spec.job.jarURI"}},
		{name: "jarURI local", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "local:///tmp/sample.jar" }, want: []string{"spec.job.jarURI"}},
		{name: "jarURI s3 allowed by operator", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "S3://bucket/job.jar" },
			opts: func(o *validators.Options) { o.AllowedJarSchemes = []string{"https", "s3"} }},
		{name: "jarURI gs allowed by operator is refused while Teal cannot fetch it", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "gs://bucket/job.jar" },
			opts: func(o *validators.Options) { o.AllowedJarSchemes = []string{"https", "gs"} },
			want: []string{"spec.job.jarURI"}, message: "Teal cannot fetch it yet"},
		{name: "jarURI s3 with a private endpoint", job: func(j *flinkv1beta1.FlinkSessionJob) {
			j.Spec.Job.JarURI = "s3://bucket/job.jar"
			j.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{"s3.endpoint": "http://10.0.0.5:9000"})
		}, opts: func(o *validators.Options) { o.AllowedJarSchemes = []string{"s3"} },
			want: []string{"spec.flinkConfiguration[s3.endpoint]"}, message: "restricted address 10.0.0.5"},
		{name: "jarURI without scheme", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "/no/scheme/job.jar" },
			want: []string{"spec.job.jarURI"}, message: "must include a scheme"},
		{name: "jarURI malformed", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "ht tp://bad uri" },
			want: []string{"spec.job.jarURI"}, message: "valid URI"},
		{name: "jarURI absent", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "" }},
		{name: "jarURI metadata endpoint", job: func(j *flinkv1beta1.FlinkSessionJob) {
			j.Spec.Job.JarURI = "https://169.254.169.254/latest/meta-data/"
		}, want: []string{"spec.job.jarURI"}, message: "restricted address"},
		{name: "jarURI loopback", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "https://127.0.0.1/job.jar" }, want: []string{"spec.job.jarURI"}},
		{name: "jarURI localhost", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "https://localhost/job.jar" }, want: []string{"spec.job.jarURI"}},
		{name: "jarURI private", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "https://192.168.1.1/job.jar" }, want: []string{"spec.job.jarURI"}},
		{name: "jarURI host resolving to private", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "https://internal.corp/job.jar" }, want: []string{"spec.job.jarURI"}},
		{name: "jarURI IPv6 loopback", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "https://[::1]:8443/job.jar" }, want: []string{"spec.job.jarURI"}},
		{name: "jarURI unresolvable", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "https://nowhere.invalid/job.jar" },
			want: []string{"spec.job.jarURI"}, message: "cannot be resolved"},
		{name: "jarURI loopback with check off", job: func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.JarURI = "https://127.0.0.1/job.jar" },
			opts: func(o *validators.Options) { o.AllowRestrictedJarHosts = true }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			job, session := sessionJob(), sessionCluster()
			if tc.job != nil {
				tc.job(job)
			}
			if tc.session != nil {
				tc.session(session)
			}
			if tc.noSession {
				session = nil
			}
			opts := testOptions
			if tc.opts != nil {
				tc.opts(&opts)
			}
			errs := validators.ValidateFlinkSessionJob(job, nil, session, opts)
			g.Expect(fieldPaths(errs)).To(Equal(orEmpty(tc.want)), "errors: %v", errs)
			if tc.message != "" {
				g.Expect(errs[0].Error()).To(ContainSubstring(tc.message))
			}
		})
	}
}

func TestOptionsFromOperatorConfig(t *testing.T) {
	g := NewWithT(t)
	opts, err := validators.OptionsFromOperatorConfig(map[string]string{
		validators.KeyAllowedJarSchemes: "https;s3", validators.KeyDisallowRestrictedHosts: "false"}, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(opts.AllowedJarSchemes).To(Equal([]string{"https", "s3"}))
	g.Expect(opts.AllowRestrictedJarHosts).To(BeTrue())
	_, err = validators.OptionsFromOperatorConfig(map[string]string{validators.KeyDisallowRestrictedHosts: "maybe"}, nil)
	g.Expect(err).To(HaveOccurred())
}
