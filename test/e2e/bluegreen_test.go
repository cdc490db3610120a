package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/flinkdist"
	"github.com/teal-flink/teal/test/sim/localruntime"
)

const (
	gracePeriodKey    = "kubernetes.operator.bluegreen.abort.grace-period"
	deletionDelayKey  = "kubernetes.operator.bluegreen.deployment-deletion.delay"
	missingEntryClass = "org.example.DoesNotExist"
)

func getBlueGreen(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment) *flinkv1beta1.FlinkBlueGreenDeployment {
	current := &flinkv1beta1.FlinkBlueGreenDeployment{}
	g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(bg), current)).To(Succeed())
	return current
}

func updateBlueGreen(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment, change func(*flinkv1beta1.FlinkBlueGreenDeployment)) {
	g.Eventually(func() error {
		current := getBlueGreen(g, bg)
		change(current)
		return env.Client.Update(context.Background(), current)
	}, timeout, interval).Should(Succeed())
}

// eventuallyBlueGreen waits until the latest generation reached a terminal outcome with the given kstatus.
func eventuallyBlueGreen(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment, want status.Status) *flinkv1beta1.FlinkBlueGreenDeployment {
	var current *flinkv1beta1.FlinkBlueGreenDeployment
	g.Eventually(func(g Gomega) {
		current = getBlueGreen(g, bg)
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		g.Expect(kstatus(g, current)).To(Equal(want), "status: %+v", current.Status)
	}, timeout, interval).Should(Succeed())
	return current
}

// TestBlueGreenOnRealFlink: first deploy → ACTIVE_BLUE; a bad commit (an entry class that does not exist) →
// green never runs → abort after the grace period, blue still serving, Stalled; a fixed commit → green restored
// from blue's savepoint → ACTIVE_GREEN with blue's processes gone. The fixed transition is measured.
func TestBlueGreenOnRealFlink(t *testing.T) {
	for _, flinkVersion := range flinkVersions {
		t.Run(flinkVersion.name, func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			ctx := context.Background()
			namespace := newNamespace(g)
			bg := builders.NewFlinkBlueGreenDeployment("topspeed", []builders.DeploymentOption{
				builders.InNamespace(namespace), builders.WithImage(flinkVersion.image),
				builders.WithFlinkVersion(flinkVersion.version), builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint),
				builders.WithParallelism(1), builders.WithEntryClass(flinkdist.TopSpeedWindowingClass),
				builders.WithConfig(append(stateDirs(namespace, flinkVersion.version), "execution.checkpointing.interval", "2 s")...),
			}, builders.WithBlueGreenConfig(gracePeriodKey, "3 min", deletionDelayKey, "5 s"))
			g.Expect(env.Client.Create(ctx, bg)).To(Succeed())
			active := eventuallyBlueGreen(g, bg, status.CurrentStatus)
			g.Expect(active.Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenActiveBlue))
			blue := client.ObjectKey{Namespace: namespace, Name: "topspeed-blue"}

			// A bad commit: green cannot start its job; after the grace period the transition is aborted.
			updateBlueGreen(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
				b.Spec.Template.Spec.Job.EntryClass = missingEntryClass
				b.Spec.Configuration[gracePeriodKey] = "90 s"
			})
			aborted := eventuallyBlueGreen(g, bg, status.FailedStatus)
			g.Expect(aborted.Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenActiveBlue))
			g.Expect(conditions.GetReason(aborted, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonTransitionAborted))
			g.Expect(runtime.Cluster(blue.Namespace, blue.Name)).NotTo(BeNil(), "blue still serves")
			g.Expect(restoredFromChild(g, blue)).To(BeEmpty(), "blue kept its first job")

			// The fixed commit, measured.
			measure := startTransitionMeasurement(bg, blue)
			updateBlueGreen(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
				b.Spec.Template.Spec.Job.EntryClass = flinkdist.TopSpeedWindowingClass
				b.Spec.Template.Spec.Image = flinkVersion.image + "-fixed"
				b.Spec.Configuration[gracePeriodKey] = "3 min"
			})
			measure.updated()
			green := eventuallyBlueGreen(g, bg, status.CurrentStatus)
			g.Expect(green.Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenActiveGreen))
			g.Expect(green.Status.ActiveDeployment).To(Equal("topspeed-green"))
			greenKey := client.ObjectKey{Namespace: namespace, Name: "topspeed-green"}
			greenChild := &flinkv1beta1.FlinkDeployment{}
			g.Expect(env.Client.Get(ctx, greenKey, greenChild)).To(Succeed())
			savepoint := greenChild.Spec.Job.InitialSavepointPath
			g.Expect(savepoint).NotTo(BeEmpty())
			g.Expect(samePath(restoredFromChild(g, greenKey), savepoint)).To(BeTrue(), "green restored from blue's savepoint")
			g.Eventually(func() any { return runtime.Cluster(blue.Namespace, blue.Name) }, timeout, interval).Should(BeNil(), "blue's processes are gone")
			report := measure.stop(g)
			t.Logf("%s blue→green: %s", flinkVersion.name, report)
			writeReport(t, flinkVersion.name, report)
		})
	}
}

func restoredFromChild(g Gomega, key client.ObjectKey) string {
	child := &flinkv1beta1.FlinkDeployment{}
	g.Expect(env.Client.Get(context.Background(), key, child)).To(Succeed())
	return restoredFrom(g, child)
}

