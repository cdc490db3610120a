package webhooks_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"sync/atomic"
	"testing"

	. "github.com/onsi/gomega"
	admissionv1 "k8s.io/api/admission/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
	"github.com/teal-flink/teal/webhooks"
)

// fakeCache is an informer cache over a fake client whose informers report synced as told, counting reads.
type fakeCache struct {
	client.Reader
	synced atomic.Bool
	reads  atomic.Int64
	// informerKinds are the kinds (Go type names) whose informers were asked for.
	informerKinds []string
}

func (c *fakeCache) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	c.reads.Add(1)
	return c.Reader.Get(ctx, key, obj, opts...)
}

func (c *fakeCache) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	c.reads.Add(1)
	return c.Reader.List(ctx, list, opts...)
}

func (c *fakeCache) GetInformer(_ context.Context, obj client.Object, _ ...cache.InformerGetOption) (cache.Informer, error) {
	c.informerKinds = append(c.informerKinds, reflect.TypeOf(obj).Elem().Name())
	return syncInformer{synced: &c.synced}, nil
}

// syncInformer is an informer that only answers HasSynced (the reader asks nothing else).
type syncInformer struct {
	cache.Informer
	synced *atomic.Bool
}

func (i syncInformer) HasSynced() bool { return i.synced.Load() }

func newFakeCache(t testing.TB, synced bool, objects ...client.Object) *fakeCache {
	scheme := runtime.NewScheme()
	if err := flinkv1beta1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	c := &fakeCache{Reader: fake.NewClientBuilder().WithScheme(scheme).WithObjects(objects...).Build()}
	c.synced.Store(synced)
	return c
}

func snapshotOf(kind flinkv1beta1.JobKind, target string) *flinkv1beta1.FlinkStateSnapshot {
	return &flinkv1beta1.FlinkStateSnapshot{
		ObjectMeta: metav1.ObjectMeta{Name: "snap", Namespace: "flink"},
		Spec: flinkv1beta1.FlinkStateSnapshotSpec{
			JobReference: &flinkv1beta1.JobReference{Kind: kind, Name: target},
			Savepoint:    &flinkv1beta1.SavepointSpec{},
		},
	}
}

// TestSnapshotTargetIsLookedUpInTheCacheOnly: the snapshot webhook answers from the informer cache, with no
// API server read on a miss — a target the cache does not hold is rejected at spec.jobReference.name — and
// fails closed with a retryable 503 while the cache has not synced.
func TestSnapshotTargetIsLookedUpInTheCacheOnly(t *testing.T) {
	job := &flinkv1beta1.FlinkDeployment{ObjectMeta: metav1.ObjectMeta{Name: "job", Namespace: "flink"}}
	sessionJob := &flinkv1beta1.FlinkSessionJob{ObjectMeta: metav1.ObjectMeta{Name: "session-job", Namespace: "flink"}}
	cases := []struct {
		name       string
		synced     bool
		snapshot   *flinkv1beta1.FlinkStateSnapshot
		wantField  string // rejected at this path
		wantRetry  bool   // rejected as not synced yet
		wantNoRead bool   // the cache is not read at all
	}{
		{name: "deployment in the cache", synced: true, snapshot: snapshotOf(flinkv1beta1.JobKindFlinkDeployment, "job")},
		{name: "session job in the cache", synced: true, snapshot: snapshotOf(flinkv1beta1.JobKindFlinkSessionJob, "session-job")},
		{name: "target not in the cache", synced: true, snapshot: snapshotOf(flinkv1beta1.JobKindFlinkDeployment, "missing"),
			wantField: "spec.jobReference.name"},
		{name: "target of the other kind", synced: true, snapshot: snapshotOf(flinkv1beta1.JobKindFlinkSessionJob, "job"),
			wantField: "spec.jobReference.name"},
		{name: "cache not synced", synced: false, snapshot: snapshotOf(flinkv1beta1.JobKindFlinkDeployment, "job"),
			wantRetry: true, wantNoRead: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			informers := newFakeCache(t, tc.synced, job, sessionJob)
			validator := webhooks.NewFlinkStateSnapshotValidator(webhooks.Options{
				Validator: validators.NewRegistry(), Reader: webhooks.CacheOnly(informers)})
			_, err := validator.ValidateCreate(context.Background(), tc.snapshot)
			switch {
			case tc.wantRetry:
				g.Expect(apierrors.IsServiceUnavailable(err)).To(BeTrue(), "%v", err)
				delay, retry := apierrors.SuggestsClientDelay(err)
				g.Expect(retry).To(BeTrue())
				g.Expect(delay).To(BeNumerically(">", 0))
				g.Expect(err.Error()).To(ContainSubstring("cache of FlinkDeployment is still loading"))
			case tc.wantField != "":
				g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%v", err)
				causes := err.(apierrors.APIStatus).Status().Details.Causes
				g.Expect(causes).To(ContainElement(HaveField("Field", tc.wantField)))
			default:
				g.Expect(err).NotTo(HaveOccurred())
			}
			if tc.wantNoRead {
				g.Expect(informers.reads.Load()).To(BeZero())
			} else {
				g.Expect(informers.reads.Load()).To(BeEquivalentTo(1))
			}
		})
	}
}

