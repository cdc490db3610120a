package validators

import (
	"net/url"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

var (
	ingressNamePlaceholder      = regexp.MustCompile(`(?i)\{\{name\}\}`)
	ingressNamespacePlaceholder = regexp.MustCompile(`(?i)\{\{namespace\}\}`)
	ingressHasScheme            = regexp.MustCompile(`(?i)^https?://`)
)

// validateIngress requires a template that, with {{name}} and {{namespace}} filled in, is a URL (an http://
// scheme is assumed when absent), as upstream's IngressUtils.getIngressUrl does.
func validateIngress(ingress *flinkv1beta1.IngressSpec, name, namespace string, path *field.Path) field.ErrorList {
	if ingress == nil {
		return nil
	}
	templatePath := path.Child("template")
	if ingress.Template == "" {
		return field.ErrorList{field.Required(templatePath,
			"set the ingress host and/or path, e.g. {{name}}.flink.example.com or /{{namespace}}/{{name}}(/|$)(.*)")}
	}
	rendered := ingress.Template
	if !ingressHasScheme.MatchString(rendered) {
		rendered = "http://" + rendered
	}
	rendered = ingressNamePlaceholder.ReplaceAllLiteralString(rendered, name)
	rendered = ingressNamespacePlaceholder.ReplaceAllLiteralString(rendered, namespace)
	parsed, err := url.Parse(rendered)
	if err == nil && strings.ContainsAny(parsed.Host, " \t") {
		err = url.InvalidHostError(parsed.Host)
	}
	if err == nil && parsed.Port() != "" {
		if _, portErr := parsePort(parsed.Port()); portErr != nil {
			err = portErr
		}
	}
	if err != nil {
		return field.ErrorList{field.Invalid(templatePath, ingress.Template,
			"must render to a URL host and/or path with {{name}} and {{namespace}} filled in: "+err.Error())}
	}
	return nil
}

func parsePort(port string) (int, error) {
	value := 0
	for _, r := range port {
		if r < '0' || r > '9' {
			return 0, url.InvalidHostError(port)
		}
		value = value*10 + int(r-'0')
		if value > 65535 {
			return 0, url.InvalidHostError(port)
		}
	}
	return value, nil
}
