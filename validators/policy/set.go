package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/util/validation/field"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
)

// Set is the current collection of policies. It is a validators.Validator; Load replaces its contents
// atomically, so a reload never leaves half a set in force.
type Set struct {
	validators.Base

	mu       sync.RWMutex
	policies map[string][]*Policy
}

var _ validators.Validator = (*Set)(nil)

// NewSet returns an empty Set.
func NewSet() *Set { return &Set{policies: map[string][]*Policy{}} }

// Load compiles every document (name → YAML/JSON) and, only if all compile, replaces the set's policies with
// them. On error the previous policies stay in force.
func (s *Set) Load(documents map[string][]byte) error {
	names := make([]string, 0, len(documents))
	for name := range documents {
		names = append(names, name)
	}
	sort.Strings(names)
	next := map[string][]*Policy{}
	var errs []error
	for _, name := range names {
		policy, err := Parse(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, ".yaml"), ".yml"), ".json"), documents[name])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		next[policy.Kind] = append(next[policy.Kind], policy)
	}
	if len(errs) > 0 {
		return fmt.Errorf("loading policies: %w", errors.Join(errs...))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.policies = next
	return nil
}

// LoadFiles loads every *.yaml, *.yml and *.json file in the given files or directories.
func (s *Set) LoadFiles(paths ...string) error {
	documents := map[string][]byte{}
	for _, path := range paths {
		matches := []string{path}
		if info, err := os.Stat(path); err == nil && info.IsDir() {
			matches = nil
			for _, pattern := range []string{"*.yaml", "*.yml", "*.json"} {
				found, _ := filepath.Glob(filepath.Join(path, pattern)) // the pattern is well-formed
				matches = append(matches, found...)
			}
		}
		for _, file := range matches {
			raw, err := os.ReadFile(file)
			if err != nil {
				return fmt.Errorf("reading policy file: %w", err)
			}
			documents[filepath.Base(file)] = raw
		}
	}
	return s.Load(documents)
}

// Len is the number of policies in force.
func (s *Set) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, list := range s.policies {
		n += len(list)
	}
	return n
}

// evaluate runs the policies of kind on obj. Without any for the kind (most installations have none) it returns
// at once: the JSON document the schemas read is built only when a policy will read it, so admission requests
// do not pay for a round trip through JSON that nothing uses.
func (s *Set) evaluate(kind string, obj any) field.ErrorList {
	s.mu.RLock()
	policies := s.policies[kind]
	s.mu.RUnlock()
	if len(policies) == 0 {
		return nil
	}
	doc := withKind(obj, kind)
	var errs field.ErrorList
	for _, policy := range policies {
		errs = append(errs, policy.Evaluate(doc)...)
	}
	return errs
}

// ValidateFlinkDeployment evaluates the FlinkDeployment policies.
func (s *Set) ValidateFlinkDeployment(newObj, _ *flinkv1beta1.FlinkDeployment, _ validators.Options) field.ErrorList {
	return s.evaluate("FlinkDeployment", newObj)
}

// ValidateFlinkSessionJob evaluates the FlinkSessionJob policies.
func (s *Set) ValidateFlinkSessionJob(newObj, _ *flinkv1beta1.FlinkSessionJob, _ *flinkv1beta1.FlinkDeployment, _ validators.Options) field.ErrorList {
	return s.evaluate("FlinkSessionJob", newObj)
}

// ValidateFlinkStateSnapshot evaluates the FlinkStateSnapshot policies.
func (s *Set) ValidateFlinkStateSnapshot(newObj, _ *flinkv1beta1.FlinkStateSnapshot, _ bool, _ validators.Options) field.ErrorList {
	return s.evaluate("FlinkStateSnapshot", newObj)
}

// ValidateFlinkBlueGreenDeployment evaluates the FlinkBlueGreenDeployment policies.
func (s *Set) ValidateFlinkBlueGreenDeployment(newObj, _ *flinkv1beta1.FlinkBlueGreenDeployment, _ validators.Options) field.ErrorList {
	return s.evaluate("FlinkBlueGreenDeployment", newObj)
}

// withKind returns obj as a JSON object with apiVersion and kind filled in, so schemas can rely on them even
// when the caller's object (decoded by the webhook or read from the cache) has an empty TypeMeta.
func withKind(obj any, kind string) any {
	raw, err := json.Marshal(obj)
	if err != nil {
		return obj // Evaluate reports the same encoding error
	}
	var doc map[string]any
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber()
	if err := decoder.Decode(&doc); err != nil || doc == nil {
		return obj
	}
	doc["apiVersion"] = flinkv1beta1.GroupVersion.String()
	doc["kind"] = kind
	return doc
}
