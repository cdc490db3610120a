// Package operatorconfig reads Teal's configuration: upstream's kubernetes.operator.* keys with upstream's
// defaults, Flink defaults for every deployment (with per-Flink-version overrides under
// kubernetes.operator.default-configuration.flink-version.<v>.*), and per-resource overrides of operator keys
// from spec.flinkConfiguration, as the Apache operator allows. Durations use Flink's syntax (10 s, 1 min, PT1M).
package operatorconfig
