package flink_test

import (
	"context"
	"testing"

	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
)

// BenchmarkObserveCycle measures what the operator pays per reconcile of a running job: cluster overview,
// job details and checkpoint statistics against the stand-in on loopback. It reports allocations per cycle and
// REST requests per second.
func BenchmarkObserveCycle(b *testing.B) {
	server, err := flinkstandin.New(flinkstandin.Options{Instant: true})
	if err != nil {
		b.Fatal(err)
	}
	defer server.Close()
	jobID, err := server.Submit(flinkstandin.JobSpec{EntryClass: "org.example.Job", Parallelism: 2})
	if err != nil {
		b.Fatal(err)
	}
	client, err := flink.New(server.URL(), flink.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := client.Overview(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := client.JobDetails(ctx, jobID); err != nil {
			b.Fatal(err)
		}
		if _, err := client.CheckpointStatistics(ctx, jobID); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(3*b.N)/b.Elapsed().Seconds(), "requests/s")
}
