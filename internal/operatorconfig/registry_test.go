package operatorconfig

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func readKeyList(t *testing.T, path string) []string {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var keys []string
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		if line := strings.TrimSpace(scanner.Text()); line != "" && !strings.HasPrefix(line, "#") {
			keys = append(keys, line)
		}
	}
	return keys
}

// TestEveryUpstreamKeyHasAState fails when a key of upstream's documentation (testdata) is in none of the
// registry's states: a key a user can set must be honoured, overridable, rejected or warned about.
func TestEveryUpstreamKeyHasAState(t *testing.T) {
	keys := readKeyList(t, "testdata/upstream_keys.txt")
	if len(keys) < 100 {
		t.Fatalf("the upstream key list is truncated: %d keys", len(keys))
	}
	for _, key := range keys {
		t.Run(key, func(t *testing.T) {
			g := NewWithT(t)
			entry, found := Lookup(strings.ReplaceAll(key, "<listener-name>", "audit"))
			g.Expect(found).To(BeTrue(), "no registry entry: decide whether Teal honours, rejects or warns about it")
			g.Expect(entry.State).To(BeElementOf(Honoured, Warned, Rejected))
			g.Expect(entry.Scope).To(BeElementOf(ScopeOperator, ScopeResource))
		})
	}
}

// TestResourceOverridableKeysAreUpstreamsDynamicSection pins the tenant boundary: a resource may override
// exactly upstream's dynamic operator keys (plus the blue/green and autoscaler families), never a system key.
func TestResourceOverridableKeysAreUpstreamsDynamicSection(t *testing.T) {
	g := NewWithT(t)
	dynamic := map[string]bool{}
	for _, key := range readKeyList(t, "testdata/upstream_dynamic_keys.txt") {
		dynamic[strings.ReplaceAll(key, "<listener-name>", "audit")] = true
	}
	for _, key := range readKeyList(t, "testdata/upstream_keys.txt") {
		key = strings.ReplaceAll(key, "<listener-name>", "audit")
		if !strings.HasPrefix(key, OperatorPrefix) {
			continue
		}
		entry, _ := Lookup(key)
		if dynamic[key] {
			g.Expect(entry.Scope).To(Equal(ScopeResource), "%s is per-resource upstream", key)
		} else {
			g.Expect(ResourceOverridable(key)).To(BeFalse(), "%s is a system key upstream: a resource must not override it", key)
		}
	}
	for _, key := range []string{KeyRestURLTemplate, KeyClientTimeout, KeyClientCancelTimeout, KeyWatchedNamespaces,
		KeyAllowedArtifactSchemes, KeyDisallowRestrictedHosts, KeyLabelSelector, DefaultConfigurationPrefix + "x"} {
		g.Expect(ResourceOverridable(key)).To(BeFalse(), key)
	}
}

// TestForResourceIgnoresOperatorWideKeys is the controller side of the tenant isolation fix: whatever a
// resource's spec.flinkConfiguration says, the REST address template and the client timeouts stay the
// operator's.
func TestForResourceIgnoresOperatorWideKeys(t *testing.T) {
	g := NewWithT(t)
	operator := New(map[string]string{KeyRestURLTemplate: "http://{{.Name}}-rest.{{.Namespace}}.svc:{{.Port}}"})
	config := operator.ForResource(map[string]string{
		KeyRestURLTemplate:          "http://victim-rest.b.svc:8081",
		KeyClientTimeout:            "10 h",
		KeyClientCancelTimeout:      "10 h",
		KeyWatchedNamespaces:        "b",
		"kubernetes.operator.nope":  "x",
		KeySavepointOnDeletion:      "true",
		KeySavepointHistoryMaxCount: "not a number",
	})
	g.Expect(config.String(KeyRestURLTemplate)).To(Equal("http://{{.Name}}-rest.{{.Namespace}}.svc:{{.Port}}"))
	g.Expect(config.DurationOr(KeyClientTimeout)).To(Equal(10 * time.Second))
	g.Expect(config.DurationOr(KeyClientCancelTimeout)).To(Equal(time.Minute))
	g.Expect(config.IsSet(KeyWatchedNamespaces)).To(BeFalse())
	g.Expect(config.IsSet("kubernetes.operator.nope")).To(BeFalse())
	g.Expect(config.Bool(KeySavepointOnDeletion)).To(BeTrue(), "a per-resource key is honoured")
	g.Expect(config.IsSet(KeySavepointHistoryMaxCount)).To(BeFalse(), "a malformed value is not taken")
}

// TestTimeoutsAreBounded: even the operator's own configuration cannot park a REST call for hours.
func TestTimeoutsAreBounded(t *testing.T) {
	g := NewWithT(t)
	config := New(map[string]string{KeyClientTimeout: "3 h", KeyClientCancelTimeout: "3 h"})
	g.Expect(config.DurationOr(KeyClientTimeout)).To(Equal(5 * time.Minute))
	g.Expect(config.DurationOr(KeyClientCancelTimeout)).To(Equal(30 * time.Minute))
	g.Expect(CheckValue(KeyClientTimeout, "3 h")).To(MatchError(ContainSubstring("at most 5m0s")))
}

