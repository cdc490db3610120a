# Teal — Kubernetes operator for Apache Flink.
#
#   make demo      the blue/green demo on an embedded local control plane
#   make test      every test, against a real kube-apiserver + etcd built from source (cached in ~/.cache/teal)
#   make cluster   a local single-node Kubernetes (built from source, in its own network namespace) with Teal
#
# Tools are built from the Go module proxy by hack/install-tools.sh, cached by version under $(TEAL_CACHE) and
# linked into bin/, so a fresh clone pays the build once per machine.

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

TEAL_CACHE ?= $(HOME)/.cache/teal
export TEAL_CACHE
BIN := $(CURDIR)/bin
CONTROLLER_GEN := $(BIN)/controller-gen
# envtest finds kube-apiserver, etcd and kubectl here.
export KUBEBUILDER_ASSETS := $(BIN)
# go test flags, e.g. make test GOTEST_FLAGS='-run TestCRD -v'.
GOTEST_FLAGS ?=
# how long each fuzz target runs inside make test.
FUZZ_TIME ?= 20s

.PHONY: all
all: build

##@ Tools

.PHONY: tools
tools: ## Build the test control plane (kube-apiserver, etcd), kubectl, helm, controller-gen; install Flink.
	hack/install-tools.sh
	hack/install-flink.sh

.PHONY: controller-gen
controller-gen:
	hack/install-tools.sh controller-gen

##@ Generated code

.PHONY: generate
generate: controller-gen ## Generate deepcopy functions.
	$(CONTROLLER_GEN) object paths=./api/...

.PHONY: manifests
manifests: controller-gen ## Generate CRDs into config/crd/bases.
	rm -f config/crd/bases/*.yaml
	$(CONTROLLER_GEN) crd:generateEmbeddedObjectMeta=true,allowDangerousTypes=true paths=./api/... output:crd:dir=config/crd/bases
	go run ./hack/crdtrim config/crd/bases/*.yaml
	$(CONTROLLER_GEN) rbac:roleName=teal-operator paths=./controllers/... output:rbac:dir=config/rbac
	@if compgen -G 'webhooks/*.go' >/dev/null; then $(CONTROLLER_GEN) webhook paths=./webhooks/... output:webhook:dir=config/webhook; fi
	rm -f charts/teal/files/crds/*.yaml
	cp config/crd/bases/*.yaml charts/teal/files/crds/
	cp config/rbac/role.yaml charts/teal/files/operator-role.yaml
	go run ./hack/argocdcm

.PHONY: verify
verify: generate manifests ## Fail when generated files are out of date or code is not gofmt-clean.
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	go vet ./...
	@git diff --exit-code -- api config charts || { echo "generated files are stale: run make generate manifests and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- api config charts)" || { echo "untracked generated files:"; git status --porcelain -- api config; exit 1; }

##@ Build and test

# The Dockerfile's build stage runs the same command with -o /out/teal (test/chart checks they stay equal).
IMG ?= ghcr.io/teal-flink/teal:dev

.PHONY: build
build: ## Build the operator binary into bin/teal.
	CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o $(BIN)/teal .

.PHONY: docker-build
docker-build: ## Build the operator image (needs a Docker engine).
	docker build -t $(IMG) .

.PHONY: test
test: tools verify ## Run every test against the real control plane, the gate's tests (Flink 1.20 and 2.x), the end-to-end suite, then each fuzz target.
	go test $(GOTEST_FLAGS) $$(go list ./... | grep -v /test/e2e)
	$(MAKE) gate-test
	$(MAKE) gate-test GATE_FLINK=flink2
	$(MAKE) e2e
	$(MAKE) e2e-cluster E2E_CLUSTER_RUN='$(E2E_CLUSTER_TEST_RUN)'
	hack/fuzz_classify_test.sh
	FUZZ_TIME=$(FUZZ_TIME) hack/fuzz.sh

.PHONY: e2e
e2e: gate-dist ## The end-to-end suite alone: the operator binary with real Flink 1.20 and 2.x (alone, as its JVMs need the cores).
	go test $(GOTEST_FLAGS) -timeout 40m ./test/e2e/

##@ Blue/green gate (Java)

# The gate jar (agent + gate classes) and the test jobs, compiled against Flink 1.20 (default) or 2.x
# (GATE_FLINK=flink2); clean builds, so switching lines never reuses classes compiled for the other.
GATE_FLINK ?= flink1
MVN_GATE := cd gate && mvn -B --no-transfer-progress -P$(GATE_FLINK)

.PHONY: gate
gate: ## Build gate/gate/target/teal-bluegreen-gate.jar and the test jobs jar (Maven, cached in ~/.m2).
	$(MVN_GATE) -DskipTests clean package
	@ls -l gate/gate/target/teal-bluegreen-gate.jar | awk '{print "gate jar: " $$5 " bytes"}'

# The gate and test-job jars of both Flink lines, as the e2e suite runs them: gate/dist/<line>/*.jar. Rebuilt only
# when a source or pom under gate/ changed (Maven's own cache is ~/.m2).
GATE_SOURCES := $(shell find gate -path gate/dist -prune -o -name target -prune -o -type f \( -name '*.java' -o -name pom.xml -o -path '*/resources/*' \) -print)
GATE_DIST_JARS := $(foreach line,flink1 flink2,gate/dist/$(line)/teal-bluegreen-gate.jar gate/dist/$(line)/teal-bluegreen-testjobs.jar)

.PHONY: gate-dist
gate-dist: $(GATE_DIST_JARS) ## Build the gate and test-job jars for Flink 1.20 and 2.x into gate/dist/<line>/ (for the e2e suite).

gate/dist/%/teal-bluegreen-gate.jar gate/dist/%/teal-bluegreen-testjobs.jar: $(GATE_SOURCES)
	cd gate && mvn -B -q --no-transfer-progress -P$* -DskipTests clean package
	mkdir -p gate/dist/$*
	cp gate/gate/target/teal-bluegreen-gate.jar gate/testjobs/target/teal-bluegreen-testjobs.jar gate/dist/$*/

