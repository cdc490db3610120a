{{/* The chart name. */}}
{{- define "teal.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The prefix of every resource name. */}}
{{- define "teal.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "teal.selectorLabels" -}}
app.kubernetes.io/name: {{ include "teal.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "teal.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "teal.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "teal.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "teal.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "teal.webhookServiceName" -}}
{{- printf "%s-webhook" (include "teal.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "teal.webhookSecretName" -}}
{{- default (printf "%s-webhook-cert" (include "teal.fullname" .)) .Values.webhook.certificates.secretName }}
{{- end }}

{{- define "teal.validatingWebhookName" -}}
{{- printf "%s-validating" (include "teal.fullname" .) }}
{{- end }}

{{- define "teal.mutatingWebhookName" -}}
{{- printf "%s-mutating" (include "teal.fullname" .) }}
{{- end }}

{{/* The namespaces that get a Role, the webhooks' scope and the Flink job service account. */}}
{{- define "teal.jobNamespaces" -}}
{{- if .Values.watchNamespaces }}{{ join "," .Values.watchNamespaces }}{{ else }}{{ .Release.Namespace }}{{ end }}
{{- end }}

{{- define "teal.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
labelSelector as the string form kubernetes.operator.label.selector takes ("a=b,c in (d,e),!f").
*/}}
{{- define "teal.labelSelector" -}}
{{- $parts := list -}}
{{- range $key, $value := .Values.labelSelector.matchLabels -}}
{{- $parts = append $parts (printf "%s=%s" $key $value) -}}
{{- end -}}
{{- range .Values.labelSelector.matchExpressions -}}
{{- if eq .operator "In" -}}
{{- $parts = append $parts (printf "%s in (%s)" .key (join "," .values)) -}}
{{- else if eq .operator "NotIn" -}}
{{- $parts = append $parts (printf "%s notin (%s)" .key (join "," .values)) -}}
{{- else if eq .operator "Exists" -}}
{{- $parts = append $parts .key -}}
{{- else -}}
{{- $parts = append $parts (printf "!%s" .key) -}}
{{- end -}}
{{- end -}}
{{- join "," $parts -}}
{{- end -}}