// TestSessionClusterIsLookedUpInTheCacheOnly: a session job's cluster comes from the cache; missing there it
// is rejected at spec.deploymentName, and an unsynced cache fails closed.
func TestSessionClusterIsLookedUpInTheCacheOnly(t *testing.T) {
	session := &flinkv1beta1.FlinkDeployment{ObjectMeta: metav1.ObjectMeta{Name: "session", Namespace: "flink"}}
	job := func(deployment string) *flinkv1beta1.FlinkSessionJob {
		return &flinkv1beta1.FlinkSessionJob{
			ObjectMeta: metav1.ObjectMeta{Name: "job", Namespace: "flink"},
			Spec: flinkv1beta1.FlinkSessionJobSpec{DeploymentName: deployment, Job: &flinkv1beta1.JobSpec{
				JarURI: "https://93.184.216.34/job.jar", Parallelism: 1, UpgradeMode: flinkv1beta1.UpgradeModeStateless}},
		}
	}
	cases := []struct {
		name      string
		synced    bool
		job       *flinkv1beta1.FlinkSessionJob
		wantField string
		wantRetry bool
	}{
		{name: "session cluster in the cache", synced: true, job: job("session")},
		{name: "session cluster not in the cache", synced: true, job: job("elsewhere"), wantField: "spec.deploymentName"},
		{name: "cache not synced", synced: false, job: job("session"), wantRetry: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			validator := webhooks.NewFlinkSessionJobValidator(webhooks.Options{
				Validator: validators.NewRegistry(), Reader: webhooks.CacheOnly(newFakeCache(t, tc.synced, session))})
			_, err := validator.ValidateCreate(context.Background(), tc.job)
			switch {
			case tc.wantRetry:
				g.Expect(apierrors.IsServiceUnavailable(err)).To(BeTrue(), "%v", err)
			case tc.wantField != "":
				g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%v", err)
				g.Expect(err.(apierrors.APIStatus).Status().Details.Causes).To(ContainElement(HaveField("Field", tc.wantField)))
			default:
				g.Expect(err).NotTo(HaveOccurred())
			}
		})
	}
}

// TestUnsyncedCacheReachesTheAPIServerAsRetryable: through controller-runtime's admission handler, the
// not-synced answer keeps its 503 code and retry delay, which the API server hands on to the client.
func TestUnsyncedCacheReachesTheAPIServerAsRetryable(t *testing.T) {
	g := NewWithT(t)
	scheme := runtime.NewScheme()
	g.Expect(flinkv1beta1.AddToScheme(scheme)).To(Succeed())
	validator := webhooks.NewFlinkStateSnapshotValidator(webhooks.Options{
		Validator: validators.NewRegistry(), Reader: webhooks.CacheOnly(newFakeCache(t, false))})
	snapshot := snapshotOf(flinkv1beta1.JobKindFlinkDeployment, "job")
	snapshot.TypeMeta = metav1.TypeMeta{APIVersion: flinkv1beta1.GroupVersion.String(), Kind: "FlinkStateSnapshot"}
	raw, err := json.Marshal(snapshot)
	g.Expect(err).NotTo(HaveOccurred())
	response := admission.WithValidator(scheme, validator).Handle(context.Background(), admission.Request{
		AdmissionRequest: admissionv1.AdmissionRequest{Operation: admissionv1.Create, Namespace: "flink",
			Object: runtime.RawExtension{Raw: raw}}})
	g.Expect(response.Allowed).To(BeFalse())
	g.Expect(response.Result.Code).To(BeEquivalentTo(http.StatusServiceUnavailable))
	g.Expect(response.Result.Details).NotTo(BeNil())
	g.Expect(response.Result.Details.RetryAfterSeconds).To(BeNumerically(">", 0))
}

// TestCacheOnlyListWaitsForSync: List, like Get, fails closed with a retryable 503 while the informer of the
// listed kind has not synced, instead of answering an empty list from a cache still loading.
func TestCacheOnlyListWaitsForSync(t *testing.T) {
	session := &flinkv1beta1.FlinkDeployment{ObjectMeta: metav1.ObjectMeta{Name: "session", Namespace: "flink"}}
	cases := []struct {
		name      string
		synced    bool
		wantRetry bool
	}{
		{name: "cache synced", synced: true},
		{name: "cache not synced", synced: false, wantRetry: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			informers := newFakeCache(t, tc.synced, session)
			list := &flinkv1beta1.FlinkDeploymentList{}
			err := webhooks.CacheOnly(informers).List(context.Background(), list, client.InNamespace("flink"))
			g.Expect(informers.informerKinds).To(Equal([]string{"FlinkDeployment"}), "the informer of the listed kind is asked")
			if tc.wantRetry {
				g.Expect(apierrors.IsServiceUnavailable(err)).To(BeTrue(), "%v", err)
				_, retry := apierrors.SuggestsClientDelay(err)
				g.Expect(retry).To(BeTrue())
				g.Expect(err.Error()).To(ContainSubstring("cache of FlinkDeployment is still loading"))
				g.Expect(informers.reads.Load()).To(BeZero(), "nothing is read from a cache still loading")
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(list.Items).To(ConsistOf(HaveField("Name", "session")))
		})
	}
}
