# Names of the local cluster's images, sourced by hack/images/build.sh and hack/cluster/*.sh.
# The sandbox and CoreDNS images live under "localhost/", a registry that cannot resolve elsewhere: should one
# be missing, a pull fails at once inside the cluster's network namespace instead of reaching out.
COREDNS_VERSION=${COREDNS_VERSION:-v1.15.0}
PAUSE_IMAGE=localhost/teal/pause:1
COREDNS_IMAGE=localhost/teal/coredns:$COREDNS_VERSION
# The Makefile's IMG: the image `make docker-build` would tag.
OPERATOR_IMAGE=${OPERATOR_IMAGE:-ghcr.io/teal-flink/teal:dev}
