package flinkstatesnapshot_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
	"github.com/teal-flink/teal/test/stack"
	"github.com/teal-flink/teal/test/testenv"
)

var (
	stk *stack.Stack
	env *testenv.Env
)

const (
	timeout  = stack.Timeout
	interval = stack.Interval
)

func TestMain(m *testing.M) {
	stack.Main(m, stack.Options{Name: "snapshots"}, func(s *stack.Stack) error {
		stk, env = s, s.Env
		return nil
	})
}

func localPath(location string) string                  { return stack.LocalPath(location) }
func kstatus(g Gomega, obj client.Object) status.Status { return stack.KStatus(g, obj) }
func fetch[T client.Object](g Gomega, obj T) T          { return stack.Fetch(g, env.Client, obj) }

func newCluster(g Gomega, name string, options ...builders.DeploymentOption) *flinkv1beta1.FlinkDeployment {
	return stk.NewDeployment(g, name, options...)
}

func standin(g Gomega, deployment *flinkv1beta1.FlinkDeployment) *flinkstandin.Server {
	return stk.Standin(g, deployment.Namespace, deployment.Name)
}
