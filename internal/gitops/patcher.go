package gitops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ErrGone reports that the object a status was computed for no longer exists. The write was not made.
var ErrGone = errors.New("the object was deleted")

// ErrChanged reports that the stored object is not the version the reconcile read: it changed since (a new
// commit, or the read came from a cache that had not seen the latest write yet), or it was deleted and created
// again under the same name (another UID). The write was not made, since it was computed for another version;
// the reconcile runs again from the current one.
var ErrChanged = errors.New("the object changed or was replaced since it was read")

// Patcher writes a Teal object during one reconcile, bound to the object it was read as (its UID):
//   - the status in one request to the status subresource, conditions, observedGeneration and the state fields
//     together, so no stored version shows one without the other;
//   - metadata changes (finalizers, annotations, labels) in one request to the object.
//
// Both requests are JSON patches whose first operations test metadata.uid and metadata.resourceVersion, so the
// API server refuses them when the object was deleted and created again under the same name (a write computed
// for the old object never lands on the new one), and when it changed since it was read (a status computed from
// a stale read never overwrites a newer one, so observedGeneration never moves backward). The status is written
// whole, as the reconcile computed it; metadata changes field by field.
type Patcher struct {
	client     client.Client
	fieldOwner string
	// uid is the UID of the object the reconcile read.
	uid types.UID
	// before is the object as last written (or read).
	before client.Object
}

// NewPatcher returns a Patcher of obj as just read; fieldOwner names the writer in managedFields.
func NewPatcher(obj client.Object, c client.Client, fieldOwner string) *Patcher {
	return &Patcher{client: c, fieldOwner: fieldOwner, uid: obj.GetUID(), before: obj.DeepCopyObject().(client.Object)}
}

// Patch writes what changed in obj since the last write, never advancing status.observedGeneration: a write in
// the middle of a reconcile records intent before an action, whose outcome is not known yet.
func (p *Patcher) Patch(ctx context.Context, obj client.Object) error {
	return p.write(ctx, obj, 0)
}

// write patches the metadata, then the status (with observedGeneration set to observed when positive): labels
// derived from the status (a snapshot's state) are never behind it. On an object being deleted the status goes
// first, since removing the last finalizer lets the API server delete the object.
func (p *Patcher) write(ctx context.Context, obj client.Object, observed int64) error {
	beforeContent, err := runtime.DefaultUnstructuredConverter.ToUnstructured(p.before)
	if err != nil {
		return err
	}
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return err
	}
	status, _ := content["status"].(map[string]any)
	if status == nil {
		status = map[string]any{}
	}
	if observed > 0 {
		status["observedGeneration"] = observed
	}
	writeStatus := func() error {
		if reflect.DeepEqual(normalize(status), normalize(beforeContent["status"])) {
			return nil
		}
		written, err := p.send(ctx, obj, true, []operation{{Op: "add", Path: "/status", Value: status}})
		if err != nil {
			return err
		}
		obj.SetResourceVersion(written.GetResourceVersion())
		if observed > 0 {
			// The typed object learns the generation it now reports, as the stored object does.
			return setObservedGeneration(obj, written)
		}
		return nil
	}
	writeMetadata := func() error {
		operations := metadataOperations(beforeContent, content)
		if len(operations) == 0 {
			return nil
		}
		written, err := p.send(ctx, obj, false, operations)
		if err != nil {
			return err
		}
		obj.SetResourceVersion(written.GetResourceVersion())
		return nil
	}
	steps := []func() error{writeMetadata, writeStatus}
	if obj.GetDeletionTimestamp() != nil {
		steps = []func() error{writeStatus, writeMetadata}
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	p.before = obj.DeepCopyObject().(client.Object)
	return nil
}

// send applies operations after a test of metadata.uid, to the status subresource or to the object, and returns
// the object as stored (obj itself keeps what the reconcile computed).
func (p *Patcher) send(ctx context.Context, obj client.Object, status bool, operations []operation) (client.Object, error) {
	operations = append([]operation{
		{Op: "test", Path: "/metadata/uid", Value: string(p.uid)},
		{Op: "test", Path: "/metadata/resourceVersion", Value: obj.GetResourceVersion()},
	}, operations...)
	body, err := json.Marshal(operations)
	if err != nil {
		return nil, err
	}
	written := obj.DeepCopyObject().(client.Object)
	patch := client.RawPatch(types.JSONPatchType, body)
	if status {
		err = p.client.Status().Patch(ctx, written, patch, client.FieldOwner(p.fieldOwner))
	} else {
		err = p.client.Patch(ctx, written, patch, client.FieldOwner(p.fieldOwner))
	}
	if err != nil {
		return nil, classify(err)
	}
	return written, nil
}

