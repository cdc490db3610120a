package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/failpoint"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/crash"
	"github.com/teal-flink/teal/test/sim/flinkdist"
)

const (
	// crashTimeout bounds each wait of the crash test: ten Flink clusters start at once, and on a shared
	// two-core machine a JVM start alone has taken minutes.
	crashTimeout = 15 * time.Minute
	// healthWindow is the checkpoint-progress window of the health-check restart: the jobs checkpoint only when
	// the test asks, so the check finds no progress once it has passed.
	healthWindow = "20 s"
)

// TestOperatorKilledAtEveryStepOnRealFlink kills the real operator binary with SIGKILL (TEAL_CRASH_AT) at every
// point of the crash chains of test/crash — between recording a step's intent and its Flink call, and between
// the call and recording its result — on Flink 1.20 and 2.x, for a savepoint upgrade, a last-state upgrade
// (no HA, checkpoints retained), a health-check restart, a FlinkSessionJob savepoint upgrade, a
// FlinkStateSnapshot savepoint and a BASIC blue/green transition. Within one operation per scenario the
// operator dies at the first point, a fresh one (armed with the next point) resumes and dies there, and so on;
// a last one without a crash point finishes. Each end state is checked in Kubernetes and through Flink's REST
// API: one running job, restored from the state the operation recorded (the checkpoint by id for last-state),
// exactly one savepoint, no second job.
//
// The scenarios set up concurrently under one operator; their chains then run one at a time (one operator
// process exists at any moment, and a kill stops it for every object), and each scenario is verified while the
// next chain runs: an operation that finished its chain must also survive the kills meant for others.
func TestOperatorKilledAtEveryStepOnRealFlink(t *testing.T) {
	started := time.Now()
	runner := &chainRunner{t: t, current: operator}
	t.Cleanup(func() {
		// Later tests need the suite's operator, whatever happened here.
		if err := runner.restorePlain(); err != nil {
			t.Errorf("restarting the suite's operator: %v", err)
		}
	})

	var scenarios []*crashScenario
	for _, flinkVersion := range flinkVersions {
		v := crashVersion{name: flinkVersion.name, version: flinkVersion.version, image: flinkVersion.image}
		savepoint := savepointUpgradeScenario(v)
		lastState, health := lastStateAndHealthScenarios(v)
		sessionJob, snapshot := sessionJobAndSnapshotScenarios(t, v)
		blueGreen := blueGreenScenario(v)
		scenarios = append(scenarios, savepoint, lastState, sessionJob, blueGreen, snapshot, health)
	}
	var wg sync.WaitGroup
	failures := make([]string, len(scenarios))
	for i, scenario := range scenarios {
		wg.Add(1)
		go func() {
			defer wg.Done()
			failures[i] = catchFailure(func(g Gomega) {
				scenario.setup(g)
				t.Logf("%s: set up after %s", scenario.name, time.Since(started).Round(time.Second))
				runner.runChain(g, scenario)
				t.Logf("%s: chain of %d kills done after %s", scenario.name, len(scenario.chain), time.Since(started).Round(time.Second))
				scenario.verify(g)
				close(scenario.verified)
				t.Logf("%s: verified after %s", scenario.name, time.Since(started).Round(time.Second))
			})
		}()
	}
	wg.Wait()
	for i, failure := range failures {
		if failure != "" {
			t.Errorf("%s: %s", scenarios[i].name, failure)
		}
	}
	t.Logf("crash chains on real Flink: %d scenarios, %d kills, %s", len(scenarios), runner.kills, time.Since(started).Round(time.Second))
	for _, scenario := range scenarios {
		scenario.cleanup()
	}
}

// crashVersion is the Flink line a scenario runs on.
type crashVersion struct {
	name    string
	version flinkv1beta1.FlinkVersion
	image   string
}

// crashScenario is one operation killed along a chain.
type crashScenario struct {
	name string
	// kind, namespace and object name the chain's crash points.
	kind, namespace, object string
	// chain is the steps it is killed at (test/crash).
	chain []string
	// setup creates the resources and waits until the operation can start.
	setup func(g Gomega)
	// act starts the operation, once the first armed operator runs.
	act func(g Gomega)
	// afterKill checks, with no operator running, that kill n (from 0) left what its point claims: the intent
	// recorded and Flink not asked, or Flink asked and its result not recorded.
	afterKill func(g Gomega, n int)
	// verify checks the end state, in Kubernetes and in Flink.
	verify func(g Gomega)
	// verified is closed once verify passed (a scenario on the same resources waits for it).
	verified chan struct{}
	// cleanup deletes the scenario's resources, so their Flink processes stop before later tests.
	cleanup func()
}

func newCrashScenario(v crashVersion, kind, object, scenarioKind string, chain []string) *crashScenario {
	return &crashScenario{name: v.name + "/" + scenarioKind, kind: kind, object: object, chain: chain,
		verified: make(chan struct{}), cleanup: func() {}}
}

