package chart_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/test/testenv"
)

// TestDockerfileBuildsLikeMakeBuild: no Docker engine runs here, so the image is trusted by construction: its
// build stage runs the command `make build` runs (which CI exercises), and its final stage is distroless static
// and non-root.
func TestDockerfileBuildsLikeMakeBuild(t *testing.T) {
	g := NewWithT(t)
	root := testenv.RepoRoot()
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	g.Expect(err).NotTo(HaveOccurred())
	dockerfile, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	g.Expect(err).NotTo(HaveOccurred())

	recipe := regexp.MustCompile(`(?m)^build:.*\n\t(.+)$`).FindSubmatch(makefile)
	g.Expect(recipe).NotTo(BeNil(), "the Makefile has a build target")
	makeBuild := strings.Replace(string(recipe[1]), "$(BIN)/teal", "OUTPUT", 1)
	run := regexp.MustCompile(`(?m)^RUN (CGO_ENABLED=0 go build .+)$`).FindSubmatch(dockerfile)
	g.Expect(run).NotTo(BeNil(), "the Dockerfile runs go build")
	dockerBuild := strings.Replace(string(run[1]), "/out/teal", "OUTPUT", 1)
	g.Expect(dockerBuild).To(Equal(makeBuild))

	g.Expect(string(dockerfile)).To(MatchRegexp(`(?m)^FROM gcr\.io/distroless/static:nonroot$`))
	g.Expect(string(dockerfile)).To(MatchRegexp(`(?m)^USER 65532:65532$`))
}

// TestChartFlagsExist: every flag the chart passes is one the operator binary defines.
func TestChartFlagsExist(t *testing.T) {
	g := NewWithT(t)
	main, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "main.go"))
	g.Expect(err).NotTo(HaveOccurred())
	certFlags, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "certflags.go"))
	g.Expect(err).NotTo(HaveOccurred())
	defined := map[string]bool{}
	for _, match := range regexp.MustCompile(`flag\.\w+Var\([^,]+, "([a-z-]+)"`).FindAllStringSubmatch(string(main)+string(certFlags), -1) {
		defined[match[1]] = true
	}
	for _, v := range variants {
		deployment := operatorDeployment(g, render(g, v))
		for _, arg := range deployment.Spec.Template.Spec.Containers[0].Args {
			name := strings.SplitN(strings.TrimPrefix(arg, "--"), "=", 2)[0]
			g.Expect(defined).To(HaveKey(name), "variant %s passes --%s", v.name, name)
		}
	}
}
