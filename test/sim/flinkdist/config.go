package flinkdist

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// taskManagerJVMFlags size the TaskManager JVM to match taskManagerMemory: heap = framework + task heap,
// direct memory = framework + task off-heap + network, metaspace as configured. Flink's start scripts compute
// the same with BashJavaUtils; a fixed small layout keeps two JVMs inside a CI machine.
var taskManagerJVMFlags = []string{"-Xms384m", "-Xmx384m", "-XX:MaxDirectMemorySize=192m", "-XX:MaxMetaspaceSize=256m"}

// taskManagerMemory sets every component explicitly, as TaskManagerRunner requires when it is not started
// through Flink's scripts (they pass the derived components as dynamic properties). Sum: 1152m.
var taskManagerMemory = map[string]string{
	"taskmanager.cpu.cores":                      "2.0",
	"taskmanager.memory.framework.heap.size":     "128m",
	"taskmanager.memory.task.heap.size":          "256m",
	"taskmanager.memory.framework.off-heap.size": "128m",
	"taskmanager.memory.task.off-heap.size":      "0m",
	"taskmanager.memory.network.min":             "64m",
	"taskmanager.memory.network.max":             "64m",
	"taskmanager.memory.managed.size":            "128m",
	"taskmanager.memory.jvm-metaspace.size":      "256m",
	"taskmanager.memory.jvm-overhead.min":        "192m",
	"taskmanager.memory.jvm-overhead.max":        "192m",
}

// sessionConfig is the flat configuration of a loopback session cluster on the given free ports
// (rest, jobmanager rpc, blob, taskmanager rpc, taskmanager data).
func sessionConfig(dist Distribution, session *Session, opts SessionOptions, ports []int) map[string]string {
	slots := opts.TaskSlots
	if slots <= 0 {
		slots = 2
	}
	config := map[string]string{
		"jobmanager.rpc.address":                 "127.0.0.1",
		"jobmanager.bind-host":                   "127.0.0.1",
		"jobmanager.rpc.port":                    strconv.Itoa(ports[1]),
		"jobmanager.memory.process.size":         "1024m",
		"jobmanager.execution.failover-strategy": "region",
		"rest.address":                           "127.0.0.1",
		"rest.bind-address":                      "127.0.0.1",
		"rest.port":                              strconv.Itoa(ports[0]),
		"blob.server.port":                       strconv.Itoa(ports[2]),
		"taskmanager.host":                       "127.0.0.1",
		"taskmanager.bind-host":                  "127.0.0.1",
		"taskmanager.rpc.port":                   strconv.Itoa(ports[3]),
		"taskmanager.data.port":                  strconv.Itoa(ports[4]),
		"taskmanager.numberOfTaskSlots":          strconv.Itoa(slots),
		"parallelism.default":                    "1",
		"state.checkpoints.dir":                  "file://" + session.CheckpointDir,
		"web.upload.dir":                         filepath.Join(session.ConfDir, "..", "web-upload"),
		"io.tmp.dirs":                            filepath.Join(session.ConfDir, "..", "tmp"),
		"restart-strategy.type":                  "fixed-delay",
		"restart-strategy.fixed-delay.attempts":  "3",
		"restart-strategy.fixed-delay.delay":     "1s",
		// The TaskManager usually starts before the JobManager's RPC answers; retry after 1s, not the default 10s.
		"cluster.registration.error-delay": "1000",
		// A random query-service port avoids collisions between clusters started in parallel.
		"metrics.internal.query-service.port": "0",
		// Without it the actor system must start within 10 s (the ask timeout); on a loaded two-core machine
		// it took 17 s, and the TaskManager exited with "Could not create actor system".
		"pekko.startup-timeout": "2 min",
	}
	// Flink 2.0 renamed the state.* directory keys into execution.checkpointing.*.
	checkpointDirKey, savepointDirKey := "state.checkpoints.dir", "state.savepoints.dir"
	if !strings.HasPrefix(dist.Version, "1.") {
		checkpointDirKey, savepointDirKey = "execution.checkpointing.dir", "execution.checkpointing.savepoint-dir"
	}
	config[checkpointDirKey] = "file://" + session.CheckpointDir
	if !opts.WithoutDefaultSavepointDir {
		config[savepointDirKey] = "file://" + session.SavepointDir
	}
	switch {
	case opts.CheckpointInterval == 0:
		config["execution.checkpointing.interval"] = "2s"
	case opts.CheckpointInterval > 0:
		config["execution.checkpointing.interval"] = fmt.Sprintf("%dms", opts.CheckpointInterval/time.Millisecond)
	}
	for key, value := range taskManagerMemory {
		config[key] = value
	}
	for key, value := range opts.Config {
		config[key] = value
	}
	return config
}

// writeConfig writes config.yaml (flat keys, which Flink 1.19+ and 2.x accept) and a console log4j setup; the
// processes' output is redirected into the log directory.
func writeConfig(confDir string, config map[string]string) error {
	keys := make([]string, 0, len(config))
	for key := range config {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	var yaml strings.Builder
	for _, key := range keys {
		fmt.Fprintf(&yaml, "%s: %s\n", key, strconv.Quote(config[key]))
	}
	if err := os.WriteFile(filepath.Join(confDir, "config.yaml"), []byte(yaml.String()), 0o644); err != nil {
		return fmt.Errorf("writing config.yaml: %w", err)
	}
	const log4j = `rootLogger.level = INFO
rootLogger.appenderRef.console.ref = ConsoleAppender
appender.console.name = ConsoleAppender
appender.console.type = CONSOLE
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-40c{1.} - %m%n
logger.akka.name = org.apache.pekko
logger.akka.level = WARN
logger.netty.name = org.apache.flink.shaded.netty4
logger.netty.level = WARN
`
	if err := os.WriteFile(filepath.Join(confDir, "log4j-console.properties"), []byte(log4j), 0o644); err != nil {
		return fmt.Errorf("writing log4j configuration: %w", err)
	}
	return nil
}

// FreePorts reserves n distinct free loopback ports and releases them for Flink to bind; holding all listeners
// until every port is chosen keeps the n ports distinct.
func FreePorts(n int) ([]int, error) {
	listeners := make([]net.Listener, 0, n)
	defer func() {
		for _, listener := range listeners {
			listener.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		listener, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("reserving a free port: %w", err)
		}
		listeners = append(listeners, listener)
		ports = append(ports, listener.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
