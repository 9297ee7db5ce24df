import { HOPSWORKS_NAMESPACE, HOPSWORKS_RESTORE_TIMEOUT_SECONDS, HOPSWORKS_TIMEOUT_SECONDS, VELERO_NAMESPACE } from "../names";

/** The defaults of the stack config's optional keys, in one place (each section's interface states its own). */
export const DEFAULTS = {
    backupSchedule: "@weekly",
    backupTtl: "60d",
    veleroNamespace: VELERO_NAMESPACE,
    veleroRepo: "https://vmware-tanzu.github.io/helm-charts",
    veleroChartVersion: "11.2.0",
    veleroPluginImage: "velero/velero-plugin-for-aws:v1.13.2",
    hopsworksNamespace: HOPSWORKS_NAMESPACE,
    hopsworksChart: "hopsworks",
    hopsworksTimeoutSeconds: HOPSWORKS_TIMEOUT_SECONDS,
    hopsworksRestoreTimeoutSeconds: HOPSWORKS_RESTORE_TIMEOUT_SECONDS,
};
