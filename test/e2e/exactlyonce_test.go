package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sequence"
	"github.com/teal-flink/teal/test/testenv"
)

// The exactly-once proof of issue 17 on real Flink: the gate's test jobs (gate/testjobs, SequenceJobs) run as a
// FlinkBlueGreenDeployment; a commit moves them from blue to green while records flow; afterwards every sink
// output of both children is read back and each sequence number counted.

const (
	// sequenceJobClass is the test jobs' entry point: a deterministic, unbounded source (record n has event time
	// base + n * step) into one of the variants' sinks, writing "seq,…" lines under --output/<sink>/.
	sequenceJobClass = "io.github.tealflink.testjobs.SequenceJobs"
	// sequenceRate is the source's records per second; with the default step of 5 ms, event time advances as fast
	// as the wall clock.
	sequenceRate = 200
	// sequenceCheckpointMs is the jobs' checkpoint interval: the FileSink and the SQL filesystem sink commit on it.
	sequenceCheckpointMs = 1000
	// greenRecordsAfterTeardown is how far green's output must reach past the last record seen when blue was gone
	// before the outputs are read for the count: several checkpoints, so every transactional file up to that
	// record is committed.
	greenRecordsAfterTeardown = 3 * sequenceRate
	// gracePeriodKey and deletionDelayKey are the blue/green options that bound a transition and delay the old
	// colour's removal.
	gracePeriodKey   = "kubernetes.operator.bluegreen.abort.grace-period"
	deletionDelayKey = "kubernetes.operator.bluegreen.deployment-deletion.delay"
)

// sequenceVariant is one job of the gate's test-jobs jar.
type sequenceVariant struct {
	// name is the job's --variant.
	name string
	// sinks are the output sub-directories the job writes, one per sink.
	sinks []string
	// gateKeys are the user's gate options for ADVANCED mode (the extractor that reads each record's event time).
	gateKeys []string
}

var sequenceVariants = []sequenceVariant{
	{"single", []string{"single"}, []string{"bluegreen.gate.strategy", "WATERMARK", "bluegreen.gate.watermark.field-path", "eventTime"}},
	{"two-sinks", []string{"a", "b"}, []string{"bluegreen.gate.strategy", "WATERMARK", "bluegreen.gate.watermark.field-path", "eventTime"}},
	{"filesink", []string{"filesink"}, []string{"bluegreen.gate.strategy", "WATERMARK", "bluegreen.gate.watermark.field-path", "eventTime"}},
	{"sql", []string{"sql"}, []string{"bluegreen.gate.strategy", "WATERMARK", "bluegreen.gate.watermark.field-index", "1"}},
}

// gateLine names the Maven profile (and gate/dist sub-directory) of a Flink version's jars.
func gateLine(version flinkv1beta1.FlinkVersion) string {
	if version.IsEqualOrNewer(flinkv1beta1.FlinkVersionV2_0) {
		return "flink2"
	}
	return "flink1"
}

// testJobsJarName is the file name of the jarURI the deployments use; the local runtime maps it to the jar that
// `make gate-dist` built for that Flink line (see TestMain).
func testJobsJarName(line string) string { return "teal-bluegreen-testjobs-" + line + ".jar" }

// gateDistJar is a jar of `make gate-dist` on this machine.
func gateDistJar(line, name string) string {
	return filepath.Join(testenv.RepoRoot(), "gate", "dist", line, name)
}

// requireGateJars fails (never skips) when the jars of the test jobs were not built: make e2e builds them.
func requireGateJars(t *testing.T, line string) {
	t.Helper()
	for _, name := range []string{"teal-bluegreen-testjobs.jar", "teal-bluegreen-gate.jar"} {
		if _, err := os.Stat(gateDistJar(line, name)); err != nil {
			t.Fatalf("%v: run `make gate-dist` (make e2e does) to build the gate and its test jobs for both Flink lines", err)
		}
	}
}

// exactlyOnceCase is one scenario of the matrix: a Flink version and a job variant.
type exactlyOnceCase struct {
	flinkVersion flinkv1beta1.FlinkVersion
	versionName  string
	image        string
	variant      sequenceVariant
}

