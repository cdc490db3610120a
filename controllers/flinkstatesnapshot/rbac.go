package flinkstatesnapshot

// +kubebuilder:rbac:groups=flink.apache.org,resources=flinkstatesnapshots,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=flink.apache.org,resources=flinkstatesnapshots/status;flinkstatesnapshots/finalizers,verbs=get;update;patch
// +kubebuilder:rbac:groups=flink.apache.org,resources=flinkdeployments;flinksessionjobs,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