// chainRunner owns the one operator process and hands it to the scenarios' chains one at a time, in the order
// they are ready.
type chainRunner struct {
	t *testing.T
	// chain is held by the chain that runs.
	chain sync.Mutex
	// mu guards current and kills.
	mu sync.Mutex
	// current is the running operator (armed or not).
	current *operatorProcess
	// armed: current has a crash point.
	armed bool
	kills int
}

// replace stops the current operator and starts one armed with point (none: nil).
func (r *chainRunner) replace(point *failpoint.Point) (*operatorProcess, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current != nil {
		if err := r.current.stop(); err != nil {
			return nil, err
		}
	}
	var err error
	if point == nil {
		r.current, err = startOperatorProcess("operator.log")
		r.armed = false
	} else {
		r.kills++
		r.current, err = startOperatorProcess(fmt.Sprintf("operator-crash-%02d.log", r.kills), failpoint.EnvVar+"="+point.String())
		r.armed = true
	}
	operator = r.current
	return r.current, err
}

// restorePlain leaves the suite with an operator without a crash point, running.
func (r *chainRunner) restorePlain() error {
	r.mu.Lock()
	current, armed := r.current, r.armed
	r.mu.Unlock()
	if current != nil && !armed {
		select {
		case <-current.exited:
		default:
			return nil
		}
	}
	_, err := r.replace(nil)
	return err
}

// runChain waits until no other chain runs, then kills an operator at each point of the scenario's chain and
// leaves an operator without a crash point running.
func (r *chainRunner) runChain(g Gomega, scenario *crashScenario) {
	r.chain.Lock()
	defer r.chain.Unlock()
	points := crash.Points(scenario.kind, scenario.namespace, scenario.object, scenario.chain)
	for n, point := range points {
		process, err := r.replace(&point)
		g.Expect(err).NotTo(HaveOccurred())
		if n == 0 {
			scenario.act(g)
		}
		g.Eventually(process.exited, crashTimeout).Should(BeClosed(), "crash point %d of %d never reached: %s", n+1, len(points), point)
		var exit *exec.ExitError
		g.Expect(errors.As(process.err, &exit)).To(BeTrue(), "the operator died at %s: %v", point, process.err)
		waitStatus, ok := exit.Sys().(syscall.WaitStatus)
		g.Expect(ok && waitStatus.Signaled() && waitStatus.Signal() == syscall.SIGKILL).To(BeTrue(),
			"the operator died of SIGKILL at %s, not of %v", point, process.err)
		logged, err := os.ReadFile(process.logPath)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(string(logged)).To(ContainSubstring(failpoint.Reached(point)+"\n"), "the operator logged its crash point")
		if scenario.afterKill != nil {
			scenario.afterKill(g, n)
		}
	}
	_, err := r.replace(nil)
	g.Expect(err).NotTo(HaveOccurred())
}

// catchFailure runs body with a Gomega whose failures end body, and returns the first failure ("" if none), so
// scenarios can run in goroutines of their own.
func catchFailure(body func(g Gomega)) (failure string) {
	type failed struct{ message string }
	defer func() {
		if recovered := recover(); recovered != nil {
			if f, ok := recovered.(failed); ok {
				failure = f.message
				return
			}
			failure = fmt.Sprint("panic: ", recovered)
		}
	}()
	body(NewGomega(func(message string, _ ...int) { panic(failed{message}) }))
	return ""
}

// savepointUpgradeScenario: a FlinkDeployment changed with upgradeMode savepoint.
func savepointUpgradeScenario(v crashVersion) *crashScenario {
	scenario := newCrashScenario(v, failpoint.KindFlinkDeployment, "crash-sp", "savepoint", crash.SavepointUpgradeChain)
	var deployment *flinkv1beta1.FlinkDeployment
	var firstJob string
	scenario.setup = func(g Gomega) {
		scenario.namespace = stk.NewNamespace(g, "crash")
		deployment = crashDeployment(scenario.namespace, scenario.object, v, flinkv1beta1.UpgradeModeSavepoint)
		createEventually(g, deployment)
		firstJob = crashReady(g, deployment, 1).Status.JobStatus.JobID
		scenario.cleanup = func() { deleteQuietly(deployment) }
	}
	scenario.act = func(g Gomega) { renamePipeline(g, deployment, "crash-sp-v2") }
	var trigger string
	scenario.afterKill = func(g Gomega, n int) {
		current := fetchDeployment(g, deployment)
		switch scenario.chain[n] {
		case "StopWithSavepoint/intent":
			trigger = current.Status.JobStatus.SavepointInfo.TriggerID
			g.Expect(trigger).NotTo(BeEmpty(), "the trigger id is recorded")
			g.Expect(jobState(g, current.Namespace, current.Name, firstJob)).To(BeEquivalentTo("RUNNING"), "Flink was not asked")
			g.Expect(savepointCount(g, scenario.namespace, v)).To(Equal(0))
		case "AwaitSavepoint":
			g.Expect(current.Status.JobStatus.SavepointInfo.TriggerID).To(Equal(trigger), "sent again under the recorded id, result not recorded")
			eventuallyJobState(g, current.Namespace, current.Name, firstJob, "FINISHED")
			g.Eventually(func(g Gomega) int { return savepointCount(g, scenario.namespace, v) }, crashTimeout, interval).Should(Equal(1))
		default:
			afterClusterKill(g, current, scenario.chain[n], firstJob, 1)
		}
	}
	scenario.verify = func(g Gomega) {
		var current *flinkv1beta1.FlinkDeployment
		g.Eventually(func(g Gomega) {
			current = crashReady(g, deployment, 2)
			g.Expect(current.Status.JobStatus.JobID).NotTo(Equal(firstJob))
			job := onlyRunningJob(g, current.Namespace, current.Name)
			restored, _ := restoredOf(g, current.Namespace, current.Name, job)
			g.Expect(samePaths(restored, current.Status.JobStatus.SavepointInfo.LastSavepoint.Location)).To(BeTrue(),
				"restored from the upgrade's savepoint: %s", restored)
			g.Expect(samePaths(restored, current.Status.JobStatus.UpgradeSavepointPath)).To(BeTrue())
		}, crashTimeout, interval).Should(Succeed())
		g.Expect(savepointCount(g, scenario.namespace, v)).To(Equal(1), "exactly one savepoint was taken")
		g.Expect(runtime.Starts(current.Namespace, current.Name)).To(Equal(2), "the old JobManager and one new one")
	}
	return scenario
}

