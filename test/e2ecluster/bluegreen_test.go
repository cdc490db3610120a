package e2ecluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/test/sequence"
	"github.com/teal-flink/teal/test/testenv"
)

// The exactly-once proof of issue 17 on real pods: the gate's single-sink sequence job (gate/testjobs) runs as a
// FlinkBlueGreenDeployment whose children are real Flink clusters; a commit moves it from blue to green while
// records flow, and every sink file of both children, written to the shared /flink-data host directory, is read
// back and each sequence number counted.

const (
	// sequenceJobClass is the test jobs' entry point: a deterministic, unbounded source (record n has event time
	// base + n * step) into the variant's sinks, writing "seq,eventTime" lines under --output/<sink>/.
	sequenceJobClass = "io.github.tealflink.testjobs.SequenceJobs"
	// sequenceSink is the single-sink variant's only sink (its output sub-directory).
	sequenceSink = "single"
	// sequenceRate is the source's records per second (event time advances as fast as the wall clock).
	sequenceRate = 200
	// sequenceCheckpointMs is the jobs' checkpoint interval.
	sequenceCheckpointMs = 1000
	// greenRecordsAfterTeardown is how far green's output must reach past the last record written when blue's
	// pods were gone before the outputs are counted.
	greenRecordsAfterTeardown = 3 * sequenceRate
	// blueGreenGracePeriod bounds a transition before the operator aborts it: two Flink clusters start and stop on
	// two busy cores.
	blueGreenGracePeriod = "6 min"
	// badCommitGracePeriod bounds the transition of a commit whose job cannot start.
	badCommitGracePeriod = "90 s"
	// gracePeriodKey is the blue/green option that bounds a transition.
	gracePeriodKey = "kubernetes.operator.bluegreen.abort.grace-period"
	// missingEntryClass is a job class no jar holds: a commit with it never runs.
	missingEntryClass = "org.example.DoesNotExist"
)

// testJobsJar is where hack/images/build.sh puts the test-jobs jar of a Flink line into the Flink image.
func testJobsJar(version flinkv1beta1.FlinkVersion) string {
	line := "flink1"
	if version.IsEqualOrNewer(flinkv1beta1.FlinkVersionV2_0) {
		line = "flink2"
	}
	return "local:///opt/flink/usrlib/teal-bluegreen-testjobs-" + line + ".jar"
}

// sequenceBlueGreen is the FlinkBlueGreenDeployment of the single-sink test job on image, its state and sink
// outputs under the host directory dir (/flink-data in the pods).
func sequenceBlueGreen(g Gomega, name, image string, version flinkv1beta1.FlinkVersion, dir string, mode flinkv1beta1.TransitionMode) *flinkv1beta1.FlinkBlueGreenDeployment {
	cpu := 1.0
	child := &flinkv1beta1.FlinkDeployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: flinkv1beta1.FlinkDeploymentSpec{
			Image: image, FlinkVersion: version, ServiceAccount: "flink",
			JobManager:  &flinkv1beta1.JobManagerSpec{Resource: &flinkv1beta1.Resource{Memory: "1024m", CPU: &cpu}},
			TaskManager: &flinkv1beta1.TaskManagerSpec{Resource: &flinkv1beta1.Resource{Memory: "1024m", CPU: &cpu}},
			Job: &flinkv1beta1.JobSpec{
				JarURI: testJobsJar(version), EntryClass: sequenceJobClass, Parallelism: 2,
				UpgradeMode: flinkv1beta1.UpgradeModeSavepoint, State: flinkv1beta1.JobStateRunning,
				Args: []string{"--variant", sequenceSink, "--output", "file://" + flinkDataMount + "/sinks",
					"--rate", strconv.Itoa(sequenceRate), "--checkpoint-ms", strconv.Itoa(sequenceCheckpointMs)},
			},
		},
	}
	smallResources(child)
	withStateVolume(child, dir)
	config := stateKeys(version)
	config["taskmanager.numberOfTaskSlots"] = "2"
	if mode == flinkv1beta1.TransitionModeAdvanced {
		// The user's gate keys: the extractor reads each record's event time.
		config["bluegreen.gate.strategy"] = "WATERMARK"
		config["bluegreen.gate.watermark.field-path"] = "eventTime"
	}
	setConfig(g, child, config)
	return &flinkv1beta1.FlinkBlueGreenDeployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: flinkv1beta1.FlinkBlueGreenDeploymentSpec{
			TransitionMode: mode,
			Configuration: map[string]string{
				gracePeriodKey: blueGreenGracePeriod,
				"kubernetes.operator.bluegreen.deployment-deletion.delay": "5 s",
			},
			Template: flinkv1beta1.FlinkDeploymentTemplateSpec{Spec: child.Spec},
		},
	}
}

