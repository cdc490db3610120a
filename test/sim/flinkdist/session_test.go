package flinkdist

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// fakeJobManager answers /jobmanager/config and /overview like a ready Flink cluster whose configuration carries
// sessionID.
func fakeJobManager(t *testing.T, sessionID string) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jobmanager/config", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode([]map[string]string{{"key": "rest.port", "value": "8081"},
			{"key": sessionIDKey, "value": sessionID}})
	})
	mux.HandleFunc("GET /overview", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(map[string]int{"taskmanagers": 1, "slots-total": 2})
	})
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)
	return server
}

// runningProcess is a process that has not exited.
func runningProcess(name string) *process { return &process{name: name, done: make(chan struct{})} }

// TestWaitReadyRejectsAForeignClusterOnItsPort: another test's cluster that bound the port FreePorts chose (the
// kernel hands a released port out again) answers like a ready cluster. Before the session id check waitReady
// accepted it, and the contract ran its jobs on the foreign cluster (a savepoint without a directory succeeded
// there: "want 400, got <nil>").
func TestWaitReadyRejectsAForeignClusterOnItsPort(t *testing.T) {
	g := NewWithT(t)
	foreign := fakeJobManager(t, "someone-else")
	session := &Session{RESTURL: foreign.URL, id: "ours", jobManager: runningProcess("jobmanager"),
		taskManager: runningProcess("taskmanager")}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := session.waitReady(ctx)
	g.Expect(err).To(MatchError(errRetryable))
	g.Expect(err).To(MatchError(ContainSubstring("answers as another cluster")))
	g.Expect(ctx.Err()).NotTo(HaveOccurred(), "rejected at once, not after the start timeout")

	own := fakeJobManager(t, "ours")
	session.RESTURL = own.URL
	g.Expect(session.waitReady(ctx)).To(Succeed())
}

// TestWaitReadyRetriesWhenAProcessExited: a JVM that exited (a port taken between FreePorts and its bind) makes
// the start retryable on fresh ports.
func TestWaitReadyRetriesWhenAProcessExited(t *testing.T) {
	g := NewWithT(t)
	exited := runningProcess("taskmanager")
	close(exited.done)
	session := &Session{RESTURL: fakeJobManager(t, "ours").URL, id: "ours",
		jobManager: runningProcess("jobmanager"), taskManager: exited}
	g.Expect(session.waitReady(context.Background())).To(MatchError(errRetryable))
}

// TestSessionConfigGivesTheActorSystemTimeToStart: under load the RPC actor system took 17 s to start, and
// Flink's fallback of 10 s made the TaskManager exit with "Could not create actor system".
func TestSessionConfigGivesTheActorSystemTimeToStart(t *testing.T) {
	for _, version := range []string{Flink1, Flink2} {
		t.Run(version, func(t *testing.T) {
			g := NewWithT(t)
			config := sessionConfig(Distribution{Version: version}, &Session{}, SessionOptions{}, []int{1, 2, 3, 4, 5})
			g.Expect(config).To(HaveKeyWithValue("pekko.startup-timeout", "2 min"))
		})
	}
}
