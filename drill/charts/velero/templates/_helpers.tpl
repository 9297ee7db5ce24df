{{/* Names as the real chart makes them: release "velero" gives Deployment velero and ServiceAccount velero-server. */}}
{{- define "velero.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "velero.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "velero.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "velero.serverServiceAccount" -}}
{{- if .Values.serviceAccount.server.create -}}
{{- .Values.serviceAccount.server.name | default (printf "%s-server" (include "velero.fullname" .)) -}}
{{- else -}}
{{- .Values.serviceAccount.server.name | default "default" -}}
{{- end -}}
{{- end -}}

{{- define "velero.secretName" -}}
{{- .Values.credentials.existingSecret | default .Values.credentials.name | default (include "velero.fullname" .) -}}
{{- end -}}

{{- define "velero.selectorLabels" -}}
app.kubernetes.io/name: {{ include "velero.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "velero.labels" -}}
{{ include "velero.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The kubectl image of the CRD-upgrade Job: digest, else tag, else the cluster's <major>.<minor>, as the real chart. */}}
{{- define "velero.kubectlImage" -}}
{{- $image := .Values.kubectl.image -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $image.repository $image.digest -}}
{{- else if $image.tag -}}
{{- printf "%s:%s" $image.repository (toString $image.tag) -}}
{{- else -}}
{{- printf "%s:%s.%s" $image.repository .Capabilities.KubeVersion.Major (.Capabilities.KubeVersion.Minor | trimSuffix "+") -}}
{{- end -}}
{{- end -}}

{{- define "velero.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (toString (.Values.image.tag | default (printf "v%s" .Chart.AppVersion))) -}}
{{- end -}}
{{- end -}}

{{- define "velero.scheduling" -}}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
