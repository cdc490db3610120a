package flinkdist

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// stopGracePeriod is how long a JVM gets to shut down after SIGTERM before SIGKILL.
const stopGracePeriod = 20 * time.Second

// process is one Flink JVM in its own process group.
type process struct {
	name string
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{}
	// mu guards waitErr, set once the process exited.
	mu      sync.Mutex
	waitErr error
}

// startJava runs mainClass on Flink's classpath with output to <LogDir>/<name>.log.
func startJava(dist Distribution, session *Session, moduleFlags []string, name string, memoryFlags []string,
	mainClass string) (*process, error) {
	java := "java"
	if home := os.Getenv("JAVA_HOME"); home != "" {
		java = filepath.Join(home, "bin", "java")
	}
	logPath := filepath.Join(session.LogDir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", logPath, err)
	}
	args := append([]string{}, memoryFlags...)
	args = append(args, moduleFlags...)
	args = append(args,
		"-XX:+UseSerialGC", // the smallest collector footprint for two JVMs on two cores
		"-Dlog.file="+logPath,
		"-Dlog4j.configurationFile=file:"+filepath.Join(session.ConfDir, "log4j-console.properties"),
		"-classpath", filepath.Join(dist.LibDir(), "*"),
		mainClass,
		"--configDir", session.ConfDir,
	)
	cmd := exec.Command(java, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Dir = session.LogDir
	cmd.Env = append(os.Environ(), "FLINK_CONF_DIR="+session.ConfDir, "FLINK_HOME="+dist.Home,
		"FLINK_LIB_DIR="+dist.LibDir(), "FLINK_PLUGINS_DIR="+filepath.Join(dist.Home, "plugins"))
	// Its own process group lets Stop signal the JVM and anything it forked, and keeps terminal signals to the
	// test process away from it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s (%s): %w", name, java, err)
	}
	proc := &process{name: name, cmd: cmd, log: logFile, done: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		proc.mu.Lock()
		proc.waitErr = err
		proc.mu.Unlock()
		logFile.Close()
		close(proc.done)
	}()
	return proc, nil
}

// exited reports whether the process ended, and how.
func (p *process) exited() (bool, error) {
	select {
	case <-p.done:
		p.mu.Lock()
		defer p.mu.Unlock()
		return true, p.waitErr
	default:
		return false, nil
	}
}

// stop sends SIGTERM to the process group, then SIGKILL after stopGracePeriod, and waits for the exit.
func (p *process) stop() error {
	if exited, _ := p.exited(); exited {
		return nil
	}
	pgid := p.cmd.Process.Pid
	if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signalling %s: %w", p.name, err)
	}
	timer := time.NewTimer(stopGracePeriod)
	defer timer.Stop()
	select {
	case <-p.done:
		return nil
	case <-timer.C:
	}
	if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("killing %s: %w", p.name, err)
	}
	<-p.done
	return nil
}
