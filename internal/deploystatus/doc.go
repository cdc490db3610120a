// Package deploystatus decides what a FlinkDeployment's summary conditions say once a reconcile has started
// nothing: whether the deployed spec runs as asked (Ready), needs a person (Stalled: a rolled-back commit, a
// JobManager that cannot run, a failed or externally cancelled job) or is still on its way (Reconciling), with
// the reason and message of each, and upstream's Running condition. Everything here is pure and covered by
// table tests; controllers/flinkdeployment writes the verdict and emits its event.
package deploystatus
