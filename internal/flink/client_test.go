package flink_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/internal/flink"
)

// recordingObserver keeps every report.
type recordingObserver struct {
	mu        sync.Mutex
	endpoints []string
	statuses  []int
}

func (o *recordingObserver) ObserveRequest(endpoint string, status int, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.endpoints = append(o.endpoints, endpoint)
	o.statuses = append(o.statuses, status)
}

// cannedServer answers every request with status and body and counts the requests.
func cannedServer(t *testing.T, status int, body string) (*httptest.Server, *atomic.Int32) {
	var requests atomic.Int32
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(server.Close)
	return server, &requests
}

func newClient(t *testing.T, url string, opts flink.Options) *flink.Client {
	t.Helper()
	if opts.RetryBackoff == 0 {
		opts.RetryBackoff = time.Millisecond
	}
	client, err := flink.New(url, opts)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func TestSavepointStatusDecodesBothWireShapes(t *testing.T) {
	cases := []struct {
		name         string
		body         string
		wantStatus   flink.OperationStatus
		wantLocation string
		wantFailure  string
	}{
		{name: "in progress with operation null", body: `{"status":{"id":"IN_PROGRESS"},"operation":null}`,
			wantStatus: flink.OperationInProgress},
		{name: "in progress without operation", body: `{"status":{"id":"IN_PROGRESS"}}`,
			wantStatus: flink.OperationInProgress},
		{name: "completed with location", body: `{"status":{"id":"COMPLETED"},"operation":{"location":"file:/sp/savepoint-1"}}`,
			wantStatus: flink.OperationCompleted, wantLocation: "file:/sp/savepoint-1"},
		{name: "failed savepoint is completed with failure-cause",
			body:       `{"status":{"id":"COMPLETED"},"operation":{"failure-cause":{"class":"x.CheckpointException","stack-trace":"x.CheckpointException: boom\n\tat x"}}}`,
			wantStatus: flink.OperationCompleted, wantFailure: "x.CheckpointException: boom"},
		{name: "checkpoint-style failureCause", body: `{"status":{"id":"COMPLETED"},"operation":{"failureCause":{"class":"x.E"}}}`,
			wantStatus: flink.OperationCompleted, wantFailure: "x.E"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			server, _ := cannedServer(t, http.StatusOK, tc.body)
			result, err := newClient(t, server.URL, flink.Options{}).SavepointStatus(context.Background(), "a", "b")
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(result.Status).To(Equal(tc.wantStatus))
			g.Expect(result.Location).To(Equal(tc.wantLocation))
			if tc.wantFailure == "" {
				g.Expect(result.Err()).NotTo(HaveOccurred())
				return
			}
			g.Expect(result.Err()).To(MatchError(flink.ErrOperationFailed))
			g.Expect(result.Failure.Summary()).To(Equal(tc.wantFailure))
		})
	}
}

func TestErrorsAreTyped(t *testing.T) {
	cases := []struct {
		name       string
		status     int
		body       string
		check      func(error) bool
		wantErrors []string
	}{
		{name: "404 with Flink errors", status: 404, body: `{"errors":["NotFoundException: Job x not found\n\tat y"]}`,
			check: flink.IsNotFound, wantErrors: []string{"NotFoundException: Job x not found\n\tat y"}},
		{name: "400", status: 400, body: `{"errors":["Config key [a] is not set."]}`, check: flink.IsBadRequest,
			wantErrors: []string{"Config key [a] is not set."}},
		{name: "409", status: 409, body: `{"errors":["conflict"]}`, check: flink.IsConflict, wantErrors: []string{"conflict"}},
		{name: "non-JSON body from a proxy", status: 502, body: `bad gateway`, check: flink.IsServerError,
			wantErrors: []string{"bad gateway"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			server, _ := cannedServer(t, tc.status, tc.body)
			_, err := newClient(t, server.URL, flink.Options{MaxRetries: -1}).JobDetails(context.Background(), "abc")
			var apiErr *flink.APIError
			g.Expect(errors.As(err, &apiErr)).To(BeTrue())
			g.Expect(apiErr.StatusCode).To(Equal(tc.status))
			g.Expect(apiErr.Errors).To(Equal(tc.wantErrors))
			g.Expect(apiErr.Endpoint).To(Equal("GET /jobs/:jobid"))
			g.Expect(tc.check(err)).To(BeTrue())
			g.Expect(err.Error()).NotTo(ContainSubstring("\tat y"), "only the first line in Error()")
		})
	}
}