// exactlyOnceCases is the matrix make e2e runs: the variants with more than one sink or a transactional sink on
// Flink 2.3 (each scenario starts two Flink clusters one after the other; the whole matrix doubles the suite's
// time). The single-sink job, on both lines, runs on real pods instead (test/e2ecluster
// TestBlueGreenAdvancedExactlyOnceOnPods). TEAL_E2E_FULL_MATRIX=1 runs every variant on both versions.
func exactlyOnceCases() []exactlyOnceCase {
	full := os.Getenv("TEAL_E2E_FULL_MATRIX") == "1"
	var cases []exactlyOnceCase
	for _, flinkVersion := range flinkVersions {
		for _, variant := range sequenceVariants {
			if !full && (flinkVersion.version != flinkv1beta1.FlinkVersionV2_3 || variant.name == "single") {
				continue
			}
			cases = append(cases, exactlyOnceCase{flinkVersion.version, flinkVersion.name, flinkVersion.image, variant})
		}
	}
	return cases
}

// basicContrastCases is the BASIC-mode matrix, the contrast to the ADVANCED proof (BASIC duplicates grow with the
// transition time, the same in every variant): only with TEAL_E2E_FULL_MATRIX=1, every variant on both versions.
// make e2e runs none: the single-sink contrast runs on real pods (test/e2ecluster
// TestBlueGreenBasicModeHandOverOnPods).
func basicContrastCases() []exactlyOnceCase {
	if os.Getenv("TEAL_E2E_FULL_MATRIX") != "1" {
		return nil
	}
	return exactlyOnceCases()
}

// sequenceBlueGreen is the FlinkBlueGreenDeployment of a test job, writing under outputs.
func sequenceBlueGreen(c exactlyOnceCase, namespace, outputs string, extraConfig ...string) *flinkv1beta1.FlinkBlueGreenDeployment {
	config := append(stateDirs(namespace, c.flinkVersion), "taskmanager.numberOfTaskSlots", "2")
	config = append(config, extraConfig...)
	return builders.NewFlinkBlueGreenDeployment("sequence", []builders.DeploymentOption{
		builders.InNamespace(namespace), builders.WithImage(c.image), builders.WithFlinkVersion(c.flinkVersion),
		builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint), builders.WithParallelism(2),
		builders.WithEntryClass(sequenceJobClass), builders.WithConfig(config...),
		func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Job.JarURI = "local:///opt/flink/usrlib/" + testJobsJarName(gateLine(c.flinkVersion))
			d.Spec.Job.Args = []string{"--variant", c.variant.name, "--output", "file://" + outputs,
				"--rate", strconv.Itoa(sequenceRate), "--checkpoint-ms", strconv.Itoa(sequenceCheckpointMs)}
		},
	}, builders.WithBlueGreenConfig(gracePeriodKey, "3 min", deletionDelayKey, "5 s"))
}

// readOutputs counts every sink of a variant under outputs.
func readOutputs(g Gomega, variant sequenceVariant, outputs string) map[string]map[int64]int {
	bySink := map[string]map[int64]int{}
	for _, sink := range variant.sinks {
		counts, err := sequence.Count(filepath.Join(outputs, sink))
		g.Expect(err).NotTo(HaveOccurred())
		bySink[sink] = counts
	}
	return bySink
}

// lowestMax is the smallest, over the sinks, of the largest sequence number written (-1 before any).
func lowestMax(bySink map[string]map[int64]int) int64 {
	lowest, first := int64(-1), true
	for _, counts := range bySink {
		largest := sequence.Largest(counts)
		if first || largest < lowest {
			lowest, first = largest, false
		}
	}
	return lowest
}

// handOverSampler records, every 100 ms while a transition runs, when the blue/green state, green's job state and
// the coordination ConfigMap's stage were first seen with each value.
type handOverSampler struct {
	bg       client.ObjectKey
	done     chan struct{}
	finished sync.WaitGroup

	mu     sync.Mutex
	seen   map[string]time.Time
	stages []string
}

func startHandOverSampler(bg client.ObjectKey) *handOverSampler {
	s := &handOverSampler{bg: bg, done: make(chan struct{}), seen: map[string]time.Time{}}
	s.finished.Add(1)
	go s.run()
	return s
}

