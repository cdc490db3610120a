// Package snapshots is the snapshot logic every controller shares: the FlinkStateSnapshot resources the
// operator creates for a FlinkDeployment or FlinkSessionJob (names, labels, manual and periodic triggers,
// upgrade savepoints, history cleanup), the periodic schedule, upstream's status-based (legacy) savepoint path,
// and the choice of the newest completed snapshot a lost job restores from.
package snapshots
