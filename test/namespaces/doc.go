// Package namespaces checks the watched namespaces as main.go wires them: with
// kubernetes.operator.dynamic.namespaces.enabled a reload of the operator configuration changes the set
// without a restart.
package namespaces
