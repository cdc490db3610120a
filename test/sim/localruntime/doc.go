// Package localruntime plays the kubelet for Flink clusters on a control plane that has none (envtest, make
// demo): it watches the JobManager Deployments Teal creates and runs each pod as a kubelet would read it — the
// main container's command line with $(VAR) references expanded, its environment with fieldRef (status.podIP
// is 127.0.0.1), configMapKeyRef and secretKeyRef values resolved, and its ConfigMap, Secret and emptyDir
// volumes materialized as directories, its init containers run first (the runtime has no images: it runs the
// operator image's `teal copy-gate-jar`, which fills the emptyDir ADVANCED blue/green pods load the FLIP-504
// gate from, with the jar of TEAL_GATE_JAR or this repository's `make gate`, and reports any other init
// container as a pod that cannot start) — then reads that pod as the image's entrypoint
// (hack/images/flink/docker-entrypoint.sh) and Flink's start-up would (PlanLaunch): the command, the mounted
// configuration file, -D properties, the application from standalone-job's command line or the
// $internal.application.* keys, the checks Flink makes before it starts (_POD_IP_ADDRESS under HA, a fixed job
// ID for submit-failed-job-on-application-error without HA, a mounted TaskManager pod template). A pod spec the
// real container could not start crash-loops here too: the runtime reports a pod waiting in CrashLoopBackOff
// with the failure as its last termination message, and a pod the API server would refuse (a missing service
// account, in namespaces marked with RequireServiceAccounts) as ReplicaFailure on the Deployment.
//
// The JobManager itself is a Flink stand-in, or real Flink processes in the end-to-end tests; the runtime
// reports the Deployment available and serves every cluster's REST API behind one loopback router at
// http://127.0.0.1:<port>/<namespace>/<name>/, which the operator reaches through its REST URL template.
package localruntime
