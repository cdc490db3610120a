package validators

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Operator configuration keys the validators read (the Apache operator's names).
const (
	// KeyAllowedJarSchemes lists the URI schemes a session job's jarURI may use, separated by ";" or ",".
	KeyAllowedJarSchemes = "kubernetes.operator.user.artifacts.allowed-schemes"
	// KeyDisallowRestrictedHosts, when true (the default), rejects http(s) jarURIs whose host resolves to a
	// loopback, link-local, private, wildcard or multicast address.
	KeyDisallowRestrictedHosts = "kubernetes.operator.user.artifacts.disallow-restricted-hosts"
)

// DefaultAllowedJarSchemes is upstream's default for KeyAllowedJarSchemes.
var DefaultAllowedJarSchemes = []string{"https"}

// HostResolver resolves a jarURI host to its addresses. Tests inject a fixed table so that results do not
// depend on DNS.
type HostResolver interface {
	LookupHost(host string) ([]netip.Addr, error)
}

// Options carry the operator configuration the rules depend on. The zero value behaves like upstream's
// defaults.
type Options struct {
	// DefaultFlinkConfig is the operator's default Flink configuration (flat keys); a resource's own
	// flinkConfiguration is merged over it before the configuration rules run.
	DefaultFlinkConfig map[string]string
	// AllowedJarSchemes are the schemes a session job's jarURI may use; empty means DefaultAllowedJarSchemes.
	AllowedJarSchemes []string
	// AllowRestrictedJarHosts turns off the check that an http(s) jarURI host does not resolve to a loopback,
	// link-local, private, wildcard or multicast address.
	AllowRestrictedJarHosts bool
	// Resolver resolves jarURI hosts; nil uses the system resolver with a short timeout.
	Resolver HostResolver
	// AllowMissingSessionCluster accepts a session job whose session cluster does not exist yet (the
	// controller then waits for it). By default such a job is rejected.
	AllowMissingSessionCluster bool
}

// OptionsFromOperatorConfig reads the validator options from the operator's flat configuration
// (KeyAllowedJarSchemes, KeyDisallowRestrictedHosts); defaultFlinkConfig becomes DefaultFlinkConfig.
func OptionsFromOperatorConfig(operatorConfig, defaultFlinkConfig map[string]string) (Options, error) {
	opts := Options{DefaultFlinkConfig: defaultFlinkConfig}
	if raw, ok := operatorConfig[KeyAllowedJarSchemes]; ok {
		opts.AllowedJarSchemes = splitList(raw)
	}
	if raw, ok := operatorConfig[KeyDisallowRestrictedHosts]; ok {
		disallow, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return Options{}, fmt.Errorf("operator config %s=%q is not a boolean: %w", KeyDisallowRestrictedHosts, raw, err)
		}
		opts.AllowRestrictedJarHosts = !disallow
	}
	return opts, nil
}

func (o Options) allowedJarSchemes() []string {
	if len(o.AllowedJarSchemes) == 0 {
		return DefaultAllowedJarSchemes
	}
	return o.AllowedJarSchemes
}

func (o Options) resolver() HostResolver {
	if o.Resolver == nil {
		return systemResolver{}
	}
	return o.Resolver
}

// splitList splits Flink's list syntax ("a;b" or "a,b"), dropping blanks.
func splitList(raw string) []string {
	var out []string
	for _, item := range strings.FieldsFunc(raw, func(r rune) bool { return r == ';' || r == ',' }) {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// systemResolver asks the system resolver, bounded so that a slow DNS server cannot stall admission.
type systemResolver struct{}

func (systemResolver) LookupHost(host string) ([]netip.Addr, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", host, err)
	}
	return addrs, nil
}

// StaticResolver resolves hosts from a fixed table; unknown hosts fail. It makes tests deterministic.
type StaticResolver map[string][]netip.Addr

// LookupHost returns the table entry for host.
func (s StaticResolver) LookupHost(host string) ([]netip.Addr, error) {
	if addrs, ok := s[strings.ToLower(host)]; ok {
		return addrs, nil
	}
	return nil, fmt.Errorf("host %s is unknown", host)
}
