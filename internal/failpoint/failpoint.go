package failpoint

import (
	"fmt"
	"strings"
)

// EnvVar names the environment variable that sets a crash point. Unset or empty: no crash point, no hooks.
const EnvVar = "TEAL_CRASH_AT"

// The kinds a crash point can name: the four controllers' resources.
const (
	KindFlinkDeployment          = "FlinkDeployment"
	KindFlinkSessionJob          = "FlinkSessionJob"
	KindFlinkStateSnapshot       = "FlinkStateSnapshot"
	KindFlinkBlueGreenDeployment = "FlinkBlueGreenDeployment"
)

var kinds = []string{KindFlinkDeployment, KindFlinkSessionJob, KindFlinkStateSnapshot, KindFlinkBlueGreenDeployment}

// Point is a crash point, written <Kind>/<namespace>/<name>@<step>: the first time the controller of Kind reports
// step for that object, the process dies. Steps are the names the controllers pass to their OnStep hooks, e.g.
// "StopWithSavepoint/intent" (intent recorded, Flink not yet asked), "StopWithSavepoint" (Flink asked, the
// result not yet recorded), "Trigger", "Intent SAVEPOINTING_BLUE" or "ApplyChild(GREEN)".
type Point struct {
	Kind, Namespace, Name, Step string
}

// String writes the point in the form Parse reads.
func (p Point) String() string {
	return p.Kind + "/" + p.Namespace + "/" + p.Name + "@" + p.Step
}

// Matches reports whether the controller of kind reaching step for namespace/name is this crash point.
func (p Point) Matches(kind, namespace, name, step string) bool {
	return p.Kind == kind && p.Namespace == namespace && p.Name == name && p.Step == step
}

// Parse reads a crash point, <Kind>/<namespace>/<name>@<step>. The step is everything after the first "@" (a
// Kubernetes name cannot hold one) and may contain spaces, slashes and parentheses.
func Parse(value string) (Point, error) {
	target, step, found := strings.Cut(value, "@")
	if !found {
		return Point{}, fmt.Errorf("%s=%q: want <Kind>/<namespace>/<name>@<step>: no @<step>", EnvVar, value)
	}
	parts := strings.Split(target, "/")
	if len(parts) != 3 {
		return Point{}, fmt.Errorf("%s=%q: want <Kind>/<namespace>/<name>@<step>: %q is not <Kind>/<namespace>/<name>",
			EnvVar, value, target)
	}
	point := Point{Kind: parts[0], Namespace: parts[1], Name: parts[2], Step: step}
	if !knownKind(point.Kind) {
		return Point{}, fmt.Errorf("%s=%q: kind %q is not one of %s", EnvVar, value, point.Kind, strings.Join(kinds, ", "))
	}
	if point.Namespace == "" || point.Name == "" {
		return Point{}, fmt.Errorf("%s=%q: the namespace and the name must not be empty", EnvVar, value)
	}
	if strings.TrimSpace(point.Step) == "" {
		return Point{}, fmt.Errorf("%s=%q: the step must not be empty", EnvVar, value)
	}
	return point, nil
}

// FromEnv reads the crash point from getenv (os.Getenv): nil when EnvVar is unset or empty.
func FromEnv(getenv func(string) string) (*Point, error) {
	value := getenv(EnvVar)
	if value == "" {
		return nil, nil
	}
	point, err := Parse(value)
	if err != nil {
		return nil, err
	}
	return &point, nil
}

// Reached is the line the process logs when it reaches its crash point, right before it kills itself.
func Reached(p Point) string { return "crash point reached: " + p.String() }

func knownKind(kind string) bool {
	for _, known := range kinds {
		if kind == known {
			return true
		}
	}
	return false
}
