// Package bluegreenstate decides the next step of a FlinkBlueGreenDeployment, from observations alone: the
// BASIC state machine (Next: first deployment, savepoint hand-over, transition, abort on the grace period,
// in-place patches), the ADVANCED (FLIP-504) cut-over that follows the gates through the coordination
// ConfigMap (its stages, the toggle watermark W, the lossless abort before W, the teardown by
// stop-with-savepoint on CLEAR_TO_TEARDOWN), upstream's template diff (TemplateDiff) and which generation an
// outcome reports (ForLatestGeneration). Its functions are pure and covered by table tests; the controller in
// controllers/bluegreen gathers the Observations, records a Decision's Intent, carries out its Effects and
// reports its Outcome.
package bluegreenstate
