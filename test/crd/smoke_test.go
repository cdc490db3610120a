package crd

import (
	"testing"

	"github.com/teal-flink/teal/test/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) { testenv.Main(m, &env, testenv.Options{}) }
