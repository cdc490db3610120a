package flinksessionjob

// +kubebuilder:rbac:groups=flink.apache.org,resources=flinksessionjobs,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=flink.apache.org,resources=flinksessionjobs/status;flinksessionjobs/finalizers,verbs=get;update;patch
// +kubebuilder:rbac:groups=flink.apache.org,resources=flinkdeployments,verbs=get;list;watch
// +kubebuilder:rbac:groups=flink.apache.org,resources=flinkstatesnapshots,verbs=get;list;watch;create;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
