package bluegreen

// The permissions the controller needs; controller-gen collects them into config/rbac/role.yaml.

// +kubebuilder:rbac:groups=flink.apache.org,resources=flinkbluegreendeployments,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=flink.apache.org,resources=flinkbluegreendeployments/status;flinkbluegreendeployments/finalizers,verbs=get;update;patch
// +kubebuilder:rbac:groups=flink.apache.org,resources=flinkdeployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=networking.k8s.io,resources=ingresses,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
