// Package jmfailure decides why a FlinkDeployment's JobManager cannot run, from Kubernetes objects alone: a
// Deployment whose pods the API server refuses (a missing service account, a quota), or a container that
// crash-loops or cannot pull or create its image (with the last lines of its termination message). A failure
// that will not fix itself is what the controller reports as Stalled; everything here is pure and covered by
// table tests.
package jmfailure
