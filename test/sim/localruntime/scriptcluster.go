package localruntime

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/test/sim/flinkdist"
)

// scriptCluster is a JobManager and a TaskManager started the way the image starts them: each process is
// hack/images/flink/docker-entrypoint.sh with the pod's arguments and environment, reading the configuration the
// pod mounts. Only what cannot hold outside Kubernetes is replaced in that configuration: addresses and ports
// (loopback, free ports), memory (sized for a two-core machine), Kubernetes HA and the image's paths (the
// distribution stands in for /opt/flink).
type scriptCluster struct {
	restURL string
	// sessionID is the value of flinkdist.SessionIDKey in the configuration these processes read; the
	// readiness check and Alive require it, so another cluster on the REST port is never taken for this one.
	sessionID               string
	confDir, logDir         string
	jobManager, taskManager *exec.Cmd
	exited                  map[*exec.Cmd]chan error
}

// entrypointPath is the entrypoint script of Teal's Flink images in this repository.
func entrypointPath() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		path := filepath.Join(dir, "hack", "images", "flink", "docker-entrypoint.sh")
		if _, err := os.Stat(path); err == nil {
			return path, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("hack/images/flink/docker-entrypoint.sh not found above the working directory")
		}
		dir = parent
	}
}

// flinkScriptsDir finds Flink's start scripts (bin/*.sh) for a distribution: in it, or in scripts/bin, where
// hack/install-flink.sh unpacks them from the apache-flink package (TEAL_FLINK_SCRIPTS overrides).
func flinkScriptsDir(dist flinkdist.Distribution) (string, error) {
	candidates := []string{os.Getenv("TEAL_FLINK_SCRIPTS"), filepath.Join(dist.Home, "bin"), filepath.Join(dist.Home, "scripts", "bin")}
	for _, dir := range candidates {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "jobmanager.sh")); err == nil {
			return dir, nil
		}
	}
	return "", fmt.Errorf("no Flink start scripts (jobmanager.sh) for Flink %s in %s (run hack/install-flink.sh)", dist.Version, strings.Join(candidates[1:], ", "))
}

// flinkHome lays out a FLINK_HOME from the distribution's jars and the start scripts.
func flinkHome(dist flinkdist.Distribution, scripts, dir string) (string, error) {
	home := filepath.Join(dir, "flink-home")
	if err := os.MkdirAll(filepath.Join(home, "bin"), 0o755); err != nil {
		return "", err
	}
	// The image keeps the example where the official image does: examples/streaming/TopSpeedWindowing.jar.
	if err := os.MkdirAll(filepath.Join(home, "examples", "streaming"), 0o755); err != nil {
		return "", err
	}
	if err := os.Symlink(dist.TopSpeedWindowingJar(), filepath.Join(home, "examples", "streaming", "TopSpeedWindowing.jar")); err != nil {
		return "", err
	}
	for _, sub := range []string{"opt", "plugins"} {
		if err := os.Symlink(filepath.Join(dist.Home, sub), filepath.Join(home, sub)); err != nil {
			return "", err
		}
	}
	// lib/ holds links to the jars: Flink's scripts find flink-dist with find(1), which does not enter a
	// linked directory.
	if err := os.MkdirAll(filepath.Join(home, "lib"), 0o755); err != nil {
		return "", err
	}
	jars, err := os.ReadDir(dist.LibDir())
	if err != nil {
		return "", err
	}
	for _, jar := range jars {
		if err := os.Symlink(filepath.Join(dist.LibDir(), jar.Name()), filepath.Join(home, "lib", jar.Name())); err != nil {
			return "", err
		}
	}
	for _, source := range []string{scripts, filepath.Join(dist.Home, "bin")} {
		entries, err := os.ReadDir(source)
		if err != nil {
			return "", err
		}
		for _, entry := range entries {
			target := filepath.Join(home, "bin", entry.Name())
			if _, err := os.Lstat(target); err == nil {
				continue
			}
			// Copied executable: the scripts unpacked from a Python wheel lose their mode bits.
			content, err := os.ReadFile(filepath.Join(source, entry.Name()))
			if err != nil {
				return "", err
			}
			if err := os.WriteFile(target, content, 0o755); err != nil {
				return "", err
			}
		}
	}
	return home, nil
}

