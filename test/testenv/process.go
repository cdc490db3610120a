package testenv

import (
	"os"
	"os/exec"
	"time"
)

// StopProcess interrupts a process the test started (a graceful shutdown, as SIGTERM would ask) and kills it when
// it has not exited within grace; exited is closed once the process has been waited for. A process that already
// exited is left alone.
func StopProcess(cmd *exec.Cmd, exited <-chan struct{}, grace time.Duration) error {
	select {
	case <-exited:
		return nil
	default:
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		return err
	}
	select {
	case <-exited:
		return nil
	case <-time.After(grace):
		err := cmd.Process.Kill()
		<-exited
		return err
	}
}