func (s *handOverSampler) run() {
	defer s.finished.Done()
	ticker := time.NewTicker(100 * time.Millisecond)
	defer ticker.Stop()
	ctx := context.Background()
	for {
		select {
		case <-s.done:
			return
		case now := <-ticker.C:
			var observed []string
			current := &flinkv1beta1.FlinkBlueGreenDeployment{}
			if env.Client.Get(ctx, s.bg, current) == nil {
				observed = append(observed, "state="+string(current.Status.BlueGreenState))
			}
			green := &flinkv1beta1.FlinkDeployment{}
			if env.Client.Get(ctx, client.ObjectKey{Namespace: s.bg.Namespace, Name: s.bg.Name + "-green"}, green) == nil {
				observed = append(observed, "green="+string(green.Status.JobStatus.State))
			}
			configMap := &corev1.ConfigMap{}
			if err := env.Client.Get(ctx, client.ObjectKey{Namespace: s.bg.Namespace, Name: s.bg.Name + "-configmap"}, configMap); err == nil {
				observed = append(observed, "stage="+configMap.Data["stage"])
			} else if !apierrors.IsNotFound(err) {
				continue
			}
			s.mu.Lock()
			for _, o := range observed {
				if _, ok := s.seen[o]; !ok {
					s.seen[o] = now
					if strings.HasPrefix(o, "stage=") {
						s.stages = append(s.stages, strings.TrimPrefix(o, "stage="))
					}
				}
			}
			s.mu.Unlock()
		}
	}
}

// stop ends the sampling and returns when each observation was first made, and the ConfigMap stages in order.
func (s *handOverSampler) stop() (map[string]time.Time, []string) {
	close(s.done)
	s.finished.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen, s.stages
}

// transitionOutcome is what one blue → green transition of a test job showed.
type transitionOutcome struct {
	sinks []sequence.Summary
	// transition is from the commit to ACTIVE_GREEN; blueGone from the commit until blue's processes were gone.
	transition, blueGone time.Duration
	// greenRunningToClear is from green's job first seen RUNNING to the ConfigMap's CLEAR_TO_TEARDOWN (ADVANCED).
	greenRunningToClear time.Duration
	// stages are the ConfigMap stages seen, in order (ADVANCED).
	stages []string
}

func (o transitionOutcome) String() string {
	parts := []string{fmt.Sprintf("transition %s, blue gone after %s", o.transition.Round(100*time.Millisecond), o.blueGone.Round(100*time.Millisecond))}
	if o.greenRunningToClear > 0 {
		parts = append(parts, fmt.Sprintf("green RUNNING → CLEAR_TO_TEARDOWN %s, stages %v", o.greenRunningToClear.Round(100*time.Millisecond), o.stages))
	}
	for _, s := range o.sinks {
		parts = append(parts, s.String())
	}
	return strings.Join(parts, "; ")
}

// runSequenceTransition deploys the test job as bg (blue), waits for its output, commits a change (a new image
// tag) and waits for ACTIVE_GREEN and blue's processes to be gone, then for green's output to reach
// greenRecordsAfterTeardown records past the last record written at that moment (the cutoff), and reads every
// output: duplicates anywhere, gaps in 0..cutoff.
func runSequenceTransition(t *testing.T, g Gomega, c exactlyOnceCase, bg *flinkv1beta1.FlinkBlueGreenDeployment, create func() error, outputs string) transitionOutcome {
	key := client.ObjectKeyFromObject(bg)
	t.Cleanup(func() { deleteBlueGreenAndWait(t, key) })
	g.Expect(create()).To(Succeed())
	active := eventuallyBlueGreen(g, bg, status.CurrentStatus)
	g.Expect(active.Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenActiveBlue))
	g.Eventually(func() int64 { return lowestMax(readOutputs(g, c.variant, outputs)) }, timeout, interval).
		Should(BeNumerically(">=", 2*sequenceRate), "blue writes records to every sink")

	sampler := startHandOverSampler(key)
	committed := time.Now()
	updateBlueGreen(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = c.image + "-v2" })
	green := eventuallyBlueGreen(g, bg, status.CurrentStatus)
	transition := time.Since(committed)
	g.Expect(green.Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenActiveGreen))
	g.Eventually(func() any { return runtime.Cluster(key.Namespace, key.Name+"-blue") }, timeout, interval).Should(BeNil(), "blue's processes are gone")
	blueGone := time.Since(committed)
	seen, stages := sampler.stop()

	cutoff := lowestMax(readOutputs(g, c.variant, outputs))
	g.Eventually(func() int64 { return lowestMax(readOutputs(g, c.variant, outputs)) }, timeout, interval).
		Should(BeNumerically(">=", cutoff+greenRecordsAfterTeardown), "green's output reaches well past blue's last record")
	outcome := transitionOutcome{transition: transition, blueGone: blueGone, stages: stages}
	if running, ok := seen["green=RUNNING"]; ok {
		if clear, ok := seen["stage=CLEAR_TO_TEARDOWN"]; ok {
			outcome.greenRunningToClear = clear.Sub(running)
		}
	}
	for sink, counts := range readOutputs(g, c.variant, outputs) {
		outcome.sinks = append(outcome.sinks, sequence.Summarise(sink, counts, cutoff))
	}
	slices.SortFunc(outcome.sinks, func(a, b sequence.Summary) int { return strings.Compare(a.Sink, b.Sink) })
	return outcome
}

