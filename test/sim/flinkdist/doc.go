// Package flinkdist runs real Apache Flink for tests. It locates a Flink distribution installed by
// hack/install-flink.sh (lib/ from PyPI's apache-flink-libraries plus the TopSpeedWindowing example jar, cached
// under $TEAL_CACHE/flink/<version> and linked into bin/flink-<version>) and starts a standalone session
// cluster from it with plain java: one JobManager and one TaskManager, bound to 127.0.0.1 on free ports, with a
// generated config.yaml, Java 17 module flags taken from the distribution's own default configuration, and
// checkpoint and savepoint directories under the test's temporary directory. A missing distribution is a test
// failure naming the install script, never a skip.
package flinkdist
