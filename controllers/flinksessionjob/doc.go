// Package flinksessionjob reconciles FlinkSessionJobs: it submits the job to its session cluster (the jar is
// fetched from jarURI, uploaded through /jars/upload and run through /jars/{id}/run), observes it, upgrades it
// with its upgrade mode, suspends and resumes it, takes its manual and periodic snapshots and stops it when the
// resource is deleted. Decisions come from a pure planner (plan.go).
package flinksessionjob