// deleteBlueGreenAndWait removes a scenario's deployment and waits until its Flink processes are gone, so the
// next scenario has the cores.
func deleteBlueGreenAndWait(t *testing.T, key client.ObjectKey) {
	g := NewWithT(t)
	ctx := context.Background()
	g.Expect(client.IgnoreNotFound(env.Client.Delete(ctx, &flinkv1beta1.FlinkBlueGreenDeployment{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}}))).To(Succeed())
	// The test control plane runs no garbage collector: the children go by name, each through the operator's
	// finalizer, which stops its cluster.
	for _, colour := range []string{"blue", "green"} {
		child := &flinkv1beta1.FlinkDeployment{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name + "-" + colour}}
		g.Expect(client.IgnoreNotFound(env.Client.Delete(ctx, child))).To(Succeed())
	}
	g.Eventually(func() []string {
		var running []string
		for _, colour := range []string{"blue", "green"} {
			if runtime.Cluster(key.Namespace, key.Name+"-"+colour) != nil {
				running = append(running, colour)
			}
		}
		return running
	}, timeout, interval).Should(BeEmpty(), "the scenario's Flink clusters stopped")
}

// writeExactlyOnceReport keeps a scenario's figures next to the logs, for docs/performance.md.
func writeExactlyOnceReport(t *testing.T, mode string, c exactlyOnceCase, outcome transitionOutcome) {
	t.Logf("%s %s %s: %s", mode, c.versionName, c.variant.name, outcome)
	writeReport(t, "exactlyonce-"+mode+"-"+c.versionName+"-"+c.variant.name, outcome.String())
}

// TestBlueGreenBasicModeHandOverCounts: in BASIC mode (no gate) a blue → green transition while records flow
// loses nothing — zero missing sequence numbers in every sink — and duplicates what blue emitted between the
// hand-over savepoint and its removal; the duplicate count is reported (docs/performance.md), the contrast to
// ADVANCED mode.
func TestBlueGreenBasicModeHandOverCounts(t *testing.T) {
	cases := basicContrastCases()
	if len(cases) == 0 {
		t.Skip("BASIC mode runs on real pods (test/e2ecluster TestBlueGreenBasicModeHandOverOnPods); TEAL_E2E_FULL_MATRIX=1 runs every variant here")
	}
	for _, c := range cases {
		t.Run(c.versionName+"/"+c.variant.name, func(t *testing.T) {
			requireGateJars(t, gateLine(c.flinkVersion))
			g := NewWithT(t)
			namespace := newNamespace(g)
			outputs := filepath.Join(outputDir, "sinks", namespace)
			bg := sequenceBlueGreen(c, namespace, outputs)
			outcome := runSequenceTransition(t, g, c, bg, func() error { return env.Client.Create(context.Background(), bg) }, outputs)
			writeExactlyOnceReport(t, "basic", c, outcome)
			g.Expect(outcome.sinks).To(HaveLen(len(c.variant.sinks)))
			for _, s := range outcome.sinks {
				g.Expect(s.First).To(BeZero(), "%s: blue started at record 0", s)
				g.Expect(s.Missing).To(BeZero(), "%s: at-least-once, nothing lost", s)
			}
		})
	}
}