// classify turns the API server's answers for a vanished, replaced or changed object into ErrGone and
// ErrChanged. A failed JSON patch test is a 422 without causes (a status the schema rejects has causes).
func classify(err error) error {
	var status apierrors.APIStatus
	switch {
	case apierrors.IsNotFound(err):
		return fmt.Errorf("%w: %w", ErrGone, err)
	case apierrors.IsInvalid(err) && errors.As(err, &status) &&
		(status.Status().Details == nil || len(status.Status().Details.Causes) == 0):
		return fmt.Errorf("%w: %w", ErrChanged, err)
	}
	return err
}

// operation is one RFC 6902 JSON patch operation.
type operation struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// metadataOperations are the JSON patch operations that turn before's finalizers, annotations and labels into
// content's. A list or map that was there is tested first, so a change made meanwhile by someone else (a
// foregroundDeletion finalizer, say) is refused rather than overwritten; map entries change one by one.
func metadataOperations(before, content map[string]any) []operation {
	beforeMeta, _ := before["metadata"].(map[string]any)
	meta, _ := content["metadata"].(map[string]any)
	var operations []operation
	old, current := asList(beforeMeta["finalizers"]), asList(meta["finalizers"])
	if !reflect.DeepEqual(old, current) {
		switch {
		case len(old) == 0:
			operations = append(operations, operation{Op: "add", Path: "/metadata/finalizers", Value: current})
		default:
			operations = append(operations,
				operation{Op: "test", Path: "/metadata/finalizers", Value: old},
				operation{Op: "add", Path: "/metadata/finalizers", Value: orEmpty(current)})
		}
	}
	for _, field := range []string{"annotations", "labels"} {
		old, current := asMap(beforeMeta[field]), asMap(meta[field])
		if reflect.DeepEqual(old, current) {
			continue
		}
		if len(old) == 0 {
			operations = append(operations, operation{Op: "add", Path: "/metadata/" + field, Value: current})
			continue
		}
		keys := make([]string, 0, len(old)+len(current))
		for key := range old {
			keys = append(keys, key)
		}
		for key := range current {
			if _, ok := old[key]; !ok {
				keys = append(keys, key)
			}
		}
		sort.Strings(keys)
		for _, key := range keys {
			path := "/metadata/" + field + "/" + escape(key)
			value, ok := current[key]
			switch {
			case !ok:
				operations = append(operations, operation{Op: "remove", Path: path})
			case old[key] != value:
				operations = append(operations, operation{Op: "add", Path: path, Value: value})
			}
		}
	}
	return operations
}

func asList(value any) []any {
	list, _ := value.([]any)
	return list
}

func orEmpty(list []any) []any {
	if list == nil {
		return []any{}
	}
	return list
}

func asMap(value any) map[string]any {
	m, _ := value.(map[string]any)
	return m
}

// escape is RFC 6901's escaping of a JSON pointer segment.
func escape(segment string) string {
	return strings.ReplaceAll(strings.ReplaceAll(segment, "~", "~0"), "/", "~1")
}

// normalize makes two status maps comparable whatever their number types (int64 from the converter, float64
// from JSON).
func normalize(value any) any {
	if value == nil {
		return map[string]any{}
	}
	raw, err := json.Marshal(value)
	if err != nil {
		return value
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		return value
	}
	return out
}

// setObservedGeneration copies status.observedGeneration from the stored object into obj.
func setObservedGeneration(obj, written client.Object) error {
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(written)
	if err != nil {
		return err
	}
	status, _ := content["status"].(map[string]any)
	objContent, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return err
	}
	objStatus, _ := objContent["status"].(map[string]any)
	if objStatus == nil {
		objStatus = map[string]any{}
		objContent["status"] = objStatus
	}
	objStatus["observedGeneration"] = status["observedGeneration"]
	return runtime.DefaultUnstructuredConverter.FromUnstructured(objContent, obj)
}

// IsCurrent reports whether obj, as a reconcile read it, is the version the API server holds, read through the
// uncached reader: the informer cache may not yet hold the status this controller just wrote (a savepoint's
// trigger id, a restore point), and deciding on such a copy would start the same operation a second time. A
// deleted object is not current.
func IsCurrent(ctx context.Context, reader client.Reader, obj client.Object) (bool, error) {
	current := obj.DeepCopyObject().(client.Object)
	if err := reader.Get(ctx, client.ObjectKeyFromObject(obj), current); err != nil {
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return false, fmt.Errorf("confirming the recorded status through the API server: %w", err)
	}
	return current.GetResourceVersion() == obj.GetResourceVersion(), nil
}