// handOverSampler records, from the commit until green's output is well past blue's, when the blue/green state, green's job state and the
// coordination ConfigMap's stage were first seen with each value (every 100 ms), and the longest time the sink's
// largest sequence number did not advance (every 500 ms).
type handOverSampler struct {
	name, outputs string
	done          chan struct{}
	finished      sync.WaitGroup

	mu         sync.Mutex
	seen       map[string]time.Time
	stages     []string
	longestGap time.Duration
}

func startHandOverSampler(name, outputs string) *handOverSampler {
	s := &handOverSampler{name: name, outputs: outputs, done: make(chan struct{}), seen: map[string]time.Time{}}
	s.finished.Add(2)
	go s.sampleObjects()
	go s.sampleOutput()
	return s
}

func (s *handOverSampler) sampleObjects() {
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
			if k8s.Get(ctx, client.ObjectKey{Namespace: namespace, Name: s.name}, current) == nil {
				observed = append(observed, "state="+string(current.Status.BlueGreenState))
			}
			green := &flinkv1beta1.FlinkDeployment{}
			if k8s.Get(ctx, client.ObjectKey{Namespace: namespace, Name: s.name + "-green"}, green) == nil {
				observed = append(observed, "green="+string(green.Status.JobStatus.State))
			}
			configMap := &corev1.ConfigMap{}
			if err := k8s.Get(ctx, client.ObjectKey{Namespace: namespace, Name: s.name + "-configmap"}, configMap); err == nil {
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

func (s *handOverSampler) sampleOutput() {
	defer s.finished.Done()
	ticker := time.NewTicker(500 * time.Millisecond)
	defer ticker.Stop()
	last, since := int64(-1), time.Now()
	for {
		select {
		case <-s.done:
			return
		case now := <-ticker.C:
			counts, err := sequence.Count(s.outputs)
			if err != nil {
				continue
			}
			if top := sequence.Largest(counts); top > last {
				last, since = top, now
				continue
			}
			s.mu.Lock()
			s.longestGap = max(s.longestGap, now.Sub(since))
			s.mu.Unlock()
		}
	}
}

// stop ends the sampling and returns when each observation was first made, the ConfigMap stages in order, and the
// longest time without new output.
func (s *handOverSampler) stop() (map[string]time.Time, []string, time.Duration) {
	close(s.done)
	s.finished.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen, s.stages, s.longestGap
}

// transitionOutcome is what one blue → green transition showed.
type transitionOutcome struct {
	sink sequence.Summary
	// transition is from the commit to ACTIVE_GREEN; blueGone from the commit until blue's pods were gone.
	transition, blueGone time.Duration
	// The transition split: savepointPhase from SAVEPOINTING_BLUE to TRANSITIONING_TO_GREEN (the hand-over
	// savepoint), greenStartup from there to ACTIVE_GREEN (green's cluster and job), and the rest, the operator and
	// Kubernetes (from the commit to SAVEPOINTING_BLUE).
	savepointPhase, greenStartup time.Duration
	// greenRunningToClear is from green's job first seen RUNNING to the ConfigMap's CLEAR_TO_TEARDOWN (ADVANCED).
	greenRunningToClear time.Duration
	// longestOutputGap is the longest time the sink's largest sequence number stood still during the transition.
	longestOutputGap time.Duration
	stages           []string
}

func (o transitionOutcome) String() string {
	return fmt.Sprintf("transition %s (savepoint phase %s, green start-up until ready %s, operator and Kubernetes %s), blue's pods gone after %s, green RUNNING → CLEAR_TO_TEARDOWN %s, longest output gap %s, stages %v; sink %s",
		o.transition.Round(100*time.Millisecond), o.savepointPhase.Round(100*time.Millisecond), o.greenStartup.Round(100*time.Millisecond),
		(o.transition - o.savepointPhase - o.greenStartup).Round(100*time.Millisecond), o.blueGone.Round(100*time.Millisecond),
		o.greenRunningToClear.Round(100*time.Millisecond), o.longestOutputGap.Round(100*time.Millisecond), o.stages, o.sink)
}

// podsOf lists the pods of a Flink cluster.
func podsOf(g Gomega, cluster string) []corev1.Pod {
	pods := &corev1.PodList{}
	g.Expect(k8s.List(context.Background(), pods, client.InNamespace(namespace), client.MatchingLabels{resources.LabelApp: cluster})).To(Succeed())
	return pods.Items
}

// eventuallyBlueGreenCurrent waits until the latest generation reached its terminal outcome (kstatus Current).
func eventuallyBlueGreenCurrent(g Gomega, key client.ObjectKey, within time.Duration) *flinkv1beta1.FlinkBlueGreenDeployment {
	current := &flinkv1beta1.FlinkBlueGreenDeployment{}
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(context.Background(), key, current)).To(Succeed())
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		kstatus, err := testenv.KStatus(current)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(kstatus).To(Equal(status.CurrentStatus), "status: %+v", current.Status)
	}, within, interval).Should(Succeed())
	return current
}

