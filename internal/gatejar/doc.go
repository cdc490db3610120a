// Package gatejar delivers the FLIP-504 gate jar (gate/, teal-bluegreen-gate.jar) to the Flink pods of an
// ADVANCED blue/green child: the operator image carries the jar, and the operator binary's copy-gate-jar command,
// run as an init container of those pods (the distroless image has no shell or cp), copies it into a volume the
// Flink container mounts. AddToChild renders that onto a child FlinkDeployment spec (the gate's keys, -javaagent
// on both JVMs, the volume and the init container); Run is the command itself.
package gatejar
