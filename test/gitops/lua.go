package gitops

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	lua "github.com/yuin/gopher-lua"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/teal-flink/teal/test/testenv"
)

// Health is what an Argo CD health script returns.
type Health struct {
	Status  string
	Message string
}

// ConfigMapPath is the argocd-cm snippet users merge into Argo CD: it carries each kind's health script.
func ConfigMapPath() string {
	return filepath.Join(testenv.RepoRoot(), "config", "argocd", "argocd-cm.yaml")
}

// HealthScript returns the health script of kind as shipped in the argocd-cm snippet.
func HealthScript(kind string) (string, error) {
	raw, err := os.ReadFile(ConfigMapPath())
	if err != nil {
		return "", err
	}
	var configMap corev1.ConfigMap
	if err := yaml.UnmarshalStrict(raw, &configMap); err != nil {
		return "", fmt.Errorf("reading %s: %w", ConfigMapPath(), err)
	}
	script, ok := configMap.Data["resource.customizations.health.flink.apache.org_"+kind]
	if !ok {
		return "", fmt.Errorf("%s has no health check for %s", ConfigMapPath(), kind)
	}
	return script, nil
}

// EvaluateHealth runs the shipped health script of kind on obj (any object that marshals to JSON), as Argo CD
// does: the object is the global obj, the script returns a table with status and message.
func EvaluateHealth(kind string, obj any) (Health, error) {
	script, err := HealthScript(kind)
	if err != nil {
		return Health{}, err
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return Health{}, err
	}
	var content any
	if err := json.Unmarshal(raw, &content); err != nil {
		return Health{}, err
	}
	state := lua.NewState(lua.Options{SkipOpenLibs: false})
	defer state.Close()
	state.SetGlobal("obj", toLua(state, content))
	if err := state.DoString(script); err != nil {
		return Health{}, fmt.Errorf("running the %s health script: %w", kind, err)
	}
	result, ok := state.Get(-1).(*lua.LTable)
	if !ok {
		return Health{}, fmt.Errorf("the %s health script returned %s, not a table", kind, state.Get(-1).Type())
	}
	return Health{Status: lua.LVAsString(result.RawGetString("status")), Message: lua.LVAsString(result.RawGetString("message"))}, nil
}

func toLua(state *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case []any:
		table := state.NewTable()
		for _, item := range v {
			table.Append(toLua(state, item))
		}
		return table
	case map[string]any:
		table := state.NewTable()
		for key, item := range v {
			table.RawSetString(key, toLua(state, item))
		}
		return table
	}
	return lua.LString(fmt.Sprint(value))
}