// localConfig is the pod's configuration with what cannot hold on loopback replaced, and sessionID under
// flinkdist.SessionIDKey.
func localConfig(config map[string]string, home, dir string, ports []int, sessionID string) map[string]string {
	local := map[string]string{}
	for key, value := range config {
		// kubernetes.namespace stays: a program in the pod may read it (the blue/green gate does), as it could
		// read its service account's namespace there.
		if (strings.HasPrefix(key, "kubernetes.") && key != resources.KeyNamespace) || strings.HasPrefix(key, "high-availability") {
			continue
		}
		// The distribution stands in for the image's /opt/flink.
		local[key] = strings.ReplaceAll(value, "file:///opt/flink/", "file://"+home+"/")
	}
	for key, value := range map[string]string{
		resources.KeyRPCAddress: "127.0.0.1", "jobmanager.bind-host": "127.0.0.1", resources.KeyRPCPort: strconv.Itoa(ports[1]),
		"rest.address": "127.0.0.1", "rest.bind-address": "127.0.0.1", resources.KeyRestPort: strconv.Itoa(ports[0]),
		resources.KeyBlobPort: strconv.Itoa(ports[2]), "taskmanager.host": "127.0.0.1", "taskmanager.bind-host": "127.0.0.1",
		resources.KeyTaskManagerRPCPort: strconv.Itoa(ports[3]), "taskmanager.data.port": strconv.Itoa(ports[4]),
		"metrics.internal.query-service.port": "0", "env.pid.dir": dir, "io.tmp.dirs": filepath.Join(dir, "tmp"),
		"web.upload.dir": filepath.Join(dir, "web-upload"), "cluster.registration.error-delay": "1000",
		resources.KeyJobManagerMemory: "1024m", flinkdist.SessionIDKey: sessionID,
		// As in flinkdist's sessions: the actor system took 17 s to start on a loaded two-core machine, and
		// Flink's fallback of 10 s made the TaskManager exit with "Could not create actor system".
		"pekko.startup-timeout": "2 min",
		// The TaskManager sized component by component (sum 1152m), as flinkdist's sessions.
		"taskmanager.memory.framework.heap.size": "128m", "taskmanager.memory.task.heap.size": "256m",
		"taskmanager.memory.framework.off-heap.size": "128m", "taskmanager.memory.task.off-heap.size": "0m",
		"taskmanager.memory.network.min": "64m", "taskmanager.memory.network.max": "64m",
		"taskmanager.memory.managed.size": "128m", "taskmanager.memory.jvm-metaspace.size": "256m",
		"taskmanager.memory.jvm-overhead.min": "192m", "taskmanager.memory.jvm-overhead.max": "192m",
	} {
		local[key] = value
	}
	delete(local, resources.KeyTaskManagerMemory)
	delete(local, "taskmanager.memory.flink.size")
	return local
}

// startScriptCluster starts the JobManager with the pod's command line and a TaskManager with
// "taskmanager", both through the entrypoint. A native JobManager (kubernetes-jobmanager.sh) has no
// Kubernetes to create TaskManagers from here: it runs as "jobmanager", and its application is submitted through
// REST by the caller.
func startScriptCluster(ctx context.Context, dist flinkdist.Distribution, spec ClusterSpec, dir string) (*scriptCluster, error) {
	entrypoint, err := entrypointPath()
	if err != nil {
		return nil, err
	}
	scripts, err := flinkScriptsDir(dist)
	if err != nil {
		return nil, err
	}
	home, err := flinkHome(dist, scripts, dir)
	if err != nil {
		return nil, err
	}
	cluster := &scriptCluster{confDir: filepath.Join(dir, "conf"), logDir: filepath.Join(dir, "log"), exited: map[*exec.Cmd]chan error{}}
	for _, sub := range []string{cluster.confDir, cluster.logDir, filepath.Join(dir, "tmp"), filepath.Join(dir, "web-upload")} {
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return nil, err
		}
	}
	// The pod's conf directory, as mounted, with the loopback replacements in its configuration file.
	entries, err := os.ReadDir(spec.Launch.ConfDir)
	if err != nil {
		return nil, err
	}
	for _, entry := range entries {
		content, err := os.ReadFile(filepath.Join(spec.Launch.ConfDir, entry.Name()))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(cluster.confDir, entry.Name()), content, 0o644); err != nil {
			return nil, err
		}
	}
	env := []string{"FLINK_HOME=" + home, "FLINK_LOG_DIR=" + cluster.logDir, "PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	if javaHome := os.Getenv("JAVA_HOME"); javaHome != "" {
		env = append(env, "JAVA_HOME="+javaHome)
	}
	for _, variable := range spec.Pod.Env {
		if variable.Name == "FLINK_CONF_DIR" {
			continue
		}
		env = append(env, variable.Name+"="+variable.Value)
	}
	env = append(env, "FLINK_CONF_DIR="+cluster.confDir)
	jobManagerArgs := spec.Pod.Args
	if spec.Launch.Native {
		jobManagerArgs = []string{"jobmanager"}
	}
	waitCtx, cancel := context.WithTimeout(ctx, flinkdist.DefaultStartTimeout)
	defer cancel()
	var errs []error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		err := cluster.startOnce(waitCtx, spec, home, dir, entrypoint, jobManagerArgs, env)
		if err == nil {
			return cluster, nil
		}
		errs = append(errs, fmt.Errorf("attempt %d: %w", attempt, err))
		if !errors.Is(err, errRetryableStart) || waitCtx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// startAttempts bounds the tries of startScriptCluster, each on fresh ports: FreePorts releases the ports it
