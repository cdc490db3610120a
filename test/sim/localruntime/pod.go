package localruntime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/teal-flink/teal/internal/resources"
)

// PodIP is the address every local pod gets (status.podIP): everything runs on loopback.
const PodIP = "127.0.0.1"

// PodRun is what a kubelet would run for the main container of a Deployment's pod: the command line with
// $(VAR) references expanded, the environment with fieldRef, configMapKeyRef and secretKeyRef values resolved,
// and every volume mount materialized as a directory on this machine.
type PodRun struct {
	// PodName is the name the pod would have.
	PodName string
	// ServiceAccount is the pod's service account.
	ServiceAccount string
	// Image is the main container's image.
	Image string
	// Command and Args are the container's command (empty: the image's entrypoint) and arguments.
	Command, Args []string
	// Env is the resolved environment, in the container's order.
	Env []corev1.EnvVar
	// Mounts maps each mount path inside the container to the directory standing in for it here.
	Mounts map[string]string
	// Dir holds the materialized volumes of this start.
	Dir string
	// fingerprint identifies the Deployment and pod template this pod was made from (templateFingerprint).
	fingerprint string
}

// Getenv returns an environment variable of the container.
func (p *PodRun) Getenv(name string) (string, bool) {
	for _, env := range p.Env {
		if env.Name == name {
			return env.Value, true
		}
	}
	return "", false
}

// HostPath maps a path inside the container to this machine through the longest matching mount; ok is false
// when no mount covers it (the path belongs to the image).
func (p *PodRun) HostPath(containerPath string) (string, bool) {
	best := ""
	for mountPath := range p.Mounts {
		if (containerPath == mountPath || strings.HasPrefix(containerPath, strings.TrimSuffix(mountPath, "/")+"/")) && len(mountPath) > len(best) {
			best = mountPath
		}
	}
	if best == "" {
		return "", false
	}
	return filepath.Join(p.Mounts[best], strings.TrimPrefix(containerPath, best)), true
}

// podError is a failure the kubelet reports on the container (CreateContainerConfigError) or the ReplicaSet
// controller on the Deployment (FailedCreate): the pod does not start, whatever the backend.
type podError struct {
	// reason is the container waiting reason or the Deployment condition reason.
	reason string
	// replicaFailure: the API server refused the pod itself (reported on the Deployment).
	replicaFailure bool
	message        string
}

func (e *podError) Error() string { return e.reason + ": " + e.message }

