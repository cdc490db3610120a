package localruntime

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/teal-flink/teal/internal/gatejar"
)

// GateJarEnv names the environment variable with the gate jar the operator image carries here (the local
// runtime has no images): gate/gate/target/teal-bluegreen-gate.jar of this repository (make gate) by default.
const GateJarEnv = "TEAL_GATE_JAR"

// gateJar returns the jar `teal copy-gate-jar` copies here.
func gateJar() string {
	if jar := os.Getenv(GateJarEnv); jar != "" {
		return jar
	}
	_, file, _, _ := goruntime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "gate", "gate", "target", "teal-bluegreen-gate.jar")
}

// runInitContainers runs the pod's init containers in order before the main container, as the kubelet does:
// each sees the pod's volumes at its own mount paths (an emptyDir it fills is the one the main container
// mounts). The runtime has no images, so it runs what it can run faithfully — the operator image's commands
// (`teal copy-gate-jar`, which ADVANCED blue/green pods use) — and reports any other init container as a pod
// that cannot start, rather than skip work the main container may rely on.
func runInitContainers(ctx context.Context, reader client.Reader, namespace string, spec *corev1.PodSpec, dir string) error {
	volumes := map[string]corev1.Volume{}
	for _, volume := range spec.Volumes {
		volumes[volume.Name] = volume
	}
	for i := range spec.InitContainers {
		container := &spec.InitContainers[i]
		mounts := map[string]string{}
		for _, mount := range container.VolumeMounts {
			volume, found := volumes[mount.Name]
			if !found {
				return &podError{reason: "FailedCreate", replicaFailure: true, message: fmt.Sprintf(
					"spec.initContainers[%d].volumeMounts.name: Not found: %q", i, mount.Name)}
			}
			hostDir := filepath.Join(dir, "volumes", mount.Name)
			if err := materializeVolume(ctx, reader, namespace, volume, hostDir); err != nil {
				return err
			}
			if mount.SubPath != "" {
				hostDir = filepath.Join(hostDir, mount.SubPath)
			}
			mounts[mount.MountPath] = hostDir
		}
		command := append(append([]string{}, container.Command...), container.Args...)
		if len(command) < 2 || command[0] != gatejar.OperatorBinary || command[1] != gatejar.Command {
			return &podError{reason: "Init:CreateContainerError", message: fmt.Sprintf(
				"init container %q (image %s, command %q): the local runtime runs only the operator image's `%s %s`",
				container.Name, container.Image, command, gatejar.OperatorBinary, gatejar.Command)}
		}
		args := append([]string{}, command[2:]...)
		if len(args) == 1 {
			// The destination is a path inside the init container: write where its mount puts it.
			host, mounted := (&PodRun{Mounts: mounts}).HostPath(args[0])
			if !mounted {
				// Written to the init container's own filesystem, which nothing else sees.
				continue
			}
			args[0] = host
		}
		if err := gatejar.Run(args, gateJar()); err != nil {
			return &podError{reason: "Init:CrashLoopBackOff", message: fmt.Sprintf("init container %q: %s",
				container.Name, strings.TrimSpace(err.Error()))}
		}
	}
	return nil
}

// mountedAgents maps the -javaagent: jars of the JVM options that lie in a mounted volume (the gate jar an init
// container copied into its emptyDir) to where that volume is on this machine, as the container would see them.
func mountedAgents(config map[string]string, pod *PodRun) map[string]string {
	for key, value := range config {
		if !strings.HasPrefix(key, "env.java.opts") || !strings.Contains(value, "-javaagent:") {
			continue
		}
		fields := strings.Fields(value)
		for i, field := range fields {
			path, found := strings.CutPrefix(field, "-javaagent:")
			if !found {
				continue
			}
			options := ""
			if at := strings.Index(path, "="); at >= 0 {
				path, options = path[:at], path[at:]
			}
			if host, mounted := pod.HostPath(path); mounted {
				fields[i] = "-javaagent:" + host + options
			}
		}
		config[key] = strings.Join(fields, " ")
	}
	return config
}