// lastStateAndHealthScenarios: a FlinkDeployment upgraded with last-state (no HA: its latest checkpoint, kept
// by RETAIN_ON_CANCELLATION), then restarted by the health check for lack of checkpoint progress. Both restore
// the checkpoint the test took before, by id.
func lastStateAndHealthScenarios(v crashVersion) (*crashScenario, *crashScenario) {
	lastState := newCrashScenario(v, failpoint.KindFlinkDeployment, "crash-ls", "last-state", crash.LastStateUpgradeChain)
	health := newCrashScenario(v, failpoint.KindFlinkDeployment, "crash-ls", "health", crash.HealthRestartChain)
	var deployment *flinkv1beta1.FlinkDeployment
	var firstJob, upgradedJob string
	var upgradeCheckpoint, restartCheckpoint int64
	lastState.setup = func(g Gomega) {
		lastState.namespace = stk.NewNamespace(g, "crash")
		health.namespace = lastState.namespace
		deployment = crashDeployment(lastState.namespace, lastState.object, v, flinkv1beta1.UpgradeModeLastState,
			// Only the checkpoints the test takes exist (Flink fires the first periodic one at random before the
			// interval), so the newest state is known.
			"execution.checkpointing.interval", "1 h", "execution.checkpointing.min-pause", "1 h")
		createEventually(g, deployment)
		firstJob = crashReady(g, deployment, 1).Status.JobStatus.JobID
		upgradeCheckpoint = checkpointOf(g, deployment)
		lastState.cleanup = func() { deleteQuietly(deployment) }
	}
	lastState.act = func(g Gomega) { renamePipeline(g, deployment, "crash-ls-v2") }
	lastState.afterKill = func(g Gomega, n int) {
		current := fetchDeployment(g, deployment)
		switch lastState.chain[n] {
		case "CheckpointAndCancel/intent":
			g.Expect(current.Status.JobStatus.UpgradeSavepointPath).To(ContainSubstring(fmt.Sprintf("chk-%d", upgradeCheckpoint)),
				"the newest checkpoint is recorded")
			g.Expect(jobState(g, current.Namespace, current.Name, firstJob)).To(BeEquivalentTo("RUNNING"), "Flink was not asked")
		case "CheckpointAndCancel":
			eventuallyJobState(g, current.Namespace, current.Name, firstJob, "CANCELED")
		default:
			afterClusterKill(g, current, lastState.chain[n], firstJob, 1)
		}
	}
	lastState.verify = func(g Gomega) {
		var current *flinkv1beta1.FlinkDeployment
		g.Eventually(func(g Gomega) {
			current = crashReady(g, deployment, 2)
			g.Expect(current.Status.JobStatus.JobID).NotTo(Equal(firstJob))
			job := onlyRunningJob(g, current.Namespace, current.Name)
			restored, id := restoredOf(g, current.Namespace, current.Name, job)
			g.Expect(id).To(Equal(upgradeCheckpoint), "restored from the newest checkpoint")
			g.Expect(samePaths(restored, current.Status.JobStatus.UpgradeSavepointPath)).To(BeTrue(), "the path the upgrade recorded")
			upgradedJob = job
		}, crashTimeout, interval).Should(Succeed())
		g.Expect(savepointCount(g, lastState.namespace, v)).To(Equal(0), "a last-state hand-over takes no savepoint")
		g.Expect(runtime.Starts(current.Namespace, current.Name)).To(Equal(2), "the old JobManager and one new one")
	}

	health.setup = func(g Gomega) {
		g.Eventually(lastState.verified, crashTimeout).Should(BeClosed(), "the last-state upgrade finished first")
		restartCheckpoint = checkpointOf(g, deployment)
		g.Expect(restartCheckpoint).To(BeNumerically(">", upgradeCheckpoint))
	}
	health.act = func(g Gomega) {
		updateEventually(g, deployment, func(d *flinkv1beta1.FlinkDeployment) {
			builders.WithConfig(operatorconfig.KeyHealthCheckEnabled, "true",
				operatorconfig.KeyHealthCheckCheckpointProgress, "true",
				operatorconfig.KeyHealthCheckCheckpointWindow, healthWindow)(d)
		})
	}
	health.afterKill = func(g Gomega, n int) {
		current := fetchDeployment(g, deployment)
		switch health.chain[n] {
		case "BeginRestart":
			g.Expect(current.Status.ClusterHealth).NotTo(BeNil())
			g.Expect(current.Status.ClusterHealth.Restarts).To(BeNumerically(">=", 1), "the restart is recorded")
			g.Expect(current.Status.JobStatus.UpgradeSavepointPath).To(ContainSubstring(fmt.Sprintf("chk-%d", restartCheckpoint)),
				"with the newest checkpoint")
			g.Expect(jobState(g, current.Namespace, current.Name, upgradedJob)).To(BeEquivalentTo("RUNNING"), "Flink was not asked")
		case "Cancel":
			eventuallyJobState(g, current.Namespace, current.Name, upgradedJob, "CANCELED")
		default:
			afterClusterKill(g, current, health.chain[n], upgradedJob, 2)
		}
	}
	health.verify = func(g Gomega) {
		g.Eventually(func(g Gomega) {
			current := crashReady(g, deployment, 3)
			g.Expect(current.Status.ClusterHealth).NotTo(BeNil())
			g.Expect(current.Status.ClusterHealth.Restarts).To(BeNumerically(">=", 1))
			job := onlyRunningJob(g, current.Namespace, current.Name)
			g.Expect(job).NotTo(Equal(upgradedJob))
			restored, id := restoredOf(g, current.Namespace, current.Name, job)
			// Without checkpoint progress the restarted job is restarted again after the window, each time from
			// the same, newest checkpoint.
			g.Expect(id).To(Equal(restartCheckpoint), "restored from the newest checkpoint")
			g.Expect(samePaths(restored, current.Status.JobStatus.UpgradeSavepointPath)).To(BeTrue())
		}, crashTimeout, interval).Should(Succeed())
		g.Expect(savepointCount(g, health.namespace, v)).To(Equal(0), "a health restart takes no savepoint")
	}
	return lastState, health
}

