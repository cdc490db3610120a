package flink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	// DefaultTimeout matches kubernetes.operator.flink.client.timeout: the limit for one REST call.
	DefaultTimeout = 10 * time.Second
	// DefaultCancelTimeout matches kubernetes.operator.flink.client.cancel.timeout: the limit for a cancel call,
	// which Flink only answers once the cancellation has been handed to the job master.
	DefaultCancelTimeout = time.Minute
	// DefaultMaxRetries is how many times an idempotent call is retried after a transport error or a 5xx.
	DefaultMaxRetries = 2
	// DefaultRetryBackoff is the wait before the first retry; it doubles for each further retry.
	DefaultRetryBackoff = 200 * time.Millisecond
	// maxErrorBody bounds how much of an error response is read.
	maxErrorBody = 1 << 20
)

// Observer receives one report per HTTP attempt, so the operator can export per-endpoint latency and error
// metrics without this package depending on Prometheus.
type Observer interface {
	// ObserveRequest reports an attempt at endpoint (a template such as "GET /jobs/:jobid"), the HTTP status it
	// got (0 when no response arrived) and how long it took.
	ObserveRequest(endpoint string, status int, duration time.Duration)
}

// Options configures a Client. The zero value of each field selects its default.
type Options struct {
	// Timeout bounds each attempt of a REST call (kubernetes.operator.flink.client.timeout).
	Timeout time.Duration
	// CancelTimeout bounds a cancel call (kubernetes.operator.flink.client.cancel.timeout).
	CancelTimeout time.Duration
	// MaxRetries is how many times an idempotent call is retried; negative disables retries.
	MaxRetries int
	// RetryBackoff is the wait before the first retry, doubled for each further retry.
	RetryBackoff time.Duration
	// HTTPClient sends the requests; nil selects a client with its own connection pool.
	HTTPClient *http.Client
	// Observer receives per-attempt reports; nil discards them.
	Observer Observer
}

// Client talks to one Flink JobManager REST endpoint. It is safe for concurrent use.
type Client struct {
	baseURL       string
	httpClient    *http.Client
	timeout       time.Duration
	cancelTimeout time.Duration
	maxRetries    int
	retryBackoff  time.Duration
	observer      Observer
}

// New returns a client for the JobManager REST endpoint at baseURL, such as "http://flink-rest:8081".
func New(baseURL string, opts Options) (*Client, error) {
	parsed, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("parsing Flink REST URL %q: %w", baseURL, err)
	}
	if parsed.Scheme != "http" && parsed.Scheme != "https" || parsed.Host == "" {
		return nil, fmt.Errorf("flink REST URL %q: want http(s)://host[:port]", baseURL)
	}
	c := &Client{
		baseURL:       strings.TrimSuffix(baseURL, "/"),
		httpClient:    opts.HTTPClient,
		timeout:       opts.Timeout,
		cancelTimeout: opts.CancelTimeout,
		maxRetries:    opts.MaxRetries,
		retryBackoff:  opts.RetryBackoff,
		observer:      opts.Observer,
	}
	if c.httpClient == nil {
		c.httpClient = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.cancelTimeout <= 0 {
		c.cancelTimeout = DefaultCancelTimeout
	}
	if c.maxRetries == 0 {
		c.maxRetries = DefaultMaxRetries
	} else if c.maxRetries < 0 {
		c.maxRetries = 0
	}
	if c.retryBackoff <= 0 {
		c.retryBackoff = DefaultRetryBackoff
	}
	return c, nil
}

// BaseURL returns the REST endpoint this client talks to.
func (c *Client) BaseURL() string { return c.baseURL }

// request describes one REST call.
type request struct {
	method string
	// endpoint is the template reported to the Observer and in errors, e.g. "GET /jobs/:jobid".
	endpoint string
	// path is the concrete path, e.g. "/jobs/0123…".
	path  string
	query url.Values
	// jsonBody is marshalled as the request body when set.
	jsonBody any
	// rawBody, with contentType, is sent as is (jar upload); it must be re-readable for retries, so it is a
	// function returning a fresh reader.
	rawBody     func() (io.Reader, error)
	contentType string
	// retryable marks calls that may be sent again: GETs, and triggers carrying a triggerId that Flink dedups.
	retryable bool
	// timeout overrides the client's per-attempt timeout.
	timeout time.Duration
	// out receives the decoded JSON response body when non-nil.
	out any
}