# Both lines build in the same target/ directories: one after the other, also under make -j.
gate/dist/flink2/teal-bluegreen-gate.jar: | gate/dist/flink1/teal-bluegreen-gate.jar

.PHONY: gate-test
gate-test: ## The gate's tests: unit, operator harness, ConfigMap protocol on a real kube-apiserver, agent, MiniCluster proof.
	hack/install-tools.sh kube-apiserver etcd
	TEAL_KUBE_ASSETS=$(BIN) $(MVN_GATE) clean verify
	@# The jars just tested are the line's gate-dist jars: make e2e and make images need not package them again.
	mkdir -p gate/dist/$(GATE_FLINK)
	cp gate/gate/target/teal-bluegreen-gate.jar gate/testjobs/target/teal-bluegreen-testjobs.jar gate/dist/$(GATE_FLINK)/

.PHONY: fuzz
fuzz: ## Run each fuzz target for FUZZ_TIME.
	FUZZ_TIME=$(FUZZ_TIME) hack/fuzz.sh

.PHONY: demo
demo: ## The blue/green demo on an embedded local control plane (kube-apiserver + etcd from bin/, Flink stand-ins).
	hack/install-tools.sh kube-apiserver etcd kubectl
	go run ./cmd/teal-demo

.PHONY: run
run: ## Run the operator against the current kubeconfig (controllers only; webhooks need a reachable server).
	go run . --webhooks=false --leader-elect=false $(RUN_ARGS)

##@ Local cluster (docs/cluster.md)

# Name of the local cluster: its network namespace is teal-$(CLUSTER_NAME), its state /var/lib/teal-cluster/$(CLUSTER_NAME).
CLUSTER_NAME ?= teal
export CLUSTER_NAME

.PHONY: images
images: build gate-dist ## Build the local cluster's images without a Docker engine: Flink 1.20.3 and 2.3.0 (with the gate's test jobs), the operator (with the gate jar), pause, CoreDNS.
	hack/cluster/install-packages.sh
	hack/install-tools.sh coredns
	hack/install-flink.sh
	hack/images/build.sh

.PHONY: cluster
cluster: images ## Bring up a local single-node Kubernetes cluster with Teal installed by Helm (root; see docs/cluster.md).
	hack/install-tools.sh cluster
	hack/cluster/up.sh

# The real-pod scenarios make test runs (a go test -run pattern): all of them, several at once
# (E2E_CLUSTER_PARALLEL, docs/cluster.md).
E2E_CLUSTER_TEST_RUN ?= .

.PHONY: e2e-cluster
e2e-cluster: images ## The end-to-end suite on real pods (test/e2ecluster): reuses a running cluster or brings one up and down (root).
	hack/install-tools.sh cluster
	hack/cluster/e2e.sh

.PHONY: cluster-down
cluster-down: ## Remove the local cluster: processes, network namespace, mounts, cgroups, state.
	hack/cluster/down.sh

.PHONY: clean
clean: ## Remove bin/ links (the tool cache in $(TEAL_CACHE) stays).
	rm -rf $(BIN)

.PHONY: help
help:
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'
