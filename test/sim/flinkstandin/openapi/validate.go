package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// find returns the operation serving method and path.
func (s *Spec) find(method, path string) (*operation, []string, error) {
	for i := range s.operations {
		op := &s.operations[i]
		if op.method != method {
			continue
		}
		if match := op.pattern.FindStringSubmatch(path); match != nil {
			return op, match[1:], nil
		}
	}
	return nil, nil, fmt.Errorf("%s %s is not in %s", method, path, s.Name)
}

// ValidateRequest checks a request against the spec: the operation exists, path and query parameters match
// their schemas, and a JSON body matches the request schema.
func (s *Spec) ValidateRequest(method string, target *url.URL, contentType string, body []byte) error {
	op, pathValues, err := s.find(method, target.Path)
	if err != nil {
		return err
	}
	var problems []error
	for i, name := range op.pathParams {
		if schema, ok := op.params["path:"+name]; ok {
			if err := s.validateInline(schema, pathValues[i]); err != nil {
				problems = append(problems, fmt.Errorf("path parameter %s=%q: %w", name, pathValues[i], err))
			}
		}
	}
	for name, values := range target.Query() {
		schema, ok := op.params["query:"+name]
		if !ok {
			problems = append(problems, fmt.Errorf("query parameter %s is not in the spec", name))
			continue
		}
		for _, value := range values {
			if err := s.validateInline(schema, queryValue(s, schema, value)); err != nil {
				problems = append(problems, fmt.Errorf("query parameter %s=%q: %w", name, value, err))
			}
		}
	}
	switch {
	case len(body) == 0:
	case !op.hasRequest:
		problems = append(problems, errors.New("request has a body the spec does not define"))
	case strings.HasPrefix(contentType, "application/json"):
		if op.requestSchema == "-" || op.requestSchema == "" {
			problems = append(problems, fmt.Errorf("JSON body where the spec wants another content type"))
			break
		}
		var value any
		if err := json.Unmarshal(body, &value); err != nil {
			problems = append(problems, fmt.Errorf("request body is not JSON: %w", err))
		} else if err := s.validateValue(op.requestSchema, value); err != nil {
			problems = append(problems, fmt.Errorf("request body: %w", err))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s %s (%s): %w", method, op.template, s.Name, errors.Join(problems...))
	}
	return nil
}

// queryValue turns a query string into the JSON type its schema wants. Flink parses enum query values
// case-insensitively (mode=cancel for TerminationMode CANCEL), so an enum value is matched that way.
func queryValue(s *Spec, schema map[string]any, value string) any {
	resolved := schema
	if ref := refName(schema); ref != "" {
		if compiled, err := s.schema(ref); err == nil && compiled.Enum != nil {
			for _, allowed := range compiled.Enum {
				if text, ok := allowed.(string); ok && strings.EqualFold(text, value) {
					return text
				}
			}
		}
		return value
	}
	switch resolved["type"] {
	case "integer":
		if n, err := strconv.ParseInt(value, 10, 64); err == nil {
			return json.Number(strconv.FormatInt(n, 10))
		}
	case "boolean":
		if b, err := strconv.ParseBool(value); err == nil {
			return b
		}
	}
	return value
}

// ValidateResponse checks a response: its status is one the operation declares (or an error status carrying
// Flink's {"errors": [...]} body), and a declared JSON body matches the response schema.
func (s *Spec) ValidateResponse(method string, target *url.URL, status int, body []byte) error {
	op, _, err := s.find(method, target.Path)
	if err != nil {
		return err
	}
	schemaName, declared := op.responses[strconv.Itoa(status)]
	if !declared {
		if status >= 400 {
			var envelope struct {
				Errors []string `json:"errors"`
			}
			if err := json.Unmarshal(body, &envelope); err != nil || len(envelope.Errors) == 0 {
				return fmt.Errorf("%s %s: HTTP %d without Flink's {\"errors\": [...]} body: %q", method, op.template, status, body)
			}
			return nil
		}
		return fmt.Errorf("%s %s (%s): HTTP %d is not a declared response", method, op.template, s.Name, status)
	}
	if schemaName == "" {
		return nil
	}
	var value any
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.UseNumber()
	if err := decoder.Decode(&value); err != nil {
		return fmt.Errorf("%s %s: response body is not JSON: %w", method, op.template, err)
	}
	if items, isArray := value.([]any); isArray && schemaName == metricCollection {
		// Flink serializes a metric collection as a bare array of metrics, not as the object the specification
		// describes: each element is checked against the element schema instead.
		for i, item := range items {
			if err := s.validateValue(metricSchema, item); err != nil {
				return fmt.Errorf("%s %s (%s): metric %d does not match %s: %w", method, op.template, s.Name, i, metricSchema, err)
			}
		}
		return nil
	}
	if err := s.validateValue(schemaName, value); err != nil {
		return fmt.Errorf("%s %s (%s): response does not match %s: %w", method, op.template, s.Name, schemaName, err)
	}
	return nil
}

// The one response whose wire shape differs from the specification (see ValidateResponse).
const (
	metricCollection = "MetricCollectionResponseBody"
	metricSchema     = "Metric"
)

// Recorder collects validation failures from a Transport.
type Recorder struct {
	mu       sync.Mutex
	failures []error
	checked  int
}

// Failures returns every validation failure so far.
func (r *Recorder) Failures() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.failures...)
}

// Checked counts the exchanges validated so far.
func (r *Recorder) Checked() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.checked
}

func (r *Recorder) record(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checked++
	if err != nil {
		r.failures = append(r.failures, err)
	}
}

// Transport wraps next so every exchange is validated against spec and the outcome recorded in recorder.
func Transport(spec *Spec, next http.RoundTripper, recorder *Recorder) http.RoundTripper {
	return roundTripper{spec: spec, next: next, recorder: recorder}
}

type roundTripper struct {
	spec     *Spec
	next     http.RoundTripper
	recorder *Recorder
}

func (t roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	var requestBody []byte
	contentType := req.Header.Get("Content-Type")
	if req.Body != nil && strings.HasPrefix(contentType, "application/json") {
		var err error
		if requestBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(requestBody))
	} else if req.Body != nil {
		requestBody = []byte("non-JSON")
	}
	requestErr := t.spec.ValidateRequest(req.Method, req.URL, contentType, jsonOnly(contentType, requestBody))
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		t.recorder.record(requestErr)
		return nil, err
	}
	responseBody, readErr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(responseBody))
	if readErr != nil {
		t.recorder.record(errors.Join(requestErr, readErr))
		return resp, nil
	}
	t.recorder.record(errors.Join(requestErr, t.spec.ValidateResponse(req.Method, req.URL, resp.StatusCode, responseBody)))
	return resp, nil
}

// jsonOnly passes a JSON body on and reduces any other body to a marker the validator only checks for presence.
func jsonOnly(contentType string, body []byte) []byte {
	if strings.HasPrefix(contentType, "application/json") || len(body) == 0 {
		return body
	}
	return nil
}