// do sends req, retrying retryable calls on transport errors and 5xx answers with exponential backoff.
func (c *Client) do(ctx context.Context, req request) error {
	var body []byte
	if req.jsonBody != nil {
		var err error
		if body, err = json.Marshal(req.jsonBody); err != nil {
			return fmt.Errorf("encoding %s request: %w", req.endpoint, err)
		}
	}
	attempts := 1
	if req.retryable {
		attempts += c.maxRetries
	}
	backoff := c.retryBackoff
	var lastErr error
	for attempt := 0; attempt < attempts; attempt++ {
		if attempt > 0 {
			timer := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				timer.Stop()
				return fmt.Errorf("flink %s: %w (last attempt: %w)", req.endpoint, ctx.Err(), lastErr)
			case <-timer.C:
			}
			backoff *= 2
		}
		lastErr = c.attempt(ctx, req, body)
		if lastErr == nil || !retryableError(ctx, lastErr) {
			return lastErr
		}
	}
	return lastErr
}

// retryableError tells transient failures (no answer, 5xx) from final ones (4xx, caller cancelled).
func retryableError(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		switch apiErr.StatusCode {
		case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	var decodeErr *decodeError
	return !errors.As(err, &decodeErr)
}

// decodeError marks a response that arrived but could not be decoded; retrying would not help.
type decodeError struct{ err error }

func (e *decodeError) Error() string { return e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }

// attempt sends req once.
func (c *Client) attempt(ctx context.Context, req request, body []byte) error {
	timeout := c.timeout
	if req.timeout > 0 {
		timeout = req.timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	target := c.baseURL + req.path
	if len(req.query) > 0 {
		target += "?" + req.query.Encode()
	}
	var bodyReader io.Reader
	contentType := ""
	switch {
	case body != nil:
		bodyReader, contentType = bytes.NewReader(body), "application/json"
	case req.rawBody != nil:
		var err error
		if bodyReader, err = req.rawBody(); err != nil {
			return fmt.Errorf("flink %s: preparing body: %w", req.endpoint, err)
		}
		contentType = req.contentType
	}
	httpReq, err := http.NewRequestWithContext(ctx, req.method, target, bodyReader)
	if err != nil {
		return fmt.Errorf("flink %s: %w", req.endpoint, err)
	}
	if contentType != "" {
		httpReq.Header.Set("Content-Type", contentType)
	}
	httpReq.Header.Set("Accept", "application/json")

	start := time.Now()
	resp, err := c.httpClient.Do(httpReq)
	if err != nil {
		c.observe(req.endpoint, 0, start)
		return fmt.Errorf("flink %s: %w", req.endpoint, err)
	}
	defer resp.Body.Close()
	err = c.readResponse(resp, req)
	c.observe(req.endpoint, resp.StatusCode, start)
	return err
}

func (c *Client) observe(endpoint string, status int, start time.Time) {
	if c.observer != nil {
		c.observer.ObserveRequest(endpoint, status, time.Since(start))
	}
}

// readResponse turns a non-2xx answer into *APIError and decodes a 2xx body into req.out.
func (c *Client) readResponse(resp *http.Response, req request) error {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := &APIError{StatusCode: resp.StatusCode, Endpoint: req.endpoint}
		raw, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		if err != nil {
			apiErr.Errors = []string{fmt.Sprintf("reading error body: %v", err)}
			return apiErr
		}
		var envelope struct {
			Errors []string `json:"errors"`
		}
		if json.Unmarshal(raw, &envelope) == nil && len(envelope.Errors) > 0 {
			apiErr.Errors = envelope.Errors
		} else if text := strings.TrimSpace(string(raw)); text != "" {
			apiErr.Errors = []string{text}
		}
		return apiErr
	}
	if req.out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(req.out); err != nil {
		if ctxErr := context.Cause(resp.Request.Context()); ctxErr != nil {
			return fmt.Errorf("flink %s: reading response: %w", req.endpoint, err)
		}
		return &decodeError{err: fmt.Errorf("flink %s: decoding response: %w", req.endpoint, err)}
	}
	return nil
}

// get is the common idempotent JSON GET.
func (c *Client) get(ctx context.Context, endpoint, path string, out any) error {
	return c.do(ctx, request{method: http.MethodGet, endpoint: endpoint, path: path, retryable: true, out: out})
}
