{{- define "hopsworks.labels" -}}
app.kubernetes.io/name: hopsworks
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "hopsworks.scheduling" -}}
{{- with .Values.standIn.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.standIn.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
The label that puts an object in the users backup (k8s-backups-users-resources) instead of the
main one (k8s-backups-main). Stand-in choice, see README.md.
*/}}
{{- define "hopsworks.usersBackupLabelKey" -}}hopsworks.ai/backup{{- end -}}
{{- define "hopsworks.usersBackupLabelValue" -}}users{{- end -}}

{{/* Velero backups: hopsworks.velero.backup.enabled, or when null global._hopsworks.backups.enabled. */}}
{{- define "hopsworks.velero.enabled" -}}
{{- $enabled := .Values.hopsworks.velero.backup.enabled -}}
{{- if kindIs "invalid" $enabled -}}
{{- $enabled = (.Values.global._hopsworks.backups | default dict).enabled -}}
{{- end -}}
{{- if $enabled -}}true{{- end -}}
{{- end -}}

{{- define "hopsworks.velero.namespace" -}}
{{- .Values.hopsworks.velero.namespace | default "velero" -}}
{{- end -}}

{{/* HopsFS on object storage (managed S3 or MinIO): only then does RonDB read the global restore values. */}}
{{- define "hopsworks.objectStorage" -}}
{{- $g := .Values.global._hopsworks -}}
{{- $managed := $g.managedObjectStorage | default dict -}}
{{- $minio := $g.minio | default dict -}}
{{- if or $managed.enabled (and $minio.enabled ($minio.hopsfs | default dict).enabled) -}}true{{- end -}}
{{- end -}}

{{/* ---- RonDB: which backup to restore, and how (the subchart's values win over the global ones) ---- */}}

{{- define "hopsworks.rondb.backupId" -}}
{{- $own := ((.Values.rondb | default dict).rondb | default dict).restoreFromBackup | default dict -}}
{{- $global := .Values.global._hopsworks.restoreFromBackup | default dict -}}
{{- if $own.backupId -}}
{{- $own.backupId -}}
{{- else if and (include "hopsworks.objectStorage" .) $global.backupId -}}
{{- $global.backupId -}}
{{- end -}}
{{- end -}}

{{- define "hopsworks.rondb.inPlace" -}}
{{- $own := ((.Values.rondb | default dict).rondb | default dict).restoreFromBackup | default dict -}}
{{- $global := .Values.global._hopsworks.restoreFromBackup | default dict -}}
{{- if not (kindIs "invalid" $own.inPlace) -}}
{{- $own.inPlace -}}
{{- else if and (include "hopsworks.objectStorage" .) $global.inPlace -}}
{{- $global.inPlace -}}
{{- end -}}
{{- end -}}

{{- define "hopsworks.rondb.forceDataClear" -}}
{{- $own := ((.Values.rondb | default dict).rondb | default dict).restoreFromBackup | default dict -}}
{{- $global := .Values.global._hopsworks.restoreFromBackup | default dict -}}
{{- if not (kindIs "invalid" $own.forceDataClear) -}}
{{- $own.forceDataClear -}}
{{- else if and (include "hopsworks.objectStorage" .) $global.forceDataClear -}}
{{- $global.forceDataClear -}}
{{- end -}}
{{- end -}}

{{/* install | upgrade: rondb.rondb.mode, else global._hopsworks.mode; "auto" asks Helm. */}}
{{- define "hopsworks.rondb.mode" -}}
{{- $mode := ((.Values.rondb | default dict).rondb | default dict).mode -}}
{{- if not $mode -}}
{{- $mode = .Values.global._hopsworks.mode | default "auto" -}}
{{- end -}}
{{- if eq $mode "auto" -}}
{{- if .Release.IsUpgrade -}}upgrade{{- else -}}install{{- end -}}
{{- else -}}
{{- $mode -}}
{{- end -}}
{{- end -}}