// sessionJobAndSnapshotScenarios: a FlinkSessionJob upgraded with upgradeMode savepoint, then a
// FlinkStateSnapshot savepoint of the upgraded job (into a directory of its own).
func sessionJobAndSnapshotScenarios(t *testing.T, v crashVersion) (*crashScenario, *crashScenario) {
	sessionJob := newCrashScenario(v, failpoint.KindFlinkSessionJob, "crash-job", "session-job", crash.SessionJobSavepointUpgradeChain)
	snapshotScenario := newCrashScenario(v, failpoint.KindFlinkStateSnapshot, "crash-snapshot", "snapshot", crash.SnapshotTriggerChain)
	version := flinkdist.Flink1
	if v.version.IsEqualOrNewer(flinkv1beta1.FlinkVersionV2_0) {
		version = flinkdist.Flink2
	}
	jarURI := serveExampleJar(t, version)
	var session *flinkv1beta1.FlinkDeployment
	var job *flinkv1beta1.FlinkSessionJob
	var firstJob, upgradedJob string
	sessionJob.setup = func(g Gomega) {
		sessionJob.namespace = stk.NewNamespace(g, "crash")
		snapshotScenario.namespace = sessionJob.namespace
		session = builders.NewFlinkDeployment("crash-session", builders.InNamespace(sessionJob.namespace), builders.WithSessionCluster(),
			builders.WithImage(v.image), builders.WithFlinkVersion(v.version),
			builders.WithConfig(stateDirs(sessionJob.namespace, v.version)...))
		createEventually(g, session)
		crashReady(g, session, 1)
		job = builders.NewFlinkSessionJob(sessionJob.object, sessionJob.namespace, session.Name, jarURI,
			builders.WithSessionJobUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
		createEventually(g, job)
		firstJob = sessionJobReady(g, job, 1).Status.JobStatus.JobID
		sessionJob.cleanup = func() { deleteQuietly(job); deleteQuietly(session) }
	}
	sessionJob.act = func(g Gomega) {
		g.Eventually(func() error {
			current := &flinkv1beta1.FlinkSessionJob{}
			if err := env.Client.Get(context.Background(), client.ObjectKeyFromObject(job), current); err != nil {
				return err
			}
			builders.WithSessionJobConfig("pipeline.name", "crash-job-v2")(current)
			return env.Client.Update(context.Background(), current)
		}, crashTimeout, interval).Should(Succeed())
	}
	var trigger, submitted string
	sessionJob.afterKill = func(g Gomega, n int) {
		current := &flinkv1beta1.FlinkSessionJob{}
		g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(job), current)).To(Succeed())
		info := current.Status.JobStatus.SavepointInfo
		switch sessionJob.chain[n] {
		case "StopWithSavepoint/intent":
			g.Expect(info).NotTo(BeNil())
			trigger = info.TriggerID
			g.Expect(trigger).NotTo(BeEmpty(), "the trigger id is recorded")
			g.Expect(jobState(g, session.Namespace, session.Name, firstJob)).To(BeEquivalentTo("RUNNING"), "Flink was not asked")
			g.Expect(savepointCount(g, sessionJob.namespace, v)).To(Equal(0))
		case "AwaitSavepoint":
			g.Expect(info.TriggerID).To(Equal(trigger), "sent again under the recorded id, result not recorded")
			eventuallyJobState(g, session.Namespace, session.Name, firstJob, "FINISHED")
			g.Eventually(func(g Gomega) int { return savepointCount(g, sessionJob.namespace, v) }, crashTimeout, interval).Should(Equal(1))
		case "Submit/intent":
			submitted = current.Status.JobStatus.JobID
			g.Expect(submitted).NotTo(Equal(firstJob), "the new job's id is recorded")
			g.Expect(jobState(g, session.Namespace, session.Name, submitted)).To(BeEmpty(), "Flink was not asked")
		case "Submit":
			g.Expect(current.Status.JobStatus.JobID).To(Equal(submitted))
			g.Expect(jobState(g, session.Namespace, session.Name, submitted)).NotTo(BeEmpty(), "Flink runs the job under the recorded id")
		}
	}
	sessionJob.verify = func(g Gomega) {
		g.Eventually(func(g Gomega) {
			current := sessionJobReady(g, job, 2)
			upgradedJob = current.Status.JobStatus.JobID
			g.Expect(upgradedJob).NotTo(Equal(firstJob))
			g.Expect(onlyRunningJob(g, session.Namespace, session.Name)).To(Equal(upgradedJob), "one job runs, the new one")
			restored, _ := restoredOf(g, session.Namespace, session.Name, upgradedJob)
			g.Expect(samePaths(restored, current.Status.JobStatus.SavepointInfo.LastSavepoint.Location)).To(BeTrue(),
				"restored from the upgrade's savepoint: %s", restored)
			g.Expect(samePaths(restored, current.Status.JobStatus.UpgradeSavepointPath)).To(BeTrue())
		}, crashTimeout, interval).Should(Succeed())
		g.Expect(savepointCount(g, sessionJob.namespace, v)).To(Equal(1), "exactly one savepoint was taken")
	}

	var snapshot *flinkv1beta1.FlinkStateSnapshot
	snapshotDir := func() string { return filepath.Join(outputDir, "state", snapshotScenario.namespace, "snapshots") }
	snapshotScenario.setup = func(g Gomega) {
		g.Eventually(sessionJob.verified, crashTimeout).Should(BeClosed(), "the session job upgrade finished first")
		snapshot = builders.NewSavepoint(snapshotScenario.object, snapshotScenario.namespace, "", builders.OfSessionJob(job.Name))
		snapshot.Spec.Savepoint.Path = "file://" + snapshotDir()
	}
	snapshotScenario.act = func(g Gomega) { createEventually(g, snapshot) }
	var snapshotTrigger string
	snapshotScenario.afterKill = func(g Gomega, n int) {
		current := &flinkv1beta1.FlinkStateSnapshot{}
		g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(snapshot), current)).To(Succeed())
		g.Expect(current.Status.State).NotTo(BeElementOf(flinkv1beta1.SnapshotStateInProgress, flinkv1beta1.SnapshotStateCompleted),
			"Flink's answer is not recorded")
		entries, _ := os.ReadDir(snapshotDir())
		switch snapshotScenario.chain[n] {
		case "Trigger/intent":
			snapshotTrigger = current.Status.TriggerID
			g.Expect(snapshotTrigger).NotTo(BeEmpty(), "the trigger id is recorded")
			g.Expect(entries).To(BeEmpty(), "Flink was not asked")
		case "Trigger":
			g.Expect(current.Status.TriggerID).To(Equal(snapshotTrigger), "sent under the recorded id")
			g.Eventually(func() ([]os.DirEntry, error) { return os.ReadDir(snapshotDir()) }, crashTimeout, interval).Should(HaveLen(1),
				"Flink took the savepoint")
		}
	}
	snapshotScenario.verify = func(g Gomega) {
		var path string
		g.Eventually(func(g Gomega) {
			current := &flinkv1beta1.FlinkStateSnapshot{}
			g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(snapshot), current)).To(Succeed())
			g.Expect(current.Status.State).To(Equal(flinkv1beta1.SnapshotStateCompleted), "status: %+v", current.Status)
			path = current.Status.Path
		}, crashTimeout, interval).Should(Succeed())
		entries, err := os.ReadDir(snapshotDir())
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(entries).To(HaveLen(1), "exactly one savepoint was taken")
		g.Expect(samePaths(path, filepath.Join(snapshotDir(), entries[0].Name()))).To(BeTrue())
		_, err = os.Stat(filepath.Join(snapshotDir(), entries[0].Name(), "_metadata"))
		g.Expect(err).NotTo(HaveOccurred(), "Flink wrote the savepoint")
		g.Expect(onlyRunningJob(g, session.Namespace, session.Name)).To(Equal(upgradedJob), "the same job, never restarted")
		g.Expect(savepointCount(g, sessionJob.namespace, v)).To(Equal(1), "no other savepoint in the cluster's directory")
	}
	return sessionJob, snapshotScenario
}

