package flinkstandin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultStoreDuration matches rest.async.store-duration: how long async results stay pollable.
const DefaultStoreDuration = 5 * time.Minute

// Options configure a stand-in.
type Options struct {
	// FlinkVersion is the version the stand-in reports and whose wire shapes it serves ("1.20.3", "2.1.0", …);
	// empty means "1.20.3".
	FlinkVersion string
	// SavepointDir is state.savepoints.dir; empty leaves it unset, so a savepoint without a target directory is
	// rejected with 400 as in Flink.
	SavepointDir string
	// CheckpointDir is state.checkpoints.dir, used in the external paths of checkpoints; may be empty.
	CheckpointDir string
	// UploadDir stores uploaded jars; empty uses a directory under the OS temp dir.
	UploadDir string
	// Clock drives job lifecycles and operations; nil uses the wall clock.
	Clock Clock
	// Instant makes every state change take no time: jobs are RUNNING when first observed and async
	// operations complete on their first poll. It overrides the durations below.
	Instant bool
	// StartDelay is how long a submitted job stays CREATED before RUNNING (slow start).
	StartDelay time.Duration
	// OperationDuration is how long a savepoint, stop or checkpoint takes.
	OperationDuration time.Duration
	// CheckpointInterval is the periodic checkpoint interval; 0 disables periodic checkpoints (manual ones
	// still work).
	CheckpointInterval time.Duration
	// CheckpointRetention is execution.checkpointing.externalized-checkpoint-retention; empty means Flink's
	// default, NO_EXTERNALIZED_CHECKPOINTS: the retained checkpoints of a job that ends CANCELED or FAILED are
	// deleted. A job's flinkConfiguration (jar run) overrides it, as in Flink.
	CheckpointRetention string
	// RetainedCheckpoints is state.checkpoints.num-retained; 0 means Flink's default, 1. Older checkpoints are
	// subsumed: deleted from disk and reported discarded.
	RetainedCheckpoints int
	// WebCancelDisabled is web.cancel.enable: false (Flink's default is true); it only changes what /config reports to
	// the web UI, the REST cancel keeps working as in Flink.
	WebCancelDisabled bool
	// RestartDelay is how long a failed job stays RESTARTING before it runs again.
	RestartDelay time.Duration
	// RestartAttempts is how many restarts a failing job gets before it ends FAILED (fixed-delay strategy).
	RestartAttempts int
	// StoreDuration is rest.async.store-duration; 0 means DefaultStoreDuration.
	StoreDuration time.Duration
	// TaskSlots is the number of task slots of the single TaskManager; 0 means 2.
	TaskSlots int
	// Faults are injected from the start; see SetFaults.
	Faults Faults
}

// Faults are failures injected into the stand-in. The zero value injects none.
type Faults struct {
	// FailOnStart makes newly submitted jobs fail instead of reaching RUNNING.
	FailOnStart bool
	// CrashLoop makes newly submitted jobs fail CrashAfter after each start, restarting forever.
	CrashLoop bool
	// CrashAfter is how long a crash-looping job runs before failing; 0 means it fails as soon as it runs.
	CrashAfter time.Duration
	// SavepointFailure makes savepoints and stop-with-savepoint complete with this failure message.
	SavepointFailure string
	// SavepointNeverCompletes keeps savepoints IN_PROGRESS while it is set; cleared, they complete.
	SavepointNeverCompletes bool
	// RESTStatus makes every REST call answer with this status (such as 503) and a Flink error body.
	RESTStatus int
	// RESTHang makes every REST call hang until the client gives up.
	RESTHang bool
	// Bounded makes newly submitted jobs bounded: they end FINISHED after running for BoundedRuntime (0: as
	// soon as they run), as a job over a finite source does.
	Bounded bool
	// BoundedRuntime is how long a bounded job runs before it finishes.
	BoundedRuntime time.Duration
}

// Server is a running stand-in. Its methods are safe for concurrent use.
type Server struct {
	opts   Options
	clock  Clock
	addr   string
	routes http.Handler

	// serverMu guards httpServer, which is nil while the JobManager is gone.
	serverMu   sync.Mutex
	httpServer *http.Server
	closed     chan struct{}

	// mu guards everything below.
	mu         sync.Mutex
	faults     Faults
	jobs       map[string]*job
	jobOrder   []string
	jars       map[string]string
	operations map[operationKey]*operation
	// requests counts the REST requests received, so tests can see that a client looked.
	requests atomic.Int64
	// savepointTriggers counts the savepoint and stop-with-savepoint operations started (a repeated trigger id
	// starts none).
	savepointTriggers atomic.Int64
}

// New starts a session-cluster stand-in on a free loopback port.
func New(opts Options) (*Server, error) {
	if opts.FlinkVersion == "" {
		opts.FlinkVersion = "1.20.3"
	}
	if _, err := parseMajor(opts.FlinkVersion); err != nil {
		return nil, err
	}
	if opts.StoreDuration <= 0 {
		opts.StoreDuration = DefaultStoreDuration
	}
	if opts.TaskSlots <= 0 {
		opts.TaskSlots = 2
	}
	if opts.RetainedCheckpoints <= 0 {
		opts.RetainedCheckpoints = 1
	}
	if opts.CheckpointRetention == "" {
		opts.CheckpointRetention = RetentionNone
	}
	if err := validRetention(opts.CheckpointRetention); err != nil {
		return nil, err
	}
	if opts.Instant {
		opts.StartDelay, opts.OperationDuration, opts.RestartDelay = 0, 0, 0
	}
	s := &Server{
		opts:       opts,
		clock:      opts.Clock,
		faults:     opts.Faults,
		closed:     make(chan struct{}),
		jobs:       map[string]*job{},
		jars:       map[string]string{},
		operations: map[operationKey]*operation{},
	}
	if s.clock == nil {
		s.clock = realClock{}
	}
	s.routes = s.withFaults(s.newMux())
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("flink stand-in: listening on loopback: %w", err)
	}
	s.addr = listener.Addr().String()
	s.serve(listener)
	return s, nil
}