func TestStatusPoll404IsOperationNotFound(t *testing.T) {
	g := NewWithT(t)
	server, _ := cannedServer(t, http.StatusNotFound, `{"errors":["UnknownOperationKeyException"]}`)
	client := newClient(t, server.URL, flink.Options{})
	_, err := client.SavepointStatus(context.Background(), "a", "b")
	g.Expect(errors.Is(err, flink.ErrOperationNotFound)).To(BeTrue())
	var apiErr *flink.APIError
	g.Expect(errors.As(err, &apiErr)).To(BeTrue())
	_, err = client.CheckpointStatus(context.Background(), "a", "b")
	g.Expect(errors.Is(err, flink.ErrOperationNotFound)).To(BeTrue())
	_, err = client.DisposalStatus(context.Background(), "b")
	g.Expect(errors.Is(err, flink.ErrOperationNotFound)).To(BeTrue())
}

func TestRetriesOnlyIdempotentCalls(t *testing.T) {
	cases := []struct {
		name         string
		call         func(*flink.Client) error
		wantRequests int32
	}{
		{name: "GET is retried", wantRequests: 3, call: func(c *flink.Client) error {
			_, err := c.Overview(context.Background())
			return err
		}},
		{name: "trigger with triggerId is retried", wantRequests: 3, call: func(c *flink.Client) error {
			_, err := c.TriggerSavepoint(context.Background(), "j", flink.SavepointRequest{TriggerID: flink.TriggerID("u", "1", "p")})
			return err
		}},
		{name: "trigger without triggerId is not", wantRequests: 1, call: func(c *flink.Client) error {
			_, err := c.TriggerSavepoint(context.Background(), "j", flink.SavepointRequest{})
			return err
		}},
		{name: "jar run is not", wantRequests: 1, call: func(c *flink.Client) error {
			_, err := c.RunJar(context.Background(), "x.jar", flink.RunJarRequest{})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			server, requests := cannedServer(t, http.StatusServiceUnavailable, `{"errors":["busy"]}`)
			observer := &recordingObserver{}
			err := tc.call(newClient(t, server.URL, flink.Options{MaxRetries: 2, Observer: observer}))
			g.Expect(flink.IsServerError(err)).To(BeTrue())
			g.Expect(requests.Load()).To(Equal(tc.wantRequests))
			g.Expect(observer.statuses).To(HaveLen(int(tc.wantRequests)))
			g.Expect(observer.statuses).To(HaveEach(http.StatusServiceUnavailable))
		})
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	g := NewWithT(t)
	server, requests := cannedServer(t, http.StatusNotFound, `{"errors":["nope"]}`)
	_, err := newClient(t, server.URL, flink.Options{MaxRetries: 5}).Overview(context.Background())
	g.Expect(flink.IsNotFound(err)).To(BeTrue())
	g.Expect(requests.Load()).To(BeEquivalentTo(1))
}

func TestTimeoutBoundsAHangingCall(t *testing.T) {
	g := NewWithT(t)
	release := make(chan struct{})
	server := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); server.Close() })
	observer := &recordingObserver{}
	client := newClient(t, server.URL, flink.Options{Timeout: 50 * time.Millisecond, MaxRetries: -1, Observer: observer})
	_, err := client.Overview(context.Background())
	g.Expect(errors.Is(err, context.DeadlineExceeded)).To(BeTrue(), "got %v", err)
	g.Expect(observer.endpoints).To(Equal([]string{"GET /overview"}))
	g.Expect(observer.statuses).To(Equal([]int{0}))
}

func TestTriggerID(t *testing.T) {
	cases := []struct {
		name  string
		a, b  [3]string
		equal bool
	}{
		{name: "same inputs, same ID", a: [3]string{"uid", "3", "upgrade"}, b: [3]string{"uid", "3", "upgrade"}, equal: true},
		{name: "generation matters", a: [3]string{"uid", "3", "upgrade"}, b: [3]string{"uid", "4", "upgrade"}},
		{name: "purpose matters", a: [3]string{"uid", "3", "upgrade"}, b: [3]string{"uid", "3", "periodic"}},
		{name: "parts do not run together", a: [3]string{"ab", "c", "p"}, b: [3]string{"a", "bc", "p"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			a, b := flink.TriggerID(tc.a[0], tc.a[1], tc.a[2]), flink.TriggerID(tc.b[0], tc.b[1], tc.b[2])
			g.Expect(a).To(MatchRegexp(`^[0-9a-f]{32}$`))
			g.Expect(a == b).To(Equal(tc.equal))
		})
	}
}

