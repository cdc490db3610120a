package flinksessionjob_test

import (
	"context"
	"sync"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	apiruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/test/builders"
)

// laggingClient plays an informer cache that lags behind the controller's own writes: after the status patch
// that records an upgrade savepoint's trigger id, the next read of the session job returns a copy without it.
type laggingClient struct {
	client.Client
	key types.NamespacedName

	mu       sync.Mutex
	lastRead *flinkv1beta1.FlinkSessionJob
	stale    *flinkv1beta1.FlinkSessionJob
	served   int
}

func (c *laggingClient) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	job, ok := obj.(*flinkv1beta1.FlinkSessionJob)
	if !ok || key != c.key {
		return c.Client.Get(ctx, key, obj, opts...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stale != nil {
		c.stale.DeepCopyInto(job)
		c.stale, c.served = nil, c.served+1
		return nil
	}
	if err := c.Client.Get(ctx, key, obj, opts...); err != nil {
		return err
	}
	c.lastRead = job.DeepCopy()
	return nil
}

func (c *laggingClient) Status() client.SubResourceWriter {
	return &laggingStatus{SubResourceWriter: c.Client.Status(), client: c}
}

func (c *laggingClient) servedStale() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.served
}

type laggingStatus struct {
	client.SubResourceWriter
	client *laggingClient
}

func (w *laggingStatus) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
	if job, ok := asSessionJob(obj); ok && client.ObjectKeyFromObject(obj) == w.client.key {
		{
			w.client.mu.Lock()
			if recordsTrigger(job) && w.client.lastRead != nil && !recordsTrigger(w.client.lastRead) && w.client.served == 0 {
				stale := w.client.lastRead.DeepCopy()
				stale.Status = *job.Status.DeepCopy()
				stale.Status.JobStatus.SavepointInfo.TriggerID = ""
				stale.Status.JobStatus.SavepointInfo.TriggerTimestamp = nil
				w.client.stale = stale
			}
			w.client.mu.Unlock()
		}
	}
	return w.SubResourceWriter.Patch(ctx, obj, patch, opts...)
}

// asSessionJob reads the object a patch sends (typed, or an unstructured copy).
func asSessionJob(obj client.Object) (*flinkv1beta1.FlinkSessionJob, bool) {
	switch typed := obj.(type) {
	case *flinkv1beta1.FlinkSessionJob:
		return typed, true
	case *unstructured.Unstructured:
		job := &flinkv1beta1.FlinkSessionJob{}
		if err := apiruntime.DefaultUnstructuredConverter.FromUnstructured(typed.Object, job); err != nil {
			return nil, false
		}
		return job, true
	}
	return nil, false
}

func recordsTrigger(job *flinkv1beta1.FlinkSessionJob) bool {
	info := job.Status.JobStatus.SavepointInfo
	return info != nil && info.TriggerID != ""
}

// Defect 6 for session jobs: the reconcile after the one that recorded the upgrade savepoint's trigger id reads
// a cached copy without it while the job still runs; confirming the status through the API reader first keeps
// it from stopping the job with a second savepoint.
func TestSessionJobReadYourOwnWritesNoSecondSavepoint(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	g.Expect(stk.Operator.Stop()).To(Succeed())
	defer func() {
		var err error
		stk.Operator, err = stk.StartOperator()
		g.Expect(err).NotTo(HaveOccurred())
	}()
	jars := jarServer(t)
	lagging := &laggingClient{}
	operator, err := stk.StartOperator(func(o *manager.Options) {
		o.WrapClient = func(c client.Client) client.Client {
			lagging.Client = c
			return lagging
		}
	})
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { g.Expect(operator.Stop()).To(Succeed()) }()

	session := newCluster(g, "session-lagging", builders.WithSessionCluster(), builders.WithImage(slowImage))
	job := builders.NewFlinkSessionJob("lagging", session.Namespace, session.Name, jars.URL+"/topspeed.jar",
		builders.WithSessionJobUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	lagging.mu.Lock()
	lagging.key = client.ObjectKeyFromObject(job)
	lagging.mu.Unlock()
	g.Expect(env.Client.Create(ctx, job)).To(Succeed())
	eventuallyReady(g, job)
	flink := standin(g, session)

	update(g, job, func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.Parallelism = 2 })
	g.Eventually(func(g Gomega) {
		upgraded := eventuallyReady(g, job)
		g.Expect(upgraded.Generation).To(BeEquivalentTo(2))
	}, timeout, interval).Should(Succeed())
	g.Expect(lagging.servedStale()).To(BeNumerically(">=", 1), "the cache lagged behind the recorded trigger id")
	g.Expect(flink.SavepointTriggers()).To(BeEquivalentTo(1), "exactly one savepoint was started")
}