func TestCheckResourceKey(t *testing.T) {
	cases := []struct {
		key, value string
		found      bool
		isError    bool
		message    string
	}{
		{key: KeyRestURLTemplate, value: "http://x", found: true, isError: true, message: "operator-wide"},
		{key: KeyClientTimeout, value: "1 s", found: true, isError: true, message: "operator-wide"},
		{key: "kubernetes.operator.plugins.listeners.audit.class", value: "x.Y", found: true, isError: true, message: "Java listener"},
		{key: KeySavepointHistoryMaxCount, value: "x", found: true, isError: true, message: "integer"},
		{key: KeySavepointOnDeletion, value: "true"},
		{key: KeyCheckpointType, value: "FULL"},
		{key: KeyCheckpointType, value: "INCREMENTAL", found: true, message: "FULL"},
		{key: "job.autoscaler.enabled", value: "true", found: true, message: "autoscaling is not performed"},
		{key: "kubernetes.operator.savepoint.histroy.max.count", value: "3", found: true, message: "spelling"},
		{key: "taskmanager.numberOfTaskSlots", value: "2"},
	}
	for _, tc := range cases {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			g := NewWithT(t)
			finding, found := CheckResourceKey(tc.key, tc.value)
			g.Expect(found).To(Equal(tc.found))
			g.Expect(finding.Error).To(Equal(tc.isError))
			g.Expect(finding.Message).To(ContainSubstring(tc.message))
		})
	}
}

// TestFlinkDefaultsLayers covers upstream's semantics of Flink defaults in the operator configuration.
func TestFlinkDefaultsLayers(t *testing.T) {
	config := New(map[string]string{
		"taskmanager.numberOfTaskSlots":                                     "2",
		KeyReconcileInterval:                                                "30 s",
		DefaultConfigurationPrefix + "web.cancel.enable":                    "false",
		DefaultConfigurationPrefix + "namespace.team-a.parallelism.default": "4",
		DefaultConfigurationPrefix + "flink-version.v1_19+.a":               "v1_19+",
		DefaultConfigurationPrefix + "flink-version.v1_20+.a":               "v1_20+",
		DefaultConfigurationPrefix + "flink-version.v1_20.b":                "v1_20",
		DefaultConfigurationPrefix + "flink-version.v2_0.b":                 "v2_0",
	})
	cases := []struct {
		name      string
		namespace string
		version   flinkv1beta1.FlinkVersion
		want      map[string]string
	}{
		{name: "plain keys and default-configuration for every deployment; version+ not below it", version: flinkv1beta1.FlinkVersionV1_18,
			want: map[string]string{"taskmanager.numberOfTaskSlots": "2", "web.cancel.enable": "false"}},
		{name: "v1_19+ applies to v1_19", version: flinkv1beta1.FlinkVersionV1_19,
			want: map[string]string{"taskmanager.numberOfTaskSlots": "2", "web.cancel.enable": "false", "a": "v1_19+"}},
		{name: "the newest matching version+ wins, then the exact version", version: flinkv1beta1.FlinkVersionV1_20,
			want: map[string]string{"taskmanager.numberOfTaskSlots": "2", "web.cancel.enable": "false", "a": "v1_20+", "b": "v1_20"}},
		{name: "v2_0 gets the + keys and its own", version: flinkv1beta1.FlinkVersionV2_0,
			want: map[string]string{"taskmanager.numberOfTaskSlots": "2", "web.cancel.enable": "false", "a": "v1_20+", "b": "v2_0"}},
		{name: "a namespace's defaults only in that namespace", namespace: "team-a", version: flinkv1beta1.FlinkVersionV1_18,
			want: map[string]string{"taskmanager.numberOfTaskSlots": "2", "web.cancel.enable": "false", "parallelism.default": "4"}},
		{name: "not in another namespace", namespace: "team-b", version: flinkv1beta1.FlinkVersionV1_18,
			want: map[string]string{"taskmanager.numberOfTaskSlots": "2", "web.cancel.enable": "false"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(config.InNamespace(tc.namespace).ForResource(nil).FlinkDefaults(tc.version)).To(Equal(tc.want))
		})
	}
}

func TestValidateOperatorConfiguration(t *testing.T) {
	cases := []struct {
		name     string
		yaml     string
		errorKey string
		warnKey  string
	}{
		{name: "malformed duration", yaml: "kubernetes.operator.reconcile.interval: soon\n", errorKey: KeyReconcileInterval},
		{name: "malformed boolean", yaml: "kubernetes.operator.job.savepoint-on-deletion: yes please\n", errorKey: KeySavepointOnDeletion},
		{name: "unknown Flink version", yaml: "kubernetes.operator.default-configuration.flink-version.v9_9.a: b\n", errorKey: DefaultConfigurationPrefix + "flink-version.v9_9.a"},
		{name: "rejected key", yaml: "kubernetes.operator.plugins.listeners.audit.class: x.Y\n", errorKey: "kubernetes.operator.plugins.listeners.audit.class"},
		{name: "warned key", yaml: "kubernetes.operator.retry.max.attempts: 3\n", warnKey: "kubernetes.operator.retry.max.attempts"},
		{name: "unknown operator key", yaml: "kubernetes.operator.reconcile.intervall: 3 s\n", warnKey: "kubernetes.operator.reconcile.intervall"},
		{name: "valid", yaml: "kubernetes.operator.reconcile.interval: 3 s\ntaskmanager.numberOfTaskSlots: 2\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			config, err := Parse([]byte(tc.yaml))
			if tc.errorKey != "" {
				g.Expect(err).To(MatchError(ContainSubstring(tc.errorKey)))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			if tc.warnKey == "" {
				g.Expect(config.Warnings()).To(BeEmpty())
				return
			}
			g.Expect(config.Warnings()).To(ContainElement(HaveField("Key", tc.warnKey)))
		})
	}
}