// blueGreenScenario: a BASIC blue/green transition with a savepoint hand-over.
func blueGreenScenario(v crashVersion) *crashScenario {
	scenario := newCrashScenario(v, failpoint.KindFlinkBlueGreenDeployment, "crash-bg", "blue-green", crash.BlueGreenTransitionChain)
	var bg *flinkv1beta1.FlinkBlueGreenDeployment
	scenario.setup = func(g Gomega) {
		scenario.namespace = stk.NewNamespace(g, "crash")
		bg = builders.NewFlinkBlueGreenDeployment(scenario.object, []builders.DeploymentOption{
			builders.InNamespace(scenario.namespace), builders.WithImage(v.image),
			builders.WithFlinkVersion(v.version), builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint),
			builders.WithParallelism(1), builders.WithEntryClass(flinkdist.TopSpeedWindowingClass),
			builders.WithConfig(stateDirs(scenario.namespace, v.version)...),
		}, builders.WithBlueGreenConfig("kubernetes.operator.bluegreen.abort.grace-period", "5 min",
			"kubernetes.operator.bluegreen.deployment-deletion.delay", "1 s"))
		createEventually(g, bg)
		g.Eventually(func(g Gomega) {
			current := blueGreenOf(g, bg)
			g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
			g.Expect(kstatus(g, current)).To(Equal(status.CurrentStatus), "status: %+v", current.Status)
			g.Expect(current.Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenActiveBlue))
		}, crashTimeout, interval).Should(Succeed())
		scenario.cleanup = func() { deleteQuietly(bg) }
	}
	scenario.act = func(g Gomega) {
		g.Eventually(func() error {
			current := &flinkv1beta1.FlinkBlueGreenDeployment{}
			if err := env.Client.Get(context.Background(), client.ObjectKeyFromObject(bg), current); err != nil {
				return err
			}
			current.Spec.Template.Spec.Image = v.image + "-next"
			return env.Client.Update(context.Background(), current)
		}, crashTimeout, interval).Should(Succeed())
	}
	scenario.afterKill = func(g Gomega, n int) {
		current := blueGreenOf(g, bg)
		children := &flinkv1beta1.FlinkDeploymentList{}
		g.Expect(env.Client.List(context.Background(), children, client.InNamespace(scenario.namespace))).To(Succeed())
		names := []string{}
		for _, child := range children.Items {
			if child.DeletionTimestamp.IsZero() {
				names = append(names, child.Name)
			}
		}
		switch scenario.chain[n] {
		case "Intent SAVEPOINTING_BLUE":
			g.Expect(current.Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenSavepointingBlue), "the intent is recorded")
			g.Expect(savepointCount(g, scenario.namespace, v)).To(Equal(0), "Flink was not asked")
		case "TriggerSavepoint(BLUE)":
			g.Eventually(func(g Gomega) int { return savepointCount(g, scenario.namespace, v) }, crashTimeout, interval).Should(Equal(1),
				"Flink took blue's savepoint")
		case "Intent TRANSITIONING_TO_GREEN":
			g.Expect(current.Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenTransitioningToGreen), "the intent is recorded")
			g.Expect(names).To(ConsistOf(scenario.object+"-blue"), "green not created yet")
		case "ApplyChild(GREEN)":
			g.Expect(names).To(ConsistOf(scenario.object+"-blue", scenario.object+"-green"), "green created")
		case "DeleteChild(BLUE)":
			g.Expect(names).To(ConsistOf(scenario.object+"-green"), "blue deleted")
			g.Expect(current.Status.BlueGreenState).NotTo(Equal(flinkv1beta1.BlueGreenActiveGreen), "ACTIVE_GREEN not recorded")
		}
	}
	scenario.verify = func(g Gomega) {
		green := client.ObjectKey{Namespace: scenario.namespace, Name: scenario.object + "-green"}
		g.Eventually(func(g Gomega) {
			current := blueGreenOf(g, bg)
			g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
			g.Expect(kstatus(g, current)).To(Equal(status.CurrentStatus), "status: %+v", current.Status)
			g.Expect(current.Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenActiveGreen))
			g.Expect(runtime.Cluster(scenario.namespace, scenario.object+"-blue")).To(BeNil(), "blue's processes are gone")
			child := &flinkv1beta1.FlinkDeployment{}
			g.Expect(env.Client.Get(context.Background(), green, child)).To(Succeed())
			job := onlyRunningJob(g, green.Namespace, green.Name)
			restored, _ := restoredOf(g, green.Namespace, green.Name, job)
			g.Expect(child.Spec.Job.InitialSavepointPath).NotTo(BeEmpty())
			g.Expect(samePaths(restored, child.Spec.Job.InitialSavepointPath)).To(BeTrue(), "green restored from blue's savepoint")
		}, crashTimeout, interval).Should(Succeed())
		g.Expect(savepointCount(g, scenario.namespace, v)).To(Equal(1), "exactly one savepoint was taken")
		g.Expect(runtime.Starts(green.Namespace, green.Name)).To(Equal(1), "green's job started once")
	}
	return scenario
}

