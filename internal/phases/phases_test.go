package phases

import (
	"context"
	"errors"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	ctrl "sigs.k8s.io/controller-runtime"
)

type scope struct {
	ran  []string
	done bool
}

func (s *scope) Done() bool { return s.done }

func phase(name string, result ctrl.Result, err error, done bool) Phase[*scope] {
	return func(_ context.Context, s *scope) (ctrl.Result, error) {
		s.ran = append(s.ran, name)
		s.done = done
		return result, err
	}
}

func TestRun(t *testing.T) {
	boom := errors.New("boom")
	requeue := ctrl.Result{RequeueAfter: time.Second}
	cases := []struct {
		name    string
		phases  []Phase[*scope]
		ran     []string
		result  ctrl.Result
		wantErr error
	}{
		{"all run in order", []Phase[*scope]{phase("a", ctrl.Result{}, nil, false), phase("b", ctrl.Result{}, nil, false)}, []string{"a", "b"}, ctrl.Result{}, nil},
		{"an error stops", []Phase[*scope]{phase("a", ctrl.Result{}, boom, false), phase("b", ctrl.Result{}, nil, false)}, []string{"a"}, ctrl.Result{}, boom},
		{"a requeue stops", []Phase[*scope]{phase("a", requeue, nil, false), phase("b", ctrl.Result{}, nil, false)}, []string{"a"}, requeue, nil},
		{"done stops", []Phase[*scope]{phase("a", ctrl.Result{}, nil, true), phase("b", ctrl.Result{}, nil, false)}, []string{"a"}, ctrl.Result{}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			s := &scope{}
			result, err := Run(context.Background(), s, tc.phases...)
			g.Expect(s.ran).To(Equal(tc.ran))
			g.Expect(result).To(Equal(tc.result))
			if tc.wantErr != nil {
				g.Expect(err).To(MatchError(tc.wantErr))
			} else {
				g.Expect(err).NotTo(HaveOccurred())
			}
		})
	}
}
