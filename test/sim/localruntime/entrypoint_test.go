package localruntime

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
)

// EntrypointScript is the image entrypoint Teal's Flink images run, relative to the repository root.
const EntrypointScript = "hack/images/flink/docker-entrypoint.sh"

// fakeFlinkHome is a distribution whose start scripts print how they were called, so the entrypoint's dispatch
// can be checked without starting Flink.
func fakeFlinkHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	for _, dir := range []string{"bin", "conf", "opt", "plugins"} {
		if err := os.MkdirAll(filepath.Join(home, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, script := range []string{"jobmanager.sh", "standalone-job.sh", "taskmanager.sh", "historyserver.sh", "kubernetes-jobmanager.sh"} {
		body := "#!/usr/bin/env bash\necho \"" + script + " $*\"\necho \"conf=$FLINK_CONF_DIR\"\n"
		if err := os.WriteFile(filepath.Join(home, "bin", script), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(home, "opt", "flink-s3-fs-presto-1.20.3.jar"), []byte("jar"), 0o644); err != nil {
		t.Fatal(err)
	}
	return home
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

func runEntrypoint(t *testing.T, home string, env []string, args ...string) (string, error) {
	t.Helper()
	command := exec.Command("bash", append([]string{filepath.Join(repoRoot(t), EntrypointScript)}, args...)...)
	command.Env = append([]string{"FLINK_HOME=" + home, "PATH=/usr/bin:/bin"}, env...)
	out, err := command.CombinedOutput()
	return string(out), err
}

func TestEntrypointDispatchesTheOfficialCommands(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"jobmanager", "-D", "a=b"}, "jobmanager.sh start-foreground -D a=b"},
		{[]string{"standalone-job", "--job-classname", "org.example.Main", "--fromSavepoint", "file:///sp", "x y"}, "standalone-job.sh start-foreground --job-classname org.example.Main --fromSavepoint file:///sp x y"},
		{[]string{"taskmanager"}, "taskmanager.sh start-foreground"},
		{[]string{"history-server"}, "historyserver.sh start-foreground"},
		// Pass-through, as Flink's native integration uses it; FLINK_HOME/bin is on the PATH.
		{[]string{"kubernetes-jobmanager.sh", "kubernetes-application"}, "kubernetes-jobmanager.sh kubernetes-application"},
		{[]string{"echo", "hello"}, "hello"},
		{[]string{"help"}, "Usage:"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			g := NewWithT(t)
			home := fakeFlinkHome(t)
			g.Expect(os.WriteFile(filepath.Join(home, "conf", "config.yaml"), []byte("jobmanager.rpc.address: jm\n"), 0o644)).To(Succeed())
			out, err := runEntrypoint(t, home, nil, tc.args...)
			g.Expect(err).NotTo(HaveOccurred(), out)
			g.Expect(out).To(ContainSubstring(tc.want))
		})
	}
}

func TestEntrypointMergesFlinkProperties(t *testing.T) {
	for _, file := range []string{"config.yaml", "flink-conf.yaml"} {
		t.Run(file, func(t *testing.T) {
			g := NewWithT(t)
			home := fakeFlinkHome(t)
			conf := filepath.Join(home, "conf", file)
			g.Expect(os.WriteFile(conf, []byte("jobmanager.rpc.address: jm\ntaskmanager.numberOfTaskSlots: 1\nrest.port: 8081\n"), 0o644)).To(Succeed())
			out, err := runEntrypoint(t, home, []string{
				"FLINK_PROPERTIES=taskmanager.numberOfTaskSlots: 4\n\nstate.backend.type: rocksdb\n",
			}, "taskmanager")
			g.Expect(err).NotTo(HaveOccurred(), out)
			content, err := os.ReadFile(conf)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(string(content)).To(Equal("jobmanager.rpc.address: jm\nrest.port: 8081\ntaskmanager.numberOfTaskSlots: 4\nstate.backend.type: rocksdb\n"),
				"a key FLINK_PROPERTIES sets appears once, with its value")
			g.Expect(out).To(ContainSubstring("conf=" + filepath.Join(home, "conf")))
		})
	}
}

func TestEntrypointConfigurationOptions(t *testing.T) {
	g := NewWithT(t)
	home := fakeFlinkHome(t)
	conf := filepath.Join(home, "conf", "config.yaml")
	g.Expect(os.WriteFile(conf, []byte("rest.port: 8081\n"), 0o644)).To(Succeed())
	out, err := runEntrypoint(t, home, []string{"JOB_MANAGER_RPC_ADDRESS=flink-jm", "TASK_MANAGER_NUMBER_OF_TASK_SLOTS=3",
		"ENABLE_BUILT_IN_PLUGINS=flink-s3-fs-presto-1.20.3.jar"}, "jobmanager")
	g.Expect(err).NotTo(HaveOccurred(), out)
	content, _ := os.ReadFile(conf)
	g.Expect(string(content)).To(ContainSubstring("jobmanager.rpc.address: flink-jm\n"))
	g.Expect(string(content)).To(ContainSubstring("taskmanager.numberOfTaskSlots: 3\n"))
	target, err := os.Readlink(filepath.Join(home, "plugins", "flink-s3-fs-presto-1.20.3", "flink-s3-fs-presto-1.20.3.jar"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(target).To(Equal(filepath.Join(home, "opt", "flink-s3-fs-presto-1.20.3.jar")))

	out, err = runEntrypoint(t, home, []string{"ENABLE_BUILT_IN_PLUGINS=no-such-plugin.jar"}, "jobmanager")
	g.Expect(err).To(HaveOccurred(), "a plugin that is not in opt/ stops the container")
	g.Expect(out).To(ContainSubstring("no-such-plugin.jar does not exist"))
}

// A ConfigMap volume is read-only: the entrypoint leaves it as it is and still starts Flink.
func TestEntrypointLeavesAReadOnlyConfigurationAlone(t *testing.T) {
	if os.Geteuid() == 0 {
		// root writes through file modes; a ConfigMap volume is a read-only mount, which needs a mount namespace.
		t.Skip("needs a non-root user to make the configuration read-only")
	}
	g := NewWithT(t)
	home := fakeFlinkHome(t)
	conf := filepath.Join(home, "conf", "config.yaml")
	g.Expect(os.WriteFile(conf, []byte("rest.port: 8081\n"), 0o444)).To(Succeed())
	g.Expect(os.Chmod(filepath.Join(home, "conf"), 0o555)).To(Succeed())
	defer os.Chmod(filepath.Join(home, "conf"), 0o755)
	out, err := runEntrypoint(t, home, []string{"FLINK_PROPERTIES=rest.port: 9000"}, "jobmanager")
	g.Expect(err).NotTo(HaveOccurred(), out)
	g.Expect(out).To(ContainSubstring("read-only"))
	g.Expect(out).To(ContainSubstring("jobmanager.sh start-foreground"))
	content, _ := os.ReadFile(conf)
	g.Expect(string(content)).To(Equal("rest.port: 8081\n"))
}
