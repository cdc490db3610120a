// Package localruntime plays the kubelet for Flink clusters on a control plane that has none (envtest, make
// demo): it watches the JobManager Deployments Teal creates, starts a JobManager for each with the configuration
// Teal wrote into the cluster's ConfigMap (a Flink stand-in, or real Flink processes in the end-to-end tests),
// reports the Deployment available, and serves every cluster's REST API behind one loopback router at
// http://127.0.0.1:<port>/<namespace>/<name>/, which the operator reaches through its REST URL template.
package localruntime