// TestBlueGreenAdvancedModeExactlyOnce is the proof of issue 17 on real Flink: in ADVANCED mode, with the gate
// the operator delivers (-javaagent) and the user's gate keys, a blue → green transition while records flow
// writes every sequence number exactly once — one gap-free range from 0, zero duplicates, zero missing — in every
// sink of every job variant. It records the transition time and the time from green's job RUNNING to the
// ConfigMap's CLEAR_TO_TEARDOWN.
func TestBlueGreenAdvancedModeExactlyOnce(t *testing.T) {
	for _, c := range exactlyOnceCases() {
		t.Run(c.versionName+"/"+c.variant.name, func(t *testing.T) {
			requireGateJars(t, gateLine(c.flinkVersion))
			g := NewWithT(t)
			namespace := newNamespace(g)
			outputs := filepath.Join(outputDir, "sinks", namespace)
			bg := sequenceBlueGreen(c, namespace, outputs, c.variant.gateKeys...)
			bg.Spec.TransitionMode = flinkv1beta1.TransitionModeAdvanced
			// Outside a pod the gate has no service account files: it reaches the API server with a kubeconfig
			// holding a service account's token, through the pod's environment (not env.java.opts.all, which
			// would replace the --add-opens that Flink's default configuration sets there).
			kubeconfig := gateKubeconfig(g, namespace)
			bg.Spec.Template.Spec.PodTemplate = &flinkv1beta1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{
				Name: "flink-main-container", Env: []corev1.EnvVar{{Name: "KUBECONFIG", Value: kubeconfig}},
			}}}}
			outcome := runSequenceTransition(t, g, c, bg, func() error { return env.Client.Create(context.Background(), bg) }, outputs)
			writeExactlyOnceReport(t, "advanced", c, outcome)
			g.Expect(outcome.stages).To(ContainElements("TRANSITIONING", "CLEAR_TO_TEARDOWN"), "the stage protocol ran")
			g.Expect(outcome.greenRunningToClear).To(BeNumerically(">", 0), "CLEAR_TO_TEARDOWN came after green's job ran")
			g.Expect(outcome.sinks).To(HaveLen(len(c.variant.sinks)))
			for _, s := range outcome.sinks {
				g.Expect(s.First).To(BeZero(), "%s: one range from record 0", s)
				g.Expect(s.Duplicates).To(BeZero(), "%s: exactly once, no record twice", s)
				g.Expect(s.Missing).To(BeZero(), "%s: exactly once, no record lost", s)
			}
		})
	}
}

// gateKubeconfig stands in for the service account of a Flink pod: a service account allowed exactly what the
// gate needs on ConfigMaps (docs/bluegreen-exactly-once.md), and a kubeconfig with a token requested for it,
// which the gate reads from $KUBECONFIG.
func gateKubeconfig(g Gomega, namespace string) string {
	ctx := context.Background()
	account := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "flink-gate"}}
	g.Expect(env.Client.Create(ctx, account)).To(Succeed())
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "flink-gate"}, Rules: []rbacv1.PolicyRule{{
		APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list", "watch", "patch"},
	}}}
	g.Expect(env.Client.Create(ctx, role)).To(Succeed())
	binding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "flink-gate"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: namespace, Name: account.Name}}}
	g.Expect(env.Client.Create(ctx, binding)).To(Succeed())
	token := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)}}
	g.Expect(env.Client.SubResource("token").Create(ctx, account, token)).To(Succeed())
	g.Expect(token.Status.Token).NotTo(BeEmpty())
	kubeconfig := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: flink-gate
  user:
    token: %s
contexts:
- name: flink-gate
  context:
    cluster: test
    user: flink-gate
    namespace: %s
current-context: flink-gate
`, env.Config.Host, base64.StdEncoding.EncodeToString(env.Config.CAData), token.Status.Token, namespace)
	path := filepath.Join(outputDir, "gate-kubeconfig-"+namespace)
	g.Expect(os.WriteFile(path, []byte(kubeconfig), 0o600)).To(Succeed())
	return path
}
