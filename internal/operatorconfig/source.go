package operatorconfig

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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

// Parse reads operator configuration from YAML.
func Parse(raw []byte) (*Config, error) {
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

// Source holds the configuration in force and, when kubernetes.operator.dynamic.config.enabled is true, reloads
// it when the mounted file changes (a ConfigMap update swaps the file's symlink).
type Source struct {
	path    string
	current atomic.Pointer[Config]
}

// NewSource starts from an already loaded configuration.
func NewSource(path string, initial *Config) *Source {
	source := &Source{path: path}
	source.current.Store(initial)
	return source
}

// Current returns the configuration in force.
func (s *Source) Current() *Config { return s.current.Load() }

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
			s.reload(logger.Info, logger.Error)
		case err := <-watcher.Errors:
			logger.Error(err, "watching the operator configuration")
		}
	}
}

func (s *Source) reload(info func(string, ...any), fail func(error, string, ...any)) {
	config, err := Load(s.path)
	if err != nil {
		fail(err, "keeping the previous operator configuration")
		return
	}
	s.current.Store(config)
	info("operator configuration reloaded", "path", s.path)
}