// printedRecord matches a line TopSpeedWindowing's print sink writes: "(carId,speed,distance,time)", with an
// optional "<subtask>> " prefix.
var printedRecord = regexp.MustCompile(`^(\d+> )?\(\d+,\d+,`)

// transitionMeasurement samples the blue/green state and the sink output of both children while a transition
// runs: when each phase started, and every moment the print sinks wrote records.
type transitionMeasurement struct {
	bg       *flinkv1beta1.FlinkBlueGreenDeployment
	blue     client.ObjectKey
	start    time.Time
	done     chan struct{}
	finished sync.WaitGroup

	mu      sync.Mutex
	phases  map[flinkv1beta1.FlinkBlueGreenDeploymentState]time.Time
	outputs []time.Time
}

func startTransitionMeasurement(bg *flinkv1beta1.FlinkBlueGreenDeployment, blue client.ObjectKey) *transitionMeasurement {
	m := &transitionMeasurement{bg: bg, blue: blue, done: make(chan struct{}), phases: map[flinkv1beta1.FlinkBlueGreenDeploymentState]time.Time{}}
	m.finished.Add(1)
	go m.sample()
	return m
}

func (m *transitionMeasurement) updated() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.start = time.Now()
}

func (m *transitionMeasurement) sample() {
	defer m.finished.Done()
	offsets := map[string]int64{}
	ticker := time.NewTicker(100 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case <-m.done:
			return
		case now := <-ticker.C:
			current := &flinkv1beta1.FlinkBlueGreenDeployment{}
			if env.Client.Get(context.Background(), client.ObjectKeyFromObject(m.bg), current) == nil {
				m.mu.Lock()
				if _, seen := m.phases[current.Status.BlueGreenState]; !seen && !m.start.IsZero() {
					m.phases[current.Status.BlueGreenState] = now
				}
				m.mu.Unlock()
			}
			for _, name := range []string{m.blue.Name, "topspeed-green"} {
				session := localruntime.Session(runtime.Cluster(m.blue.Namespace, name))
				if session == nil {
					continue
				}
				log := filepath.Join(session.LogDir, "taskmanager.log")
				if records := newRecords(log, offsets); records > 0 {
					m.mu.Lock()
					m.outputs = append(m.outputs, now)
					m.mu.Unlock()
				}
			}
		}
	}
}

// newRecords counts the print-sink records appended to a log since the last call.
func newRecords(path string, offsets map[string]int64) int {
	file, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer file.Close()
	if _, err := file.Seek(offsets[path], 0); err != nil {
		return 0
	}
	count := 0
	reader := bufio.NewReader(file)
	for {
		line, err := reader.ReadString('\n')
		if err != nil {
			break // a partial last line is read again next time
		}
		offsets[path] += int64(len(line))
		if printedRecord.MatchString(line) {
			count++
		}
	}
	return count
}

// stop ends the sampling and summarises: total time, savepoint time, green start-up, the operator's share, and
// the longest time no sink wrote a record.
func (m *transitionMeasurement) stop(g Gomega) string {
	close(m.done)
	m.finished.Wait()
	m.mu.Lock()
	defer m.mu.Unlock()
	end, ok := m.phases[flinkv1beta1.BlueGreenActiveGreen]
	g.Expect(ok).To(BeTrue(), "ACTIVE_GREEN observed")
	savepointing, transitioning := m.phases[flinkv1beta1.BlueGreenSavepointingBlue], m.phases[flinkv1beta1.BlueGreenTransitioningToGreen]
	g.Expect(transitioning.IsZero()).To(BeFalse(), "TRANSITIONING_TO_GREEN observed on the way (green takes many seconds to start)")
	total := end.Sub(m.start)
	savepoint := time.Duration(0)
	if !savepointing.IsZero() && !transitioning.IsZero() {
		savepoint = transitioning.Sub(savepointing)
	}
	startup := time.Duration(0)
	if !transitioning.IsZero() {
		startup = end.Sub(transitioning)
	}
	var gap time.Duration
	var intervals []time.Duration
	var previous time.Time
	for _, at := range m.outputs {
		if at.Before(m.start) || at.After(end) {
			continue
		}
		if !previous.IsZero() {
			intervals = append(intervals, at.Sub(previous))
			gap = max(gap, at.Sub(previous))
		}
		previous = at
	}
	g.Expect(intervals).NotTo(BeEmpty(), "the sinks wrote records during the transition")
	slices.Sort(intervals)
	cadence := intervals[len(intervals)/2]
	return fmt.Sprintf("total %s (savepoint phase %s, green start-up until ready %s, operator and Kubernetes %s); "+
		"longest output gap %s against a median interval between outputs of %s (sampling every 100 ms)",
		total.Round(100*time.Millisecond), savepoint.Round(100*time.Millisecond), startup.Round(100*time.Millisecond),
		(total - savepoint - startup).Round(100*time.Millisecond), gap.Round(100*time.Millisecond), cadence.Round(100*time.Millisecond))
}

// writeReport keeps the figures next to the logs, for docs/performance.md.
func writeReport(t *testing.T, name, report string) {
	path := filepath.Join(filepath.Dir(outputDir), "bluegreen-"+name+".txt")
	if err := os.WriteFile(path, []byte(report+"\n"), 0o644); err != nil {
		t.Logf("writing %s: %v", path, err)
	}
}
