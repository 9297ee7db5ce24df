#!/usr/bin/env bash
# Starts the real `velero server` out of cluster (Velero's "run locally" mode) once the Velero
# release has created Velero's namespace and CRDs. The server refuses to start until every Velero
# CRD is served, and a CRD Helm has just created takes a moment to be: a start that fails within
# seconds is retried. The drill stops this launcher's process group, Velero with it.
set -uo pipefail
until kubectl get namespace "$VELERO_NAMESPACE" >/dev/null 2>&1 \
   && kubectl get crd backupstoragelocations.velero.io restores.velero.io schedules.velero.io datauploads.velero.io >/dev/null 2>&1; do
  sleep 1
done
kubectl wait --for=condition=Established crd -l component=velero --timeout=120s >/dev/null
echo "velero launcher: namespace $VELERO_NAMESPACE and the CRDs exist; starting velero server"
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  started=$(date +%s)
  velero server --kubeconfig "$KUBECONFIG" --namespace "$VELERO_NAMESPACE" \
    --plugin-dir "$VELERO_PLUGIN_DIR" \
    --metrics-address "$VELERO_METRICS_ADDRESS" --profiler-address "$VELERO_PROFILER_ADDRESS" \
    --backup-sync-period 5s --store-validation-frequency 5s \
    --log-level debug
  code=$?
  if [ $(( $(date +%s) - started )) -gt 30 ]; then exit $code; fi
  echo "velero launcher: velero server exited with $code within seconds (attempt $attempt); retrying"
  sleep 2
done
exit 1
