// Package failpoint parses the operator's test-only crash point (TEAL_CRASH_AT): the step of one object at which
// the process kills itself, so a test can crash a real operator binary between recording a step's intent and
// acting on it, or between acting and recording the result. It only parses and matches; the process's reaction
// (a log line and SIGKILL) lives in main.go, and the hooks are wired by internal/manager.
package failpoint
