package gitops

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	lua "github.com/yuin/gopher-lua"

	"github.com/teal-flink/teal/test/testenv"
)

// Health is what an Argo CD health script returns.
type Health struct {
	Status  string
	Message string
}

// ScriptPath is the shipped health script of a kind.
func ScriptPath(kind string) string {
	return filepath.Join(testenv.RepoRoot(), "config", "argocd", "flink.apache.org", kind, "health.lua")
}

// EvaluateHealth runs the shipped health script of kind on obj (any object that marshals to JSON), as Argo CD
// does: the object is the global obj, the script returns a table with status and message.
func EvaluateHealth(kind string, obj any) (Health, error) {
	script, err := os.ReadFile(ScriptPath(kind))
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
	if err := state.DoString(string(script)); err != nil {
		return Health{}, fmt.Errorf("running %s: %w", ScriptPath(kind), err)
	}
	result, ok := state.Get(-1).(*lua.LTable)
	if !ok {
		return Health{}, fmt.Errorf("%s returned %s, not a table", ScriptPath(kind), state.Get(-1).Type())
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