// MustNew is New for tests and demos that cannot continue without a stand-in.
func MustNew(opts Options) *Server {
	s, err := New(opts)
	if err != nil {
		panic(err)
	}
	return s
}

func (s *Server) serve(listener net.Listener) {
	server := &http.Server{Handler: s.routes, ReadHeaderTimeout: 10 * time.Second}
	s.serverMu.Lock()
	s.httpServer = server
	s.serverMu.Unlock()
	go func() { _ = server.Serve(listener) }()
}

// URL is the REST endpoint, such as "http://127.0.0.1:40123".
func (s *Server) URL() string { return "http://" + s.addr }

// Close stops the server for good and releases hanging requests.
func (s *Server) Close() {
	select {
	case <-s.closed:
		return
	default:
		close(s.closed)
	}
	s.GoAway()
	if s.opts.UploadDir == "" {
		_ = os.RemoveAll(s.defaultUploadRoot())
	}
}

// GoAway makes the JobManager disappear: the port is closed, so clients get connection refused, and open
// connections are dropped. Job state is kept, as a JobManager with HA would keep it.
func (s *Server) GoAway() {
	s.serverMu.Lock()
	server := s.httpServer
	s.httpServer = nil
	s.serverMu.Unlock()
	if server != nil {
		_ = server.Close()
	}
}

// ComeBack reopens the same port after GoAway. Like a JobManager failover it loses the async operation cache:
// polls for operations triggered before come back 404.
func (s *Server) ComeBack() error {
	s.serverMu.Lock()
	running := s.httpServer != nil
	s.serverMu.Unlock()
	if running {
		return nil
	}
	listener, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("flink stand-in: reopening %s: %w", s.addr, err)
	}
	s.Failover()
	s.serve(listener)
	return nil
}

// Failover drops the async operation cache, as a JobManager failover does.
func (s *Server) Failover() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.operations = map[operationKey]*operation{}
}

// SetFaults replaces the injected faults. Job faults (FailOnStart, CrashLoop) apply to jobs submitted later;
// savepoint and REST faults apply at once.
func (s *Server) SetFaults(faults Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = faults
}

// withFaults answers with the injected REST status or hangs before any handler runs.
func (s *Server) withFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		faults := s.faults
		s.mu.Unlock()
		if faults.RESTHang {
			select {
			case <-r.Context().Done():
			case <-s.closed:
			}
			return
		}
		if faults.RESTStatus != 0 {
			writeError(w, faults.RESTStatus, "Injected fault: the JobManager answered "+http.StatusText(faults.RESTStatus))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Requests returns how many REST requests the stand-in received: evidence that a client (the operator)
// looked, for tests asserting that nothing else happened.
func (s *Server) Requests() int64 { return s.requests.Load() }

// SavepointTriggers returns how many savepoint and stop-with-savepoint operations were started; a trigger
// repeated under a known id is not counted, as Flink starts nothing for it.
func (s *Server) SavepointTriggers() int64 { return s.savepointTriggers.Load() }

// major returns the major version of the served Flink.
func (s *Server) major() int {
	major, _ := parseMajor(s.opts.FlinkVersion)
	return major
}

func parseMajor(version string) (int, error) {
	switch {
	case strings.HasPrefix(version, "1."):
		return 1, nil
	case strings.HasPrefix(version, "2."):
		return 2, nil
	}
	return 0, fmt.Errorf("flink stand-in: unsupported Flink version %q (want 1.x or 2.x)", version)
}

// The values of execution.checkpointing.externalized-checkpoint-retention.
const (
	// RetentionNone is NO_EXTERNALIZED_CHECKPOINTS, Flink's default: checkpoints are deleted when the job
	// ends, however it ends.
	RetentionNone = "NO_EXTERNALIZED_CHECKPOINTS"
	// RetentionOnCancellation is RETAIN_ON_CANCELLATION: checkpoints survive a cancel and a failure.
	RetentionOnCancellation = "RETAIN_ON_CANCELLATION"
	// RetentionDeleteOnCancellation is DELETE_ON_CANCELLATION: checkpoints survive a failure only.
	RetentionDeleteOnCancellation = "DELETE_ON_CANCELLATION"
)

func validRetention(value string) error {
	switch value {
	case RetentionNone, RetentionOnCancellation, RetentionDeleteOnCancellation:
		return nil
	}
	return fmt.Errorf("flink stand-in: execution.checkpointing.externalized-checkpoint-retention: unknown value %q", value)
}

// errGone is returned by helpers that need the server to be up.
var errGone = errors.New("flink stand-in: JobManager is gone")

// Shutdown is Close with a deadline for in-flight requests.
func (s *Server) Shutdown(ctx context.Context) error {
	s.serverMu.Lock()
	server := s.httpServer
	s.serverMu.Unlock()
	if server == nil {
		return errGone
	}
	err := server.Shutdown(ctx)
	s.Close()
	return err
}
