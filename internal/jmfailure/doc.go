// Package jmfailure decides why a FlinkDeployment's JobManager or TaskManagers cannot run, from Kubernetes
// objects alone: a Deployment whose pods the API server refuses (a missing service account, a quota), a container
// that crash-loops or cannot pull or create its image (with the last lines of its termination message), and for
// the TaskManagers Flink creates on demand also pods that ended Failed, cannot be scheduled or cannot mount their
// volumes. A JobManager failure that will not fix itself is what the controller reports as Stalled; a TaskManager
// failure turns Ready False at once and Stalled once it has lasted the readiness timeout. Everything here is pure
// and covered by table tests.
package jmfailure
