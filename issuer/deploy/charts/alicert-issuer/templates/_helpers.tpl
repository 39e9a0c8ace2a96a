{{/*
The chart's name, and the full name of what it makes: the release name,
unless it already holds the chart's name.
*/}}
{{- define "alicert-issuer.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "alicert-issuer.fullname" -}}
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

{{- define "alicert-issuer.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "alicert-issuer.selectorLabels" -}}
app.kubernetes.io/name: {{ include "alicert-issuer.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "alicert-issuer.labels" -}}
helm.sh/chart: {{ include "alicert-issuer.chart" . }}
{{ include "alicert-issuer.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The service account the controller runs as. */}}
{{- define "alicert-issuer.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "alicert-issuer.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Where the Secrets of cluster issuers live. */}}
{{- define "alicert-issuer.clusterResourceNamespace" -}}
{{- default .Release.Namespace .Values.clusterResourceNamespace }}
{{- end }}

{{/* Where the leader election Lease lives. */}}
{{- define "alicert-issuer.leaderElectionNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace }}
{{- end }}

{{/*
The annotations the chart adds to each CRD. A single line in each CRD
template calls this, so that the templates are the generated CRDs
byte for byte apart from the lines that hold {{ }}: scripts/test-chart
checks that.
*/}}
{{- define "alicert-issuer.crdAnnotations" -}}
{{- if .Values.crds.keep }}helm.sh/resource-policy: keep{{ end }}
{{- end }}

{{/* The image reference: a digest wins over a tag. */}}
{{- define "alicert-issuer.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The RRSA mode, checked. */}}
{{- define "alicert-issuer.rrsaMode" -}}
{{- $mode := default "" .Values.rrsa.mode }}
{{- if not (has $mode (list "" "webhook" "manual")) }}
{{- fail (printf "rrsa.mode must be \"\", \"webhook\" or \"manual\", not %q" $mode) }}
{{- end }}
{{- $mode }}
{{- end }}

{{/* The controller's service account, as the subject of a binding. */}}
{{- define "alicert-issuer.subjects" -}}
- kind: ServiceAccount
  name: {{ include "alicert-issuer.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
{{- end }}