// runSequenceTransition deploys bg (blue) writing under outputs, waits for its output, runs beforeCommit (if any)
// on the running blue, commits a change of the image tag (flink:<version> → flink:<major.minor>, the same image
// under its other tag; the job's class and the grace period as first deployed) while records flow, waits for
// ACTIVE_GREEN, green's job restored from the hand-over savepoint, and blue's pods gone, then for green's output to
// reach greenRecordsAfterTeardown records past the last record written at that moment (the cutoff), and counts
// the sink: duplicates anywhere, gaps in 0..cutoff.
func runSequenceTransition(t *testing.T, g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment, greenImage, outputs string, beforeCommit func(Gomega, client.ObjectKey)) transitionOutcome {
	ctx := context.Background()
	key := client.ObjectKeyFromObject(bg)
	t.Cleanup(func() { deleteBlueGreenAndWait(t, key) })
	g.Expect(k8s.Create(ctx, bg)).To(Succeed())
	active := eventuallyBlueGreenCurrent(g, key, 2*timeout)
	g.Expect(active.Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenActiveBlue))
	g.Eventually(func() (int64, error) {
		counts, err := sequence.Count(outputs)
		return sequence.Largest(counts), err
	}, timeout, interval).Should(BeNumerically(">=", 2*sequenceRate), "blue writes records")
	if beforeCommit != nil {
		beforeCommit(g, key)
	}

	sampler := startHandOverSampler(key.Name, outputs)
	committed := time.Now()
	g.Eventually(func() error {
		current := &flinkv1beta1.FlinkBlueGreenDeployment{}
		if err := k8s.Get(ctx, key, current); err != nil {
			return err
		}
		current.Spec.Template.Spec.Image = greenImage
		current.Spec.Template.Spec.Job.EntryClass = bg.Spec.Template.Spec.Job.EntryClass
		current.Spec.Configuration[gracePeriodKey] = bg.Spec.Configuration[gracePeriodKey]
		return k8s.Update(ctx, current)
	}, timeout, interval).Should(Succeed())
	green := eventuallyBlueGreenCurrent(g, key, 3*timeout)
	transition := time.Since(committed)
	g.Expect(green.Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenActiveGreen), "status: %+v", green.Status)
	g.Expect(green.Status.ActiveDeployment).To(Equal(key.Name + "-green"))
	expectRestoredFromHandOverSavepoint(g, key.Name+"-green")
	g.Eventually(func() []corev1.Pod { return podsOf(g, key.Name+"-blue") }, timeout, interval).Should(BeEmpty(), "blue's pods are gone")
	blueGone := time.Since(committed)

	counts, err := sequence.Count(outputs)
	g.Expect(err).NotTo(HaveOccurred())
	cutoff := sequence.Largest(counts)
	g.Eventually(func() (int64, error) {
		counts, err := sequence.Count(outputs)
		return sequence.Largest(counts), err
	}, timeout, interval).Should(BeNumerically(">=", cutoff+greenRecordsAfterTeardown), "green's output reaches well past blue's last record")
	// Sampled until here: green, restored from the hand-over savepoint, first catches up with what blue emitted,
	// so the output may stand still after blue is gone.
	seen, stages, longestGap := sampler.stop()
	outcome := transitionOutcome{transition: transition, blueGone: blueGone, stages: stages, longestOutputGap: longestGap}
	savepointing, transitioning := seen["state="+string(flinkv1beta1.BlueGreenSavepointingBlue)], seen["state="+string(flinkv1beta1.BlueGreenTransitioningToGreen)]
	if !savepointing.IsZero() && !transitioning.IsZero() {
		outcome.savepointPhase = transitioning.Sub(savepointing)
	}
	if activeGreen := seen["state="+string(flinkv1beta1.BlueGreenActiveGreen)]; !transitioning.IsZero() && !activeGreen.IsZero() {
		outcome.greenStartup = activeGreen.Sub(transitioning)
	}
	if running, ok := seen["green=RUNNING"]; ok {
		if clear, ok := seen["stage=CLEAR_TO_TEARDOWN"]; ok {
			outcome.greenRunningToClear = clear.Sub(running)
		}
	}
	counts, err = sequence.Count(outputs)
	g.Expect(err).NotTo(HaveOccurred())
	outcome.sink = sequence.Summarise("", counts, cutoff)
	return outcome
}

