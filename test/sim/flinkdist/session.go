package flinkdist

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultStartTimeout is how long StartSession waits for the REST endpoint and a TaskManager: two JVMs on a
// busy two-core machine take well over a minute at worst.
const DefaultStartTimeout = 3 * time.Minute

// SessionOptions configure a session cluster.
type SessionOptions struct {
	// Dir holds the generated configuration, the logs and the checkpoint and savepoint directories. Required.
	Dir string
	// TaskSlots is taskmanager.numberOfTaskSlots; 0 means 2.
	TaskSlots int
	// WithoutDefaultSavepointDir leaves state.savepoints.dir unset, so a savepoint without a target directory is
	// rejected (HTTP 400), as on a cluster configured without one.
	WithoutDefaultSavepointDir bool
	// CheckpointInterval is execution.checkpointing.interval; 0 means 2s, negative disables periodic checkpoints.
	CheckpointInterval time.Duration
	// Config adds or overrides configuration keys (flat keys such as "jobmanager.scheduler").
	Config map[string]string
	// StartTimeout bounds the start; 0 means DefaultStartTimeout.
	StartTimeout time.Duration
}

// Session is a running standalone session cluster.
type Session struct {
	// RESTURL is the JobManager's REST endpoint, such as "http://127.0.0.1:40123".
	RESTURL string
	// ConfDir holds the generated config.yaml and log4j configuration.
	ConfDir string
	// LogDir holds jobmanager.log and taskmanager.log (each process's stdout and stderr).
	LogDir string
	// CheckpointDir is state.checkpoints.dir as a local path.
	CheckpointDir string
	// SavepointDir is state.savepoints.dir as a local path (the directory exists even when unset in Flink).
	SavepointDir string

	// id is the random value of sessionIDKey in this session's configuration.
	id          string
	jobManager  *process
	taskManager *process
}

// startAttempts bounds StartSession's tries: each try takes fresh ports, so a port another process took between
// FreePorts and the JVM binding it (other clusters on a shared machine choose from the same ephemeral range)
// costs one try, not the test.
const startAttempts = 3

// sessionIDKey carries a random value in each session's configuration; waitReady requires it in the answering
// JobManager's configuration, so a foreign cluster that bound the chosen REST port is never mistaken for this one.
const sessionIDKey = "teal.flinkdist.session-id"

// StartSession starts a JobManager and a TaskManager from dist and waits until the REST endpoint answers as this
// session's JobManager and a TaskManager registered. A start that loses one of its ports to another process is
// retried on fresh ports. On error every started process is stopped again.
func StartSession(ctx context.Context, dist Distribution, opts SessionOptions) (*Session, error) {
	if opts.Dir == "" {
		return nil, errors.New("flinkdist: SessionOptions.Dir is required")
	}
	timeout := opts.StartTimeout
	if timeout <= 0 {
		timeout = DefaultStartTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var errs []error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		session, err := startSessionOnce(ctx, dist, opts)
		if err == nil {
			return session, nil
		}
		errs = append(errs, fmt.Errorf("attempt %d: %w", attempt, err))
		if !errors.Is(err, errRetryable) || ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("flink %s session cluster did not become ready: %w", dist.Version, errors.Join(errs...))
}

// errRetryable marks a start that fresh ports may mend: a process exited (a port bound by another process
// between FreePorts and the JVM's bind is the usual cause on a shared machine), or another cluster answers on
// the REST port.
var errRetryable = errors.New("the session's processes did not come up as one cluster")

func startSessionOnce(ctx context.Context, dist Distribution, opts SessionOptions) (*Session, error) {
	session := &Session{
		ConfDir:       filepath.Join(opts.Dir, "conf"),
		LogDir:        filepath.Join(opts.Dir, "log"),
		CheckpointDir: filepath.Join(opts.Dir, "checkpoints"),
		SavepointDir:  filepath.Join(opts.Dir, "savepoints"),
	}
	for _, dir := range []string{session.ConfDir, session.LogDir, session.CheckpointDir, session.SavepointDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating %s: %w", dir, err)
		}
	}
	ports, err := FreePorts(5)
	if err != nil {
		return nil, err
	}
	session.id, err = randomID()
	if err != nil {
		return nil, err
	}
	restPort := ports[0]
	config := sessionConfig(dist, session, opts, ports)
	config[sessionIDKey] = session.id
	if err := writeConfig(session.ConfDir, config); err != nil {
		return nil, err
	}
	moduleFlags, err := dist.javaModuleFlags()
	if err != nil {
		return nil, err
	}
	session.RESTURL = fmt.Sprintf("http://127.0.0.1:%d", restPort)

	session.jobManager, err = startJava(dist, session, moduleFlags, "jobmanager",
		[]string{"-Xms512m", "-Xmx512m", "-XX:MaxMetaspaceSize=256m"},
		"org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint")
	if err != nil {
		return nil, err
	}
	session.taskManager, err = startJava(dist, session, moduleFlags, "taskmanager", taskManagerJVMFlags,
		"org.apache.flink.runtime.taskexecutor.TaskManagerRunner")
	if err != nil {
		session.Stop()
		return nil, err
	}
	if err := session.waitReady(ctx); err != nil {
		session.Stop()
		return nil, fmt.Errorf("%w\n%s", err, session.LogTail(40))
	}
	return session, nil
}

