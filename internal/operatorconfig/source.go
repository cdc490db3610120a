package operatorconfig

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/fsnotify/fsnotify"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// Load reads an operator config.yaml (flat or nested keys, as Flink's config files); an empty path gives the
// defaults.
func Load(path string) (*Config, error) {
	if path == "" {
		return New(nil), nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the operator configuration: %w", err)
	}
	return Parse(raw)
}

// Parse reads operator configuration from YAML and validates it (Validate): a malformed value or a rejected
// key is an error naming the key; keys without effect are kept as Warnings.
func Parse(raw []byte) (*Config, error) {
	config, err := parse(raw)
	if err != nil {
		return nil, err
	}
	findings := Validate(config.values)
	if errs := Errors(findings); len(errs) > 0 {
		messages := make([]string, 0, len(errs))
		for _, finding := range errs {
			messages = append(messages, finding.String())
		}
		return nil, fmt.Errorf("invalid operator configuration: %s", strings.Join(messages, "; "))
	}
	config.warnings = findings
	return config, nil
}

// Warnings lists the keys of the loaded configuration that have no effect in Teal (reported as events).
func (c *Config) Warnings() []Finding { return append([]Finding(nil), c.warnings...) }

func parse(raw []byte) (*Config, error) {
	asJSON, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("parsing the operator configuration: %w", err)
	}
	if string(asJSON) == "null" {
		return New(nil), nil
	}
	flat, err := (&flinkv1beta1.ConfigObject{Raw: asJSON}).Flatten()
	if err != nil {
		return nil, fmt.Errorf("parsing the operator configuration: %w", err)
	}
	return New(flat), nil
}

// Event reasons of the operator configuration (reported by Source).
const (
	ReasonConfigInvalid     = "OperatorConfigInvalid"
	ReasonConfigReloaded    = "OperatorConfigReloaded"
	ReasonConfigUnsupported = "OperatorConfigUnsupportedKey"
)

// Reporter receives what loading the configuration found, as Kubernetes events: eventType is Normal or Warning.
type Reporter func(eventType, reason, message string)

// Source holds the configuration in force and, when kubernetes.operator.dynamic.config.enabled is true, reloads
// it when the mounted file changes (a ConfigMap update swaps the file's symlink). A configuration that does not
// validate leaves the last good one in force and is reported as a Warning event.
type Source struct {
	path    string
	current atomic.Pointer[Config]

	mu        sync.Mutex
	reporter  Reporter
	listeners []func(previous, next *Config)
}

// NewSource starts from an already loaded configuration.
func NewSource(path string, initial *Config) *Source {
	source := &Source{path: path}
	source.current.Store(initial)
	return source
}

// Current returns the configuration in force.
func (s *Source) Current() *Config { return s.current.Load() }

// SetReporter sets where findings go and reports the warnings of the configuration in force.
func (s *Source) SetReporter(reporter Reporter) {
	s.mu.Lock()
	s.reporter = reporter
	s.mu.Unlock()
	s.reportWarnings(s.Current())
}

// OnChange registers a function called after each successful reload with the previous and the new
// configuration (the manager uses it to change the watched namespaces).
func (s *Source) OnChange(listener func(previous, next *Config)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listeners = append(s.listeners, listener)
}

// Start watches the file until ctx ends (a manager Runnable); it returns at once when reloading is disabled.
func (s *Source) Start(ctx context.Context) error {
	if s.path == "" || !s.Current().Bool(KeyDynamicConfigEnabled) {
		return nil
	}
	watcher, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching the operator configuration: %w", err)
	}
	defer watcher.Close()
	// Watch the directory: ConfigMap volumes replace the file through a symlink swap.
	if err := watcher.Add(filepath.Dir(s.path)); err != nil {
		return fmt.Errorf("watching %s: %w", filepath.Dir(s.path), err)
	}
	logger := log.FromContext(ctx).WithName("operator-config")
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-watcher.Events:
			s.Reload()
		case err := <-watcher.Errors:
			logger.Error(err, "watching the operator configuration")
		}
	}
}

// Reload reads the file again: a valid configuration replaces the one in force (listeners are told), an
// invalid one is reported and the last good configuration stays.
func (s *Source) Reload() {
	config, err := Load(s.path)
	if err != nil {
		s.report("Warning", ReasonConfigInvalid, "keeping the previous operator configuration: "+err.Error())
		return
	}
	previous := s.current.Swap(config)
	if reflect.DeepEqual(previous.values, config.values) {
		return
	}
	s.report("Normal", ReasonConfigReloaded, "operator configuration reloaded from "+s.path)
	s.reportWarnings(config)
	s.mu.Lock()
	listeners := append([]func(previous, next *Config){}, s.listeners...)
	s.mu.Unlock()
	for _, listener := range listeners {
		listener(previous, config)
	}
}

func (s *Source) reportWarnings(config *Config) {
	for _, finding := range config.Warnings() {
		s.report("Warning", ReasonConfigUnsupported, finding.String())
	}
}

func (s *Source) report(eventType, reason, message string) {
	s.mu.Lock()
	reporter := s.reporter
	s.mu.Unlock()
	if reporter != nil {
		reporter(eventType, reason, message)
	}
}