{{/* "true" when a RonDB in-place restore is asked for; the guards in validate.yaml have passed by then. */}}
{{- define "hopsworks.rondb.isInPlace" -}}
{{- if eq (include "hopsworks.rondb.inPlace" .) "true" -}}true{{- end -}}
{{- end -}}

{{/* ---- Global restore (HopsFS, OpenSearch, Velero) ---- */}}

{{- define "hopsworks.restore.backupId" -}}
{{- (.Values.global._hopsworks.restoreFromBackup | default dict).backupId | default "" -}}
{{- end -}}

{{/* An in-place restore of the whole cluster: global inPlace, during an upgrade, with a backup ID and forceDataClear. */}}
{{- define "hopsworks.restore.isInPlace" -}}
{{- $global := .Values.global._hopsworks.restoreFromBackup | default dict -}}
{{- if and $global.inPlace $global.backupId $global.forceDataClear (eq (include "hopsworks.rondb.mode" .) "upgrade") -}}true{{- end -}}
{{- end -}}

{{/* The OpenSearch snapshot a restore uses: the manual's override, else the global backup ID. */}}
{{- define "hopsworks.opensearch.snapshot" -}}
{{- $repositories := .Values.olk.opensearch.restore.repositories | default dict -}}
{{- $snapshot := ((($repositories.default | default dict).snapshots | default dict).default | default dict) -}}
{{- $snapshot.snapshot_name | default (include "hopsworks.restore.backupId" .) -}}
{{- end -}}

{{- define "hopsworks.opensearch.indices" -}}
{{- $repositories := .Values.olk.opensearch.restore.repositories | default dict -}}
{{- $snapshot := ((($repositories.default | default dict).snapshots | default dict).default | default dict) -}}
{{- ($snapshot.payload | default dict).indices | default "" -}}
{{- end -}}

{{/* A marker Job of a restore: it does nothing (kwok completes it); its name and success are the marker. */}}
{{- define "hopsworks.markerJob" -}}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .name }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "hopsworks.labels" .root | nindent 4 }}
    hopsworks-dr.drill/restore-marker: {{ .service | quote }}
    hopsworks-dr.drill/backup-id: {{ .backupId | quote }}
  annotations:
    {{- /* A hook, so the next upgrade (without restoreFromBackup) leaves it in place as a marker. */}}
    helm.sh/hook: post-upgrade
    helm.sh/hook-weight: "0"
    helm.sh/hook-delete-policy: before-hook-creation
spec:
  backoffLimit: 0
  template:
    metadata:
      labels:
        hopsworks-dr.drill/restore-marker: {{ .service | quote }}
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      {{- include "hopsworks.scheduling" .root | nindent 6 }}
      containers:
        - name: restore
          image: {{ .root.Values.standIn.jobImage | quote }}
          command:
            - /bin/sh
            - -c
            - "true"
          env:
            - name: BACKUP_ID
              value: {{ .backupId | quote }}
{{- end -}}

{{/* Hopsworks 5.2 adds Superset: the stand-in renders it when packaged at 5.2.0 or later (drill/charts.ts). */}}
{{- define "hopsworks.superset.available" -}}
{{- if semverCompare ">=5.2.0-0" .Chart.Version -}}true{{- end -}}
{{- end -}}

{{/* global._hopsworks.restoreFromBackup.superset, or an empty map. */}}
{{- define "hopsworks.superset.restore" -}}
{{- toJson ((.Values.global._hopsworks.restoreFromBackup | default dict).superset | default dict) -}}
{{- end -}}

{{/* Step one of a Superset restore: the flag is on (5.2 and later only). */}}
{{- define "hopsworks.superset.restoring" -}}
{{- if and (include "hopsworks.superset.available" .) (fromJson (include "hopsworks.superset.restore" .)).enabled -}}true{{- end -}}
{{- end -}}
