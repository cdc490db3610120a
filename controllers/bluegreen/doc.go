// Package bluegreen is the FlinkBlueGreenDeployment controller: it runs one job as two alternating child
// FlinkDeployments, <name>-blue and <name>-green, and rolls every spec change out as a blue/green transition
// with a savepoint hand-over, compatible with the Apache Flink Kubernetes Operator (same states, status fields,
// child names, labels and configuration keys). The decisions are a pure state machine (internal/bluegreenstate, Next);
// the reconciler gathers observations, records its intent in status, then acts, so an operator restart at any
// point converges. Status follows Teal's GitOps contract (Ready / Reconciling / Stalled, observedGeneration).
package bluegreen
