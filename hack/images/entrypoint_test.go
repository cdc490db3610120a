package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEntrypointDropsRootForFlinkUser: started as root, the entrypoint must run Flink as the user flink through
// gosu, as the official image does (files on volumes belong to uid 9999); without a flink user it runs as
// started. `id` and `gosu` are stand-ins on PATH that play root and record the call.
func TestEntrypointDropsRootForFlinkUser(t *testing.T) {
	for _, tc := range []struct {
		name      string
		args      []string
		flinkUser bool
		want      string
	}{
		{"jobmanager as flink", []string{"jobmanager"}, true, "gosu flink FLINK_HOME/bin/jobmanager.sh start-foreground\nFLINK_HOME/bin/jobmanager.sh start-foreground\n"},
		{"taskmanager as flink", []string{"taskmanager"}, true, "gosu flink FLINK_HOME/bin/taskmanager.sh start-foreground\nFLINK_HOME/bin/taskmanager.sh start-foreground\n"},
		{"pass-through as flink", []string{"kubernetes-jobmanager.sh", "kubernetes-application"}, true, "gosu flink kubernetes-jobmanager.sh kubernetes-application\nFLINK_HOME/bin/kubernetes-jobmanager.sh kubernetes-application\n"},
		{"no flink user: as started", []string{"jobmanager"}, false, "FLINK_HOME/bin/jobmanager.sh start-foreground\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			home, stubs, record := filepath.Join(dir, "flink"), filepath.Join(dir, "stubs"), filepath.Join(dir, "record")
			for _, d := range []string{filepath.Join(home, "bin"), filepath.Join(home, "conf"), stubs} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			flinkExit := "exit 1"
			if tc.flinkUser {
				flinkExit = "exit 0"
			}
			scripts := map[string]string{
				filepath.Join(stubs, "id"):   "#!/bin/sh\n[ \"$1\" = -u ] && { echo 0; exit 0; }\n[ \"$1\" = flink ] && " + flinkExit + "\nexit 1\n",
				filepath.Join(stubs, "gosu"): "#!/bin/sh\necho \"gosu $*\" >>\"$RECORD\"\nshift\nexec \"$@\"\n",
			}
			for _, name := range []string{"jobmanager.sh", "taskmanager.sh", "kubernetes-jobmanager.sh"} {
				scripts[filepath.Join(home, "bin", name)] = "#!/bin/sh\necho \"$0 $*\" >>\"$RECORD\"\n"
			}
			for path, content := range scripts {
				if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(home, "conf", "config.yaml"), []byte("jobmanager.rpc.address: jm\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("bash", append([]string{filepath.Join("flink", "docker-entrypoint.sh")}, tc.args...)...)
			cmd.Env = []string{"PATH=" + stubs + ":" + os.Getenv("PATH"), "FLINK_HOME=" + home, "RECORD=" + record}
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("entrypoint: %v\n%s", err, out)
			}
			content, err := os.ReadFile(record)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.ReplaceAll(string(content), home, "FLINK_HOME"); got != tc.want {
				t.Errorf("calls:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}
