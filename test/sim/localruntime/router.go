package localruntime

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
)

// router serves every cluster's REST API under /<namespace>/<name>/ on one loopback port.
type router struct {
	mu       sync.RWMutex
	clusters map[string]*url.URL
	server   *http.Server
	listener net.Listener
}

func newRouter() (*router, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on loopback: %w", err)
	}
	r := &router{clusters: map[string]*url.URL{}, listener: listener}
	r.server = &http.Server{Handler: r}
	go func() { _ = r.server.Serve(listener) }()
	return r, nil
}

func (r *router) baseURL() string { return "http://" + r.listener.Addr().String() }

func (r *router) set(namespace, name string, target *url.URL) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if target == nil {
		delete(r.clusters, namespace+"/"+name)
		return
	}
	r.clusters[namespace+"/"+name] = target
}

// ServeHTTP forwards /<namespace>/<name>/rest/path to the cluster's /rest/path; an unknown cluster is a 502, as
// an unreachable Service would be.
func (r *router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	parts := strings.SplitN(strings.TrimPrefix(req.URL.Path, "/"), "/", 3)
	if len(parts) < 2 {
		http.Error(w, "expected /<namespace>/<name>/...", http.StatusNotFound)
		return
	}
	r.mu.RLock()
	target := r.clusters[parts[0]+"/"+parts[1]]
	r.mu.RUnlock()
	if target == nil {
		http.Error(w, fmt.Sprintf("no JobManager for %s/%s", parts[0], parts[1]), http.StatusBadGateway)
		return
	}
	rest := "/"
	if len(parts) == 3 {
		rest += parts[2]
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	req.URL.Path, req.URL.RawPath = rest, ""
	proxy.ServeHTTP(w, req)
}

func (r *router) close() error { return r.server.Close() }