// resolvePod reads what the kubelet would need to start the main container of deployment's pod template and
// materializes its volumes under dir.
func resolvePod(ctx context.Context, reader client.Reader, deployment *appsv1.Deployment, dir string, requireServiceAccount bool) (*PodRun, error) {
	template := deployment.Spec.Template
	container := findMainContainer(template.Spec.Containers)
	if container == nil {
		return nil, &podError{reason: "CreateContainerError", message: "the pod template has no containers"}
	}
	run := &PodRun{
		PodName: deployment.Name + "-local", Image: container.Image, ServiceAccount: template.Spec.ServiceAccountName,
		Command: container.Command, Mounts: map[string]string{}, Dir: dir,
	}
	if run.ServiceAccount == "" {
		run.ServiceAccount = "default"
	}
	if requireServiceAccount {
		err := reader.Get(ctx, client.ObjectKey{Namespace: deployment.Namespace, Name: run.ServiceAccount}, &corev1.ServiceAccount{})
		if apierrors.IsNotFound(err) {
			// The ServiceAccount admission plugin's refusal, as the ReplicaSet controller reports it.
			return nil, &podError{reason: "FailedCreate", replicaFailure: true, message: fmt.Sprintf(
				`pods "%s" is forbidden: error looking up service account %s/%s: serviceaccount "%s" not found`,
				run.PodName, deployment.Namespace, run.ServiceAccount, run.ServiceAccount)}
		}
		if err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	volumes := map[string]corev1.Volume{}
	for _, volume := range template.Spec.Volumes {
		volumes[volume.Name] = volume
	}
	for _, mount := range container.VolumeMounts {
		volume, found := volumes[mount.Name]
		if !found {
			return nil, &podError{reason: "FailedCreate", replicaFailure: true, message: fmt.Sprintf(
				"spec.containers[0].volumeMounts.name: Not found: %q", mount.Name)}
		}
		hostDir := filepath.Join(dir, "volumes", mount.Name)
		if err := materializeVolume(ctx, reader, deployment.Namespace, volume, hostDir); err != nil {
			return nil, err
		}
		if mount.SubPath != "" {
			hostDir = filepath.Join(hostDir, mount.SubPath)
		}
		run.Mounts[mount.MountPath] = hostDir
	}
	if err := runInitContainers(ctx, reader, deployment.Namespace, &template.Spec, dir); err != nil {
		return nil, err
	}
	env, err := resolveEnv(ctx, reader, deployment, run, container)
	if err != nil {
		return nil, err
	}
	run.Env = env
	lookup := func(name string) (string, bool) { return run.Getenv(name) }
	run.Command = expandAll(container.Command, lookup)
	run.Args = expandAll(container.Args, lookup)
	run.fingerprint = templateFingerprint(deployment)
	return run, nil
}

// templateFingerprint identifies what a Deployment's pod is made from: the Deployment (its UID) and its pod
// template. As with a real Deployment, only a new template replaces the pod: a ConfigMap or Secret it mounts or
// reads changing underneath, or the Deployment's own metadata, does not restart it.
func templateFingerprint(deployment *appsv1.Deployment) string {
	raw, _ := json.Marshal(deployment.Spec.Template)
	sum := sha256.Sum256(append([]byte(string(deployment.UID)+"\n"), raw...))
	return hex.EncodeToString(sum[:])
}

func findMainContainer(containers []corev1.Container) *corev1.Container {
	for i := range containers {
		if containers[i].Name == resources.MainContainerName {
			return &containers[i]
		}
	}
	if len(containers) > 0 {
		return &containers[0]
	}
	return nil
}

// materializeVolume writes a volume's files into dir as the kubelet would mount them: every key of a ConfigMap
// or Secret (or only the listed items), an empty directory otherwise. A missing ConfigMap or Secret keeps the
// pod from starting, as FailedMount does.
func materializeVolume(ctx context.Context, reader client.Reader, namespace string, volume corev1.Volume, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var data map[string][]byte
	var items []corev1.KeyToPath
	var optional bool
	switch {
	case volume.ConfigMap != nil:
		configMap := &corev1.ConfigMap{}
		optional = volume.ConfigMap.Optional != nil && *volume.ConfigMap.Optional
		err := reader.Get(ctx, client.ObjectKey{Namespace: namespace, Name: volume.ConfigMap.Name}, configMap)
		if err != nil && !(apierrors.IsNotFound(err) && optional) {
			return mountError(volume, "configmap", volume.ConfigMap.Name, err)
		}
		data = map[string][]byte{}
		for key, value := range configMap.Data {
			data[key] = []byte(value)
		}
		for key, value := range configMap.BinaryData {
			data[key] = value
		}
		items = volume.ConfigMap.Items
	case volume.Secret != nil:
		secret := &corev1.Secret{}
		optional = volume.Secret.Optional != nil && *volume.Secret.Optional
		err := reader.Get(ctx, client.ObjectKey{Namespace: namespace, Name: volume.Secret.SecretName}, secret)
		if err != nil && !(apierrors.IsNotFound(err) && optional) {
			return mountError(volume, "secret", volume.Secret.SecretName, err)
		}
		data = secret.Data
		items = volume.Secret.Items
	default:
		return nil // emptyDir and the like: an empty directory
	}
	files := map[string][]byte{}
	if len(items) == 0 {
		for key, value := range data {
			files[key] = value
		}
	}
	for _, item := range items {
		value, found := data[item.Key]
		if !found {
			if optional {
				continue
			}
			return &podError{reason: "FailedMount", message: fmt.Sprintf("volume %q: key %q not found", volume.Name, item.Key)}
		}
		files[item.Path] = value
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

func mountError(volume corev1.Volume, kind, name string, err error) error {
	if apierrors.IsNotFound(err) {
		return &podError{reason: "FailedMount", message: fmt.Sprintf("MountVolume.SetUp failed for volume %q: %s %q not found", volume.Name, kind, name)}
	}
	return err
}

// resolveEnv resolves the container's environment in order, as the kubelet does: $(VAR) references to earlier
// variables expand, valueFrom reads the pod's fields, ConfigMaps and Secrets.
func resolveEnv(ctx context.Context, reader client.Reader, deployment *appsv1.Deployment, run *PodRun, container *corev1.Container) ([]corev1.EnvVar, error) {
	var env []corev1.EnvVar
	set := func(name, value string) {
		for i := range env {
			if env[i].Name == name {
				env[i].Value = value
				return
			}
		}
		env = append(env, corev1.EnvVar{Name: name, Value: value})
	}
	lookup := func(name string) (string, bool) {
		for _, variable := range env {
			if variable.Name == name {
				return variable.Value, true
			}
		}
		return "", false
	}
	for _, from := range container.EnvFrom {
		values := map[string]string{}
		switch {
		case from.ConfigMapRef != nil:
			configMap := &corev1.ConfigMap{}
			if err := reader.Get(ctx, client.ObjectKey{Namespace: deployment.Namespace, Name: from.ConfigMapRef.Name}, configMap); err != nil {
				if apierrors.IsNotFound(err) && from.ConfigMapRef.Optional != nil && *from.ConfigMapRef.Optional {
					continue
				}
				return nil, configError(err, fmt.Sprintf("configmap %q not found", from.ConfigMapRef.Name))
			}
			values = configMap.Data
		case from.SecretRef != nil:
			secret := &corev1.Secret{}
			if err := reader.Get(ctx, client.ObjectKey{Namespace: deployment.Namespace, Name: from.SecretRef.Name}, secret); err != nil {
				if apierrors.IsNotFound(err) && from.SecretRef.Optional != nil && *from.SecretRef.Optional {
					continue
				}
				return nil, configError(err, fmt.Sprintf("secret %q not found", from.SecretRef.Name))
			}
			for key, value := range secret.Data {
				values[key] = string(value)
			}
		}
		keys := make([]string, 0, len(values))
		for key := range values {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			set(from.Prefix+key, values[key])
		}
	}
	for _, variable := range container.Env {
		if variable.ValueFrom == nil {
			set(variable.Name, expand(variable.Value, lookup))
			continue
		}
		value, err := resolveValueFrom(ctx, reader, deployment, run, variable)
		if err != nil {
			return nil, err
		}
		set(variable.Name, value)
	}
	return env, nil
}

func resolveValueFrom(ctx context.Context, reader client.Reader, deployment *appsv1.Deployment, run *PodRun, variable corev1.EnvVar) (string, error) {
	source := variable.ValueFrom
	switch {
	case source.FieldRef != nil:
		switch path := source.FieldRef.FieldPath; path {
		case "status.podIP", "status.hostIP":
			return PodIP, nil
		case "status.podIPs", "status.hostIPs":
			return PodIP, nil
		case "metadata.name":
			return run.PodName, nil
		case "metadata.namespace":
			return deployment.Namespace, nil
		case "metadata.uid":
			return string(deployment.UID) + "-pod", nil
		case "spec.nodeName":
			return "localhost", nil
		case "spec.serviceAccountName":
			return run.ServiceAccount, nil
		default:
			if strings.HasPrefix(path, "metadata.labels['") || strings.HasPrefix(path, "metadata.annotations['") {
				key := path[strings.Index(path, "'")+1 : strings.LastIndex(path, "'")]
				if strings.HasPrefix(path, "metadata.labels") {
					return deployment.Spec.Template.Labels[key], nil
				}
				return deployment.Spec.Template.Annotations[key], nil
			}
			return "", &podError{reason: "FailedCreate", replicaFailure: true, message: fmt.Sprintf(
				"spec.containers[0].env[%s].valueFrom.fieldRef.fieldPath: Unsupported value: %q", variable.Name, path)}
		}
	case source.ConfigMapKeyRef != nil:
		ref := source.ConfigMapKeyRef
		configMap := &corev1.ConfigMap{}
		err := reader.Get(ctx, client.ObjectKey{Namespace: deployment.Namespace, Name: ref.Name}, configMap)
		optional := ref.Optional != nil && *ref.Optional
		if err != nil {
			if apierrors.IsNotFound(err) && optional {
				return "", nil
			}
			return "", configError(err, fmt.Sprintf("configmap %q not found", ref.Name))
		}
		value, found := configMap.Data[ref.Key]
		if !found && !optional {
			return "", &podError{reason: "CreateContainerConfigError", message: fmt.Sprintf("couldn't find key %s in ConfigMap %s/%s", ref.Key, deployment.Namespace, ref.Name)}
		}
		return value, nil
	case source.SecretKeyRef != nil:
		ref := source.SecretKeyRef
		secret := &corev1.Secret{}
		err := reader.Get(ctx, client.ObjectKey{Namespace: deployment.Namespace, Name: ref.Name}, secret)
		optional := ref.Optional != nil && *ref.Optional
		if err != nil {
			if apierrors.IsNotFound(err) && optional {
				return "", nil
			}
			return "", configError(err, fmt.Sprintf("secret %q not found", ref.Name))
		}
		value, found := secret.Data[ref.Key]
		if !found && !optional {
			return "", &podError{reason: "CreateContainerConfigError", message: fmt.Sprintf("couldn't find key %s in Secret %s/%s", ref.Key, deployment.Namespace, ref.Name)}
		}
		return string(value), nil
	}
	return "", &podError{reason: "CreateContainerConfigError", message: fmt.Sprintf("env %s: valueFrom names no source the local runtime knows", variable.Name)}
}

func configError(err error, message string) error {
	if apierrors.IsNotFound(err) {
		return &podError{reason: "CreateContainerConfigError", message: message}
	}
	return err
}

// expand replaces $(VAR) by earlier variables as the kubelet does; $$(VAR) escapes, unknown references stay.
func expand(value string, lookup func(string) (string, bool)) string {
	var out strings.Builder
	for i := 0; i < len(value); i++ {
		if value[i] == '$' && i+1 < len(value) {
			switch value[i+1] {
			case '$':
				out.WriteByte('$')
				i++
				continue
			case '(':
				if end := strings.IndexByte(value[i+2:], ')'); end >= 0 {
					name := value[i+2 : i+2+end]
					if resolved, found := lookup(name); found {
						out.WriteString(resolved)
						i += 2 + end
						continue
					}
				}
			}
		}
		out.WriteByte(value[i])
	}
	return out.String()
}

func expandAll(values []string, lookup func(string) (string, bool)) []string {
	if values == nil {
		return nil
	}
	out := make([]string, len(values))
	for i, value := range values {
		out[i] = expand(value, lookup)
	}
	return out
}