func TestJobExceptionsAcrossVersions(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		wantRoot string
	}{
		{name: "1.x root-exception", wantRoot: "java.lang.Exception: old",
			body: `{"root-exception":"java.lang.Exception: old","timestamp":5,"all-exceptions":[],"truncated":false,"exceptionHistory":{"entries":[{"exceptionName":"java.lang.Exception","stacktrace":"java.lang.Exception: old","timestamp":5}],"truncated":false}}`},
		{name: "2.x history only", wantRoot: "java.lang.Exception: new",
			body: `{"exceptionHistory":{"entries":[{"exceptionName":"java.lang.Exception","stacktrace":"java.lang.Exception: new","timestamp":7}],"truncated":false}}`},
		{name: "no failures", wantRoot: "", body: `{"exceptionHistory":{"entries":[],"truncated":false}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			server, _ := cannedServer(t, http.StatusOK, tc.body)
			exceptions, err := newClient(t, server.URL, flink.Options{}).JobExceptions(context.Background(), "j")
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(exceptions.RootException).To(Equal(tc.wantRoot))
		})
	}
}

func TestCheckpointStatisticsAcceptsNulls(t *testing.T) {
	g := NewWithT(t)
	server, _ := cannedServer(t, http.StatusOK,
		`{"counts":{"restored":0,"total":0,"in_progress":0,"completed":0,"failed":0},"latest":{"completed":null,"savepoint":null,"failed":null,"restored":null},"history":[]}`)
	statistics, err := newClient(t, server.URL, flink.Options{}).CheckpointStatistics(context.Background(), "j")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(statistics.Latest.Completed).To(BeNil())
	g.Expect(statistics.Latest.Restored).To(BeNil())
}

func TestParseVersion(t *testing.T) {
	cases := []struct {
		raw   string
		want  flink.Version
		error bool
	}{
		{raw: "1.20.3", want: flink.Version{Major: 1, Minor: 20, Raw: "1.20.3"}},
		{raw: "2.1-SNAPSHOT", want: flink.Version{Major: 2, Minor: 1, Raw: "2.1-SNAPSHOT"}},
		{raw: "<unknown>", error: true},
	}
	for _, tc := range cases {
		t.Run(tc.raw, func(t *testing.T) {
			g := NewWithT(t)
			version, err := flink.ParseVersion(tc.raw)
			if tc.error {
				g.Expect(err).To(HaveOccurred())
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(version).To(Equal(tc.want))
		})
	}
}

func TestJobMetricsDecodesBothWireShapes(t *testing.T) {
	for name, body := range map[string]string{
		"array, as Flink sends it":                  `[{"id":"numRestarts","value":"7"}]`,
		"object, as the specification describes it": `{"metrics":[{"id":"numRestarts","value":"7"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				g.Expect(r.URL.Path).To(Equal("/jobs/" + metricsJobID + "/metrics"))
				g.Expect(r.URL.Query().Get("get")).To(Equal("numRestarts"))
				_, _ = w.Write([]byte(body))
			}))
			defer server.Close()
			client, err := flink.New(server.URL, flink.Options{})
			g.Expect(err).NotTo(HaveOccurred())
			restarts, err := client.JobRestarts(context.Background(), metricsJobID)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(restarts).To(BeEquivalentTo(7))
		})
	}
	t.Run("a missing metric is an error naming it", func(t *testing.T) {
		g := NewWithT(t)
		server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`[]`)) }))
		defer server.Close()
		client, err := flink.New(server.URL, flink.Options{})
		g.Expect(err).NotTo(HaveOccurred())
		_, err = client.JobRestarts(context.Background(), metricsJobID)
		g.Expect(err).To(MatchError(ContainSubstring("numRestarts")))
		g.Expect(err).To(MatchError(flink.ErrMetricUnavailable))
	})
}

const metricsJobID = "0123456789abcdef0123456789abcdef"