// afterClusterKill checks the FlinkDeployment kill points that replace the cluster: the old job's removal
// recorded and its cluster still there; the cluster deleted; the new one created.
// starts is how many clusters of the deployment had started before the operation.
func afterClusterKill(g Gomega, current *flinkv1beta1.FlinkDeployment, step, oldJob string, starts int) {
	switch step {
	case "DeleteCluster/intent":
		g.Expect(current.Status.ClusterRemovedJobID).To(Equal(oldJob), "the hand-over is recorded")
		g.Expect(runtime.Cluster(current.Namespace, current.Name)).NotTo(BeNil(), "the old cluster is still there")
		g.Expect(runtime.Starts(current.Namespace, current.Name)).To(Equal(starts))
	case "DeleteCluster":
		g.Eventually(func() any { return runtime.Cluster(current.Namespace, current.Name) }, crashTimeout, interval).Should(BeNil(),
			"the old cluster is deleted")
		g.Expect(runtime.Starts(current.Namespace, current.Name)).To(Equal(starts))
	case "Deploy":
		g.Eventually(func() int { return runtime.Starts(current.Namespace, current.Name) }, crashTimeout, interval).Should(Equal(starts+1),
			"the new cluster is created")
	default:
		g.Expect(step).To(BeEmpty(), "a kill point without a check")
	}
}

