package localruntime

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/yaml"

	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/test/sim/flinkdist"
)

// TestLocalConfigKeepsTheNamespaceForTheGate: the configuration the local processes read keeps
// kubernetes.namespace (the blue/green gate finds its ConfigMap's namespace there, as a pod could read its
// service account's) while dropping the other Kubernetes keys, which need Kubernetes.
func TestLocalConfigKeepsTheNamespaceForTheGate(t *testing.T) {
	g := NewWithT(t)
	local := localConfig(map[string]string{
		"kubernetes.namespace":   "team-a",
		"kubernetes.cluster-id":  "orders",
		"high-availability.type": "kubernetes",
		"state.savepoints.dir":   "file:///opt/flink/savepoints",
	}, "/tmp/home", "/tmp/dir", []int{1, 2, 3, 4, 5}, "id")
	g.Expect(local).To(HaveKeyWithValue("kubernetes.namespace", "team-a"))
	g.Expect(local).NotTo(HaveKey("kubernetes.cluster-id"))
	g.Expect(local).NotTo(HaveKey("high-availability.type"))
	g.Expect(local).To(HaveKeyWithValue("state.savepoints.dir", "file:///tmp/home/savepoints"))
}

// fakeJobManager answers /jobmanager/config and /overview like a ready Flink cluster whose configuration carries
// sessionID.
func fakeJobManager(t *testing.T, sessionID string) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jobmanager/config", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode([]map[string]string{{"key": "rest.port", "value": "8081"},
			{"key": flinkdist.SessionIDKey, "value": sessionID}})
	})
	mux.HandleFunc("GET /overview", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]int{"taskmanagers": 1, "slots-total": 1})
	})
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)
	return server
}

// TestScriptClusterRejectsAForeignClusterOnItsPort: FreePorts releases the ports it picks, and under load another
// test's cluster can bind the REST port first; it answers /overview like a ready cluster. Before the session id
// check waitReady accepted it (and Alive kept reporting it), so the e2e test ran its jobs on the foreign cluster.
func TestScriptClusterRejectsAForeignClusterOnItsPort(t *testing.T) {
	g := NewWithT(t)
	foreign := fakeJobManager(t, "someone-else")
	processes := &scriptCluster{restURL: foreign.URL, sessionID: "ours", exited: map[*exec.Cmd]chan error{}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := processes.waitReady(ctx)
	g.Expect(err).To(MatchError(errRetryableStart), "a foreign cluster is retried on fresh ports")
	g.Expect(err).To(MatchError(flinkdist.ErrForeignCluster))
	g.Expect(ctx.Err()).NotTo(HaveOccurred(), "rejected at once, not after the start timeout")
	cluster := &flinkCluster{processes: processes, http: &http.Client{Timeout: 2 * time.Second}}
	g.Expect(cluster.Alive()).To(BeFalse(), "a foreign cluster on the port is not this cluster alive")

	own := fakeJobManager(t, "ours")
	processes.restURL = own.URL
	g.Expect(processes.waitReady(ctx)).To(Succeed())
	g.Expect(cluster.Alive()).To(BeTrue())
}

// TestLocalConfigGivesTheActorSystemTimeToStartAndCarriesTheSessionID: under load the RPC actor system took 17 s to
// start and Flink's fallback of 10 s made the TaskManager exit ("Could not create actor system"); and the
// session id must reach the file the JobManager reads (the pod's configuration file in FLINK_CONF_DIR, which
// the entrypoint only amends), in both file formats.
func TestLocalConfigGivesTheActorSystemTimeToStartAndCarriesTheSessionID(t *testing.T) {
	g := NewWithT(t)
	id, err := flinkdist.NewSessionID()
	g.Expect(err).NotTo(HaveOccurred())
	local := localConfig(map[string]string{"pekko.startup-timeout": "10 s"}, "/tmp/home", "/tmp/dir", []int{1, 2, 3, 4, 5}, id)
	g.Expect(local).To(HaveKeyWithValue("pekko.startup-timeout", "2 min"))
	g.Expect(local).To(HaveKeyWithValue(flinkdist.SessionIDKey, id))
	for _, fileName := range []string{"config.yaml", "flink-conf.yaml"} {
		rendered, err := resources.RenderConfig(local, fileName)
		g.Expect(err).NotTo(HaveOccurred())
		var parsed map[string]string
		g.Expect(yaml.Unmarshal([]byte(rendered), &parsed)).To(Succeed(), fileName)
		g.Expect(parsed).To(HaveKeyWithValue(flinkdist.SessionIDKey, id), fileName)
		g.Expect(parsed).To(HaveKeyWithValue("pekko.startup-timeout", "2 min"), fileName)
	}
}

// TestScriptClusterRetriesWhenAProcessExited: a JVM that exits during the start (usually a port taken between
// FreePorts and its bind) makes the start retryable on fresh ports rather than failing the e2e test.
func TestScriptClusterRetriesWhenAProcessExited(t *testing.T) {
	g := NewWithT(t)
	// Nothing answers on the REST port (port 1 on loopback refuses), so only the exit can end the wait.
	processes := &scriptCluster{restURL: "http://127.0.0.1:1", sessionID: "ours", logDir: t.TempDir(),
		exited: map[*exec.Cmd]chan error{}}
	var err error
	processes.taskManager, err = processes.start("-c", []string{"exit 3"}, nil, "taskmanager.log")
	g.Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = processes.waitReady(ctx)
	g.Expect(err).To(MatchError(errRetryableStart))
	g.Expect(err).To(MatchError(ContainSubstring("exited during start-up")))
}