// picks, and another test's cluster may bind one of them before these JVMs do.
const startAttempts = 3

// errRetryableStart marks a start that fresh ports may mend: a process exited (usually a port taken between
// FreePorts and the JVM's bind), or another cluster answers on the REST port.
var errRetryableStart = errors.New("the cluster's processes did not come up as one cluster")

// startOnce writes the configuration with fresh ports and a fresh session id, starts both processes and waits
// until the REST endpoint answers as this cluster with a TaskManager registered; on error both are stopped.
func (c *scriptCluster) startOnce(ctx context.Context, spec ClusterSpec, home, dir, entrypoint string, jobManagerArgs, env []string) error {
	c.jobManager, c.taskManager = nil, nil
	ports, err := flinkdist.FreePorts(5)
	if err != nil {
		return err
	}
	if c.sessionID, err = flinkdist.NewSessionID(); err != nil {
		return err
	}
	fileName := filepath.Base(spec.Launch.ConfigFile)
	rendered, err := resources.RenderConfig(mountedAgents(localConfig(spec.Launch.Config, home, dir, ports, c.sessionID), spec.Pod), fileName)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(c.confDir, fileName), []byte(rendered), 0o644); err != nil {
		return err
	}
	c.restURL = fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	if c.jobManager, err = c.start(entrypoint, jobManagerArgs, env, "jobmanager.log"); err != nil {
		return err
	}
	if c.taskManager, err = c.start(entrypoint, []string{"taskmanager"}, env, "taskmanager.log"); err != nil {
		return errors.Join(err, c.Stop())
	}
	if err := c.waitReady(ctx); err != nil {
		tail, _ := os.ReadFile(filepath.Join(c.logDir, "jobmanager.log"))
		return errors.Join(fmt.Errorf("%w\n%s", err, lastLines(string(tail), 30)), c.Stop())
	}
	return nil
}

func (c *scriptCluster) start(entrypoint string, args, env []string, logName string) (*exec.Cmd, error) {
	logFile, err := os.Create(filepath.Join(c.logDir, logName))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("bash", append([]string{entrypoint}, args...)...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s %q: %w", entrypoint, args, err)
	}
	done := make(chan error, 1)
	go func() {
		done <- cmd.Wait()
		logFile.Close()
		close(done)
	}()
	c.exited[cmd] = done
	return cmd, nil
}

func (c *scriptCluster) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: 5 * time.Second}
	ticker := time.NewTicker(500 * time.Millisecond)
	defer ticker.Stop()
	for {
		for _, cmd := range []*exec.Cmd{c.jobManager, c.taskManager} {
			select {
			case err := <-c.exited[cmd]:
				return fmt.Errorf("%w: %q exited during start-up: %v", errRetryableStart, cmd.Args[2:], err)
			default:
			}
		}
		if ready, err := c.answersReady(ctx, client); err != nil {
			return err
		} else if ready {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the JobManager's REST endpoint %s did not answer with a TaskManager registered: %w", c.restURL, ctx.Err())
		case <-ticker.C:
		}
	}
}

// answersReady reports whether the REST endpoint answers as this cluster (its configuration carries the session
// id) with a TaskManager registered. A foreign cluster on the port is an error marked errRetryableStart: this
// JobManager can never bind the port, so only fresh ports help. Without the id check another test's cluster
// that bound the port first passes for this one, and the e2e test runs its jobs there.
func (c *scriptCluster) answersReady(ctx context.Context, client *http.Client) (bool, error) {
	if err := flinkdist.CheckSessionID(ctx, client, c.restURL, c.sessionID); errors.Is(err, flinkdist.ErrForeignCluster) {
		return false, fmt.Errorf("%w: %w", errRetryableStart, err)
	} else if err != nil {
		return false, nil // not answering yet
	}
	response, err := client.Get(c.restURL + "/overview")
	if err != nil {
		return false, nil
	}
	defer response.Body.Close()
	body := make([]byte, 4096)
	n, _ := response.Body.Read(body)
	return response.StatusCode == http.StatusOK && !strings.Contains(string(body[:n]), `"taskmanagers":0`), nil
}

// Stop ends both processes' groups: SIGTERM, then SIGKILL after 10 s.
func (c *scriptCluster) Stop() error {
	var errs []error
	for _, cmd := range []*exec.Cmd{c.taskManager, c.jobManager} {
		if cmd == nil || cmd.Process == nil {
			continue
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-c.exited[cmd]:
		case <-time.After(10 * time.Second):
			if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
				errs = append(errs, err)
			}
			<-c.exited[cmd]
		}
	}
	return errors.Join(errs...)
}

func lastLines(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
