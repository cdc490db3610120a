package testenv

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"sync"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
)

var skipNameValidation = true

// Manager is a controller-runtime manager running in the test process.
type Manager struct {
	ctrl.Manager
	cancel   context.CancelFunc
	done     chan error
	stopOnce sync.Once
	stopErr  error
}

// NewManager creates a manager on this control plane without metrics or probes; with webhooks it serves them
// where envtest installed the webhook configurations.
func (e *Env) NewManager(withWebhooks bool) (ctrl.Manager, error) {
	options := ctrl.Options{
		Scheme:                 e.Scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		// Crash and leader-election tests run several managers, one after another or side by side.
		Controller: config.Controller{SkipNameValidation: &skipNameValidation},
	}
	if withWebhooks {
		options.WebhookServer = webhook.NewServer(webhook.Options{
			Host: e.Webhook.LocalServingHost, Port: e.Webhook.LocalServingPort, CertDir: e.Webhook.LocalServingCertDir,
		})
	}
	mgr, err := ctrl.NewManager(e.Config, options)
	if err != nil {
		return nil, fmt.Errorf("creating a manager: %w", err)
	}
	return mgr, nil
}

// StartManager runs mgr in the background until Stop.
func StartManager(mgr ctrl.Manager) *Manager {
	ctx, cancel := context.WithCancel(context.Background())
	running := &Manager{Manager: mgr, cancel: cancel, done: make(chan error, 1)}
	go func() { running.done <- mgr.Start(ctx) }()
	return running
}

// Stop stops the manager and waits until it has stopped, as a killed operator process would be. Stopping a
// stopped manager returns the first outcome again.
func (m *Manager) Stop() error {
	m.stopOnce.Do(func() {
		m.cancel()
		select {
		case m.stopErr = <-m.done:
		case <-time.After(time.Minute):
			m.stopErr = fmt.Errorf("the manager did not stop within a minute")
		}
		if m.stopErr != nil {
			// A runnable that outlived the grace period (a rare shutdown hang seen in CI): say which, with
			// every goroutine's stack, so the next occurrence can be traced to its cause.
			fmt.Fprintf(os.Stderr, "testenv: stopping the manager failed (%v); goroutines:\n", m.stopErr)
			_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
		}
	})
	return m.stopErr
}

// WaitForWebhookServer waits until the manager's webhook server accepts connections, so that a request the API
// server sends right after a (re)start does not fail with "connection refused". It gives up after timeout.
func (m *Manager) WaitForWebhookServer(timeout time.Duration) error {
	started := m.GetWebhookServer().StartedChecker()
	deadline := time.Now().Add(timeout)
	for {
		err := started(nil)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the webhook server did not start within %s: %w", timeout, err)
		}
		select {
		case stopped := <-m.done:
			m.done <- stopped
			return fmt.Errorf("the manager stopped before its webhook server started: %v", stopped)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