// deleteBlueGreenAndWait removes a scenario's deployment and waits until the pods of both children are gone (the
// garbage collector removes the children, each through the operator's finalizer), so the next scenario has the
// node.
func deleteBlueGreenAndWait(t *testing.T, key client.ObjectKey) {
	g := NewWithT(t)
	ctx := context.Background()
	g.Expect(client.IgnoreNotFound(k8s.Delete(ctx, &flinkv1beta1.FlinkBlueGreenDeployment{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}}))).To(Succeed())
	g.Eventually(func() []corev1.Pod {
		return append(podsOf(g, key.Name+"-blue"), podsOf(g, key.Name+"-green")...)
	}, timeout, interval).Should(BeEmpty(), "the scenario's Flink pods are gone")
}

// expectRestoredFromHandOverSavepoint: the child's job runs restored from the savepoint its spec names (the
// hand-over savepoint the operator took of the other colour).
func expectRestoredFromHandOverSavepoint(g Gomega, child string) {
	deployment := &flinkv1beta1.FlinkDeployment{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Namespace: namespace, Name: child}, deployment)).To(Succeed())
	savepoint := deployment.Spec.Job.InitialSavepointPath
	g.Expect(savepoint).NotTo(BeEmpty(), "%s starts from a savepoint", child)
	eventuallyRunning(g, child, func(g Gomega, statistics flink.CheckpointStatistics) {
		g.Expect(statistics.Latest.Restored).NotTo(BeNil())
		g.Expect(samePath(statistics.Latest.Restored.ExternalPath, savepoint)).To(BeTrue(),
			"%s restored the hand-over savepoint %s, not %s", child, savepoint, statistics.Latest.Restored.ExternalPath)
	})
}

// abortBadCommit commits a job class that does not exist: green never runs, and after the grace period the
// operator aborts the transition — ACTIVE_BLUE, Stalled with TransitionAborted (kstatus Failed), blue's job still
// the first one, RUNNING, restored from nothing, its pods never replaced.
func abortBadCommit(g Gomega, key client.ObjectKey) {
	ctx := context.Background()
	blue := key.Name + "-blue"
	firstJob, statistics := eventuallyRunning(g, blue, nil)
	g.Expect(statistics.Latest.Restored).To(BeNil())
	bluePods := podsOf(g, blue)
	g.Eventually(func() error {
		current := &flinkv1beta1.FlinkBlueGreenDeployment{}
		if err := k8s.Get(ctx, key, current); err != nil {
			return err
		}
		current.Spec.Template.Spec.Job.EntryClass = missingEntryClass
		current.Spec.Configuration[gracePeriodKey] = badCommitGracePeriod
		return k8s.Update(ctx, current)
	}, timeout, interval).Should(Succeed())
	aborted := &flinkv1beta1.FlinkBlueGreenDeployment{}
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, key, aborted)).To(Succeed())
		g.Expect(aborted.Status.ObservedGeneration).To(Equal(aborted.Generation))
		kstatus, err := testenv.KStatus(aborted)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(kstatus).To(Equal(status.FailedStatus), "status: %+v", aborted.Status)
	}, 2*timeout, interval).Should(Succeed())
	g.Expect(aborted.Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenActiveBlue))
	stalled := meta(aborted.Status.Conditions, flinkv1beta1.ConditionStalled)
	g.Expect(stalled).NotTo(BeNil())
	g.Expect(stalled.Reason).To(Equal(flinkv1beta1.ReasonTransitionAborted))
	stillRunning, statistics := runningJob(g, blue)
	g.Expect(stillRunning).To(Equal(firstJob), "blue still serves its first job")
	g.Expect(statistics.Latest.Restored).To(BeNil(), "blue was never restarted")
	for _, pod := range bluePods {
		current := &corev1.Pod{}
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(&pod), current)).To(Succeed(), "blue's pod %s is still there", pod.Name)
		g.Expect(current.UID).To(Equal(pod.UID))
	}
}