func fetchDeployment(g Gomega, deployment *flinkv1beta1.FlinkDeployment) *flinkv1beta1.FlinkDeployment {
	current := &flinkv1beta1.FlinkDeployment{}
	g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(deployment), current)).To(Succeed())
	return current
}

// jobState asks Flink for a job's state on cluster namespace/name ("" when Flink does not know the job).
func jobState(g Gomega, namespace, name, jobID string) flink.JobState {
	jobs, err := restClient(g, namespace, name).ListJobs(context.Background())
	g.Expect(err).NotTo(HaveOccurred())
	for _, job := range jobs {
		if job.ID == jobID {
			return job.State
		}
	}
	return ""
}

func eventuallyJobState(g Gomega, namespace, name, jobID string, want flink.JobState) {
	g.Eventually(func(g Gomega) flink.JobState { return jobState(g, namespace, name, jobID) }, crashTimeout, interval).
		Should(Equal(want), "job %s", jobID)
}

// crashDeployment is TopSpeedWindowing with its own state directories.
func crashDeployment(namespace, name string, v crashVersion, mode flinkv1beta1.UpgradeMode, config ...string) *flinkv1beta1.FlinkDeployment {
	return builders.NewFlinkDeployment(name, builders.InNamespace(namespace),
		builders.WithImage(v.image), builders.WithFlinkVersion(v.version),
		builders.WithUpgradeMode(mode), builders.WithParallelism(1),
		builders.WithEntryClass(flinkdist.TopSpeedWindowingClass),
		builders.WithConfig(append(stateDirs(namespace, v.version), config...)...))
}

// createEventually creates obj, retrying while no operator serves the admission webhooks (between two).
func createEventually(g Gomega, obj client.Object) {
	g.Eventually(func() error {
		err := env.Client.Create(context.Background(), obj.DeepCopyObject().(client.Object))
		if err != nil && strings.Contains(err.Error(), "already exists") {
			return nil
		}
		return err
	}, crashTimeout, interval).Should(Succeed())
}

func updateEventually(g Gomega, deployment *flinkv1beta1.FlinkDeployment, change func(*flinkv1beta1.FlinkDeployment)) {
	g.Eventually(func() error {
		current := &flinkv1beta1.FlinkDeployment{}
		if err := env.Client.Get(context.Background(), client.ObjectKeyFromObject(deployment), current); err != nil {
			return err
		}
		change(current)
		return env.Client.Update(context.Background(), current)
	}, crashTimeout, interval).Should(Succeed())
}

// renamePipeline changes pipeline.name: an upgrade with the deployment's upgrade mode.
func renamePipeline(g Gomega, deployment *flinkv1beta1.FlinkDeployment, name string) {
	updateEventually(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { builders.WithConfig("pipeline.name", name)(d) })
}

// crashReady waits until generation is Ready (kstatus Current) with its job running.
func crashReady(g Gomega, deployment *flinkv1beta1.FlinkDeployment, generation int64) *flinkv1beta1.FlinkDeployment {
	current := &flinkv1beta1.FlinkDeployment{}
	g.Eventually(func(g Gomega) {
		g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(deployment), current)).To(Succeed())
		g.Expect(current.Generation).To(Equal(generation))
		g.Expect(current.Status.ObservedGeneration).To(Equal(generation))
		g.Expect(kstatus(g, current)).To(Equal(status.CurrentStatus), "status: %+v", current.Status)
		if current.Spec.Job != nil {
			g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
		}
	}, crashTimeout, interval).Should(Succeed())
	return current
}

