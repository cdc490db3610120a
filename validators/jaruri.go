package validators

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// validateJarURI checks a session job's jarURI: a URI with a scheme from the operator's allowlist and, for
// http(s), a host that resolves only to public addresses, so that the operator cannot be made to fetch from
// itself, the node, cloud metadata endpoints or the cluster network.
func validateJarURI(jarURI, previousJarURI string, path *field.Path, opts Options) field.ErrorList {
	if jarURI == "" {
		return nil
	}
	if strings.IndexFunc(jarURI, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return field.ErrorList{field.Invalid(path, jarURI, "must be a valid URI: remove the whitespace (encode it as %20)")}
	}
	parsed, err := url.Parse(jarURI)
	if err != nil {
		return field.ErrorList{field.Invalid(path, jarURI, "must be a valid URI: "+err.Error())}
	}
	if parsed.Scheme == "" {
		return field.ErrorList{field.Invalid(path, jarURI, "must include a scheme, e.g. https://repo.example.com/job.jar")}
	}
	allowed := make([]string, 0, len(opts.allowedJarSchemes()))
	for _, scheme := range opts.allowedJarSchemes() {
		allowed = append(allowed, strings.ToLower(scheme))
	}
	scheme := strings.ToLower(parsed.Scheme)
	if !slices.Contains(allowed, scheme) {
		return field.ErrorList{field.Invalid(path, jarURI, fmt.Sprintf(
			"scheme %q is not allowed (allowed: %s): use one of those, or ask the operator admin to extend %s",
			parsed.Scheme, strings.Join(allowed, ", "), KeyAllowedJarSchemes))}
	}
	if unsupportedJarSchemes[scheme] {
		return field.ErrorList{field.Invalid(path, jarURI, fmt.Sprintf(
			"scheme %q is allowed by %s but Teal cannot fetch it yet: serve the jar over https (or http), or bake it into the image (local://)",
			parsed.Scheme, KeyAllowedJarSchemes))}
	}
	if (scheme != "http" && scheme != "https") || opts.AllowRestrictedJarHosts || jarURI == previousJarURI {
		return nil
	}
	host := parsed.Hostname()
	if host == "" {
		return field.ErrorList{field.Invalid(path, jarURI, "an http(s) jarURI must include a host")}
	}
	addrs, err := resolveHost(host, opts.resolver())
	if err != nil {
		return field.ErrorList{field.Invalid(path, jarURI, fmt.Sprintf(
			"host %q cannot be resolved: use a host the operator can resolve (%v)", host, err))}
	}
	for _, addr := range addrs {
		if restrictedAddress(addr) {
			return field.ErrorList{field.Invalid(path, jarURI, fmt.Sprintf(
				"host %q resolves to the restricted address %s (loopback, link-local, private, wildcard or multicast): "+
					"serve the jar from a public host", host, addr))}
		}
	}
	return nil
}

// unsupportedJarSchemes are schemes an operator may list in allowed-schemes (upstream fetches them through
// Flink's file systems) that Teal's jar fetcher does not speak: refused at admission rather than failing later.
var unsupportedJarSchemes = map[string]bool{"gs": true, "abfs": true, "abfss": true, "wasb": true, "wasbs": true, "oss": true, "hdfs": true}

// s3JarSchemes are fetched with an S3 client at the session cluster's and job's s3.endpoint.
var s3JarSchemes = map[string]bool{"s3": true, "s3a": true, "s3p": true}

// validateS3Endpoint applies the restricted-host rule to the S3 endpoint an s3:// jar is fetched from (a
// resource's s3.endpoint must not make the operator call into the cluster network), when the jarURI is new.
func validateS3Endpoint(jarURI, previousJarURI string, config flinkConfig, opts Options) field.ErrorList {
	parsed, err := url.Parse(jarURI)
	if err != nil || !s3JarSchemes[strings.ToLower(parsed.Scheme)] || opts.AllowRestrictedJarHosts || jarURI == previousJarURI {
		return nil
	}
	endpoint, key, ok := config.lookup("s3.endpoint")
	if !ok || strings.TrimSpace(endpoint) == "" {
		return nil
	}
	host := endpoint
	if withScheme, err := url.Parse(endpoint); err == nil && withScheme.Host != "" {
		host = withScheme.Hostname()
	} else if name, _, err := net.SplitHostPort(endpoint); err == nil {
		host = name
	}
	addrs, err := resolveHost(host, opts.resolver())
	if err != nil {
		return field.ErrorList{field.Invalid(config.keyPath(key), endpoint, fmt.Sprintf("host %q cannot be resolved: %v", host, err))}
	}
	for _, addr := range addrs {
		if restrictedAddress(addr) {
			return field.ErrorList{field.Invalid(config.keyPath(key), endpoint, fmt.Sprintf(
				"the S3 endpoint %q resolves to the restricted address %s (loopback, link-local, private, wildcard or multicast): "+
					"use a public endpoint, or ask the operator admin to set %s to false", host, addr, KeyDisallowRestrictedHosts))}
		}
	}
	return nil
}

func resolveHost(host string, resolver HostResolver) ([]netip.Addr, error) {
	if addr, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []netip.Addr{addr}, nil
	}
	addrs, err := resolver.LookupHost(host)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("no addresses")
	}
	return addrs, nil
}

func restrictedAddress(addr netip.Addr) bool {
	addr = addr.Unmap()
	return addr.IsLoopback() || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() || addr.IsPrivate() ||
		addr.IsUnspecified() || addr.IsMulticast() || addr.IsInterfaceLocalMulticast()
}