// writeOutcome logs a scenario's figures and keeps them under outputDir, for docs/performance.md.
func writeOutcome(t *testing.T, outcome transitionOutcome) {
	t.Logf("%s: %s", t.Name(), outcome)
	if err := os.MkdirAll(outputDir, 0o755); err == nil {
		_ = os.WriteFile(filepath.Join(outputDir, strings.ReplaceAll(t.Name(), "/", "_")+".txt"), []byte(outcome.String()+"\n"), 0o644)
	}
}

// TestBlueGreenAdvancedExactlyOnceOnPods is the proof of issue 17 on real pods: the single-sink sequence job as a
// FlinkBlueGreenDeployment in ADVANCED mode — the gate jar delivered by the operator image's init container
// (`/teal copy-gate-jar`) and -javaagent, the gate reaching the ConfigMap with the Flink service account of the
// chart — is moved from blue to green while records flow. Every sink file of both children, under the shared
// /flink-data host directory, holds one gap-free range from record 0: zero duplicates, zero missing; the
// ConfigMap went through TRANSITIONING and CLEAR_TO_TEARDOWN. The transition time and green RUNNING →
// CLEAR_TO_TEARDOWN are logged (docs/performance.md).
func TestBlueGreenAdvancedExactlyOnceOnPods(t *testing.T) {
	t.Parallel()
	for _, flinkVersion := range flinkVersions {
		t.Run(flinkVersion.name, func(t *testing.T) {
			t.Parallel()
			keepOnFailure(t)
			g := NewWithT(t)
			name := "seq-eo-" + versionSuffix(flinkVersion.name)
			dir := stateDir(g, name)
			bg := sequenceBlueGreen(g, name, flinkVersion.image, flinkVersion.version, dir, flinkv1beta1.TransitionModeAdvanced)
			outcome := runSequenceTransition(t, g, bg, strings.TrimSuffix(flinkVersion.image, "."+lastPart(flinkVersion.image)),
				filepath.Join(dir, "sinks", sequenceSink), nil)
			writeOutcome(t, outcome)
			g.Expect(outcome.stages).To(ContainElements("TRANSITIONING", "CLEAR_TO_TEARDOWN"), "the stage protocol ran")
			g.Expect(outcome.greenRunningToClear).To(BeNumerically(">", 0), "CLEAR_TO_TEARDOWN came after green's job ran")
			g.Expect(outcome.sink.First).To(BeZero(), "%s: one range from record 0", outcome.sink)
			g.Expect(outcome.sink.Duplicates).To(BeZero(), "%s: exactly once, no record twice", outcome.sink)
			g.Expect(outcome.sink.Missing).To(BeZero(), "%s: exactly once, no record lost", outcome.sink)
		})
	}
}

// TestBlueGreenBasicModeHandOverOnPods is the contrast on real pods: the same job and transition in BASIC mode
// (no gate), after a bad commit (a job class that does not exist) was aborted with blue still serving, loses nothing — zero missing — and duplicates what blue emitted after the hand-over savepoint; the
// duplicate count and the longest output gap are logged (docs/performance.md).
func TestBlueGreenBasicModeHandOverOnPods(t *testing.T) {
	t.Parallel()
	for _, flinkVersion := range flinkVersions {
		t.Run(flinkVersion.name, func(t *testing.T) {
			t.Parallel()
			keepOnFailure(t)
			g := NewWithT(t)
			name := "seq-basic-" + versionSuffix(flinkVersion.name)
			dir := stateDir(g, name)
			bg := sequenceBlueGreen(g, name, flinkVersion.image, flinkVersion.version, dir, flinkv1beta1.TransitionModeBasic)
			outcome := runSequenceTransition(t, g, bg, strings.TrimSuffix(flinkVersion.image, "."+lastPart(flinkVersion.image)),
				filepath.Join(dir, "sinks", sequenceSink), abortBadCommit)
			writeOutcome(t, outcome)
			g.Expect(outcome.sink.First).To(BeZero(), "%s: blue started at record 0", outcome.sink)
			g.Expect(outcome.sink.Missing).To(BeZero(), "%s: at-least-once, nothing lost", outcome.sink)
		})
	}
}

// lastPart is what follows an image tag's last dot: "3" of flink:1.20.3.
func lastPart(image string) string { return image[strings.LastIndex(image, ".")+1:] }
