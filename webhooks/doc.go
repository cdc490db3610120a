// Package webhooks adapts the validators to typed controller-runtime admission webhooks for Teal's four kinds.
// Each validating webhook looks up the cluster state its rules need (a session job's session cluster, a
// snapshot's target), runs the validators.Validator it was given (normally a Registry with the built-in rules
// and the JSON Schema policies) and returns apierrors.NewInvalid, so kubectl, Argo CD and Flux show
// `The FlinkDeployment "x" is invalid: spec.job.upgradeMode: …`; deprecated fields come back as warnings. The
// defaulting webhooks only fill fields the user left absent, so GitOps tools never see drift.
package webhooks