func sessionJobReady(g Gomega, job *flinkv1beta1.FlinkSessionJob, generation int64) *flinkv1beta1.FlinkSessionJob {
	current := &flinkv1beta1.FlinkSessionJob{}
	g.Eventually(func(g Gomega) {
		g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(job), current)).To(Succeed())
		g.Expect(current.Generation).To(Equal(generation))
		g.Expect(current.Status.ObservedGeneration).To(Equal(generation))
		g.Expect(kstatus(g, current)).To(Equal(status.CurrentStatus), "status: %+v", current.Status)
		g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
	}, crashTimeout, interval).Should(Succeed())
	return current
}

func blueGreenOf(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment) *flinkv1beta1.FlinkBlueGreenDeployment {
	current := &flinkv1beta1.FlinkBlueGreenDeployment{}
	g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(bg), current)).To(Succeed())
	return current
}

// restClient reaches the JobManager of cluster namespace/name through Flink's REST API.
func restClient(g Gomega, namespace, name string) *flink.Client {
	cluster := runtime.Cluster(namespace, name)
	g.Expect(cluster).NotTo(BeNil(), "no JobManager runs for %s/%s", namespace, name)
	c, err := flink.New(cluster.URL(), flink.Options{})
	g.Expect(err).NotTo(HaveOccurred())
	return c
}

// onlyRunningJob asks Flink for the cluster's jobs: exactly one is not terminal, and it runs. Its id is
// returned.
func onlyRunningJob(g Gomega, namespace, name string) string {
	jobs, err := restClient(g, namespace, name).ListJobs(context.Background())
	g.Expect(err).NotTo(HaveOccurred())
	var active []flink.JobOverview
	for _, job := range jobs {
		switch job.State {
		case "FINISHED", "CANCELED", "FAILED":
		default:
			active = append(active, job)
		}
	}
	g.Expect(active).To(HaveLen(1), "one job and no second one: %+v", jobs)
	g.Expect(active[0].State).To(BeEquivalentTo("RUNNING"))
	return active[0].ID
}

// restoredOf asks Flink where a job restored from: the external path and the checkpoint id.
func restoredOf(g Gomega, namespace, name, jobID string) (string, int64) {
	statistics, err := restClient(g, namespace, name).CheckpointStatistics(context.Background(), jobID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(statistics.Latest.Restored).NotTo(BeNil(), "job %s restored from state", jobID)
	return statistics.Latest.Restored.ExternalPath, statistics.Latest.Restored.ID
}

// checkpointOf takes a checkpoint of the deployment's running job through Flink's REST API and returns its id.
func checkpointOf(g Gomega, deployment *flinkv1beta1.FlinkDeployment) int64 {
	return takeCheckpoint(g, deployment, crashTimeout, func(g Gomega) (*flink.Client, string) {
		return restClient(g, deployment.Namespace, deployment.Name), onlyRunningJob(g, deployment.Namespace, deployment.Name)
	})
}

// savepointCount counts the savepoints Flink wrote into the namespace's savepoint directory.
func savepointCount(g Gomega, namespace string, v crashVersion) int {
	dirs := stateDirs(namespace, v.version)
	var savepoints string
	for i := 0; i+1 < len(dirs); i += 2 {
		if strings.HasSuffix(dirs[i], "savepoint-dir") || dirs[i] == "state.savepoints.dir" {
			savepoints = strings.TrimPrefix(dirs[i+1], "file://")
		}
	}
	g.Expect(savepoints).NotTo(BeEmpty())
	entries, err := os.ReadDir(savepoints)
	if os.IsNotExist(err) {
		return 0
	}
	g.Expect(err).NotTo(HaveOccurred())
	count := 0
	for _, entry := range entries {
		if entry.IsDir() && strings.HasPrefix(entry.Name(), "savepoint-") {
			count++
		}
	}
	return count
}

// samePaths compares Flink locations that may differ in the file: prefix form.
func samePaths(a, b string) bool {
	trim := func(s string) string { return strings.TrimPrefix(strings.TrimPrefix(s, "file://"), "file:") }
	return a != "" && trim(a) == trim(b)
}

// serveExampleJar serves the TopSpeedWindowing jar of a distribution over loopback HTTP.
func serveExampleJar(t *testing.T, version string) string {
	dist, err := flinkdist.Locate(version)
	if err != nil {
		t.Fatal(err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := &http.Server{Handler: http.FileServer(http.Dir(filepath.Dir(dist.TopSpeedWindowingJar())))}
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(func() { _ = server.Close() })
	return "http://" + listener.Addr().String() + "/" + filepath.Base(dist.TopSpeedWindowingJar())
}

// deleteQuietly deletes a scenario's resource so its Flink processes stop; the operator finishes it later.
func deleteQuietly(obj client.Object) {
	if obj != nil {
		_ = env.Client.Delete(context.Background(), obj)
	}
}
