import { backupIdAt } from "../../stacks/catalogue/backup-id";
import { MetadataConfigMap, VeleroBackup } from "../../stacks/catalogue/restore-points";

/** Catalogue fixtures shared by the restore-point and health tests. */
export const ok = (start?: string) => JSON.stringify({ state: "SUCCESS", ...(start ? { start_time: start } : {}) });
export const at = (iso: string) => backupIdAt(new Date(iso));

export function velero(schedule: "main" | "users", iso: string, phase = "Completed", location = "hopsworks-bsl"): VeleroBackup {
    const full = schedule === "main" ? "k8s-backups-main" : "k8s-backups-users-resources";
    return { name: `${full}-${iso.replace(/\D/g, "").slice(0, 14)}`, schedule: full, storageLocation: location, phase, started: new Date(iso) };
}

/** Both services succeeded, and both Velero schedules completed a minute later, at each time. */
export function fixture(times: string[]) {
    const data = Object.fromEntries(times.map((t) => [at(t), ok()]));
    const configMaps: MetadataConfigMap[] = [
        { name: "rondb-backups-metadata", service: "rondb", data },
        { name: "opensearch-backups-metadata", service: "opensearch", data: { ...data } },
    ];
    const veleroBackups = times.flatMap((t) => {
        const later = new Date(Date.parse(t) + 60_000).toISOString();
        return [velero("main", later), velero("users", later)];
    });
    return { configMaps, veleroBackups };
}

/** A velero-backup.json as Velero writes it beside a schedule's backup. */
export function veleroBackupJson(name: string, schedule: string, started: string, phase = "Completed", location = "hopsworks-bsl"): string {
    const completed = new Date(Date.parse(started) + 45_000).toISOString().replace(".000", "");
    return JSON.stringify({
        kind: "Backup",
        apiVersion: "velero.io/v1",
        metadata: { name, namespace: "velero", labels: { "velero.io/schedule-name": schedule, "velero.io/storage-location": location }, creationTimestamp: started },
        spec: { storageLocation: location, ttl: "720h0m0s" },
        status: { phase, startTimestamp: started, completionTimestamp: completed, version: 1 },
    });
}
