// Package leader tests leader election: two operator replicas on one Lease, the leader killed mid blue/green
// transition, the other taking over within the lease duration and finishing the transition.
package leader