// randomID returns 16 random bytes in hex.
func randomID() (string, error) {
	buf := make([]byte, 16)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("generating a session id: %w", err)
	}
	return hex.EncodeToString(buf), nil
}

// StartSessionForTest starts a session cluster of version under t.TempDir(), fails the test when Flink is not
// installed or does not start, and stops it when the test ends, printing the logs' tail if the test failed.
func StartSessionForTest(t TB, version string, opts SessionOptions) *Session {
	t.Helper()
	dist := Require(t, version)
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	session, err := StartSession(context.Background(), dist, opts)
	if err != nil {
		t.Fatalf("starting Flink %s: %v", version, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Flink %s logs (under %s):\n%s", version, session.LogDir, session.LogTail(60))
		}
		if err := session.Stop(); err != nil {
			t.Errorf("stopping Flink %s: %v", version, err)
		}
	})
	return session
}

// waitReady polls until the REST endpoint answers as this session's JobManager (its configuration carries the
// session id) and a TaskManager registered, or a process exited. Without the id check a cluster of another test
// that bound the same port first passes for this one, and the test runs its jobs there.
func (s *Session) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: 5 * time.Second}
	ticker := time.NewTicker(500 * time.Millisecond)
	defer ticker.Stop()
	lastErr := errors.New("no answer yet")
	for {
		for _, proc := range []*process{s.jobManager, s.taskManager} {
			if exited, err := proc.exited(); exited {
				return fmt.Errorf("%w: %s exited: %v", errRetryable, proc.name, err)
			}
		}
		var overview struct {
			TaskManagers int `json:"taskmanagers"`
			SlotsTotal   int `json:"slots-total"`
		}
		if err := CheckSessionID(ctx, client, s.RESTURL, s.id); errors.Is(err, ErrForeignCluster) {
			// Another cluster bound the port first: this JobManager can never bind it. Try again on fresh ports.
			return fmt.Errorf("%w: %w", errRetryable, err)
		} else if err != nil {
			lastErr = err
		} else if err := getJSON(ctx, client, s.RESTURL+"/overview", &overview); err != nil {
			lastErr = err
		} else if overview.TaskManagers > 0 && overview.SlotsTotal > 0 {
			return nil
		} else {
			lastErr = errors.New("REST answers but no TaskManager registered yet")
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %w)", ctx.Err(), lastErr)
		case <-ticker.C:
		}
	}
}

// SessionIDKey is the configuration key that carries a cluster's random session id (see NewSessionID); a
// readiness check compares it with CheckSessionID, so a foreign cluster on the chosen REST port is rejected.
const SessionIDKey = sessionIDKey

// ErrForeignCluster marks a REST endpoint that answers as another cluster than the one started: the JobManager's
// configuration lacks the expected session id.
var ErrForeignCluster = errors.New("answers as another cluster")

// NewSessionID returns a random value for SessionIDKey.
func NewSessionID() (string, error) { return randomID() }

// CheckSessionID asks restURL's GET /jobmanager/config for SessionIDKey: nil when its value is id, an error
// wrapping ErrForeignCluster when the JobManager answers with another value (or none), and the request's error
// when it does not answer (yet).
func CheckSessionID(ctx context.Context, client *http.Client, restURL, id string) error {
	var config []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	}
	if err := getJSON(ctx, client, restURL+"/jobmanager/config", &config); err != nil {
		return err
	}
	if got := configValue(config, sessionIDKey); got != id {
		return fmt.Errorf("%s %w (%s %q, want %q)", restURL, ErrForeignCluster, sessionIDKey, got, id)
	}
	return nil
}

// configValue returns the value of key in a GET /jobmanager/config answer, "" when absent.
func configValue(config []struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}, key string) string {
	for _, entry := range config {
		if entry.Key == key {
			return entry.Value
		}
	}
	return ""
}

func getJSON(ctx context.Context, client *http.Client, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d", url, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// Stop stops the TaskManager and the JobManager: SIGTERM to each process group, SIGKILL after a grace period.
func (s *Session) Stop() error {
	var errs []error
	for _, proc := range []*process{s.taskManager, s.jobManager} {
		if proc != nil {
			if err := proc.stop(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// LogTail returns the last lines of each process's log.
func (s *Session) LogTail(lines int) string {
	var out strings.Builder
	for _, name := range []string{"jobmanager", "taskmanager"} {
		path := filepath.Join(s.LogDir, name+".log")
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(&out, "--- %s: %v\n", path, err)
			continue
		}
		all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		fmt.Fprintf(&out, "--- last %d lines of %s\n%s\n", lines, path, strings.Join(all[max(0, len(all)-lines):], "\n"))
	}
	return out.String()
}
