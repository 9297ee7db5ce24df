/**
 * What the drill puts into the cluster as Hopsworks and its users would, and how it reads back
 * what the real systems did: objects worth restoring, scheduled backups, backup metadata, Helm
 * releases.
 */
import { gunzipSync } from "node:zlib";
import { veleroBackupNameAt } from "../stacks/catalogue/restore-points";
import { VELERO_NAMESPACE } from "./env";
import { check } from "./report";
import { Shell } from "./shell";

/** The label the stand-in chart's users schedule selects (drill/charts/hopsworks/README.md). */
export const USERS_BACKUP_LABEL = { key: "hopsworks.ai/backup", value: "users" };

/**
 * Objects the application (not Helm) creates, as Hopsworks does for its projects: a ConfigMap,
 * a Secret and a ServiceAccount in the main backup, and a ConfigMap in the users backup. The
 * drill checks their data after a restore.
 */
export function objectsWorthRestoring(namespace: string): any[] {
    const meta = (name: string, users = false) => ({
        name,
        namespace,
        labels: { "app.kubernetes.io/part-of": "hopsworks-drill", ...(users ? { [USERS_BACKUP_LABEL.key]: USERS_BACKUP_LABEL.value } : {}) },
    });
    return [
        { apiVersion: "v1", kind: "ConfigMap", metadata: meta("drill-feature-store-settings"), data: { "featurestore.properties": "offline=hudi\nonline=rondb\n" } },
        { apiVersion: "v1", kind: "Secret", metadata: meta("drill-project-credentials"), type: "Opaque", stringData: { token: "drill-token-6f1c" } },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("drill-project-runner") },
        { apiVersion: "v1", kind: "ConfigMap", metadata: meta("drill-user-notebook", true), data: { "notebook.ipynb": '{"cells": []}' } },
    ];
}

export function createObjectsWorthRestoring(sh: Shell, namespace: string): void {
    const list = { apiVersion: "v1", kind: "List", items: objectsWorthRestoring(namespace) };
    sh.kubectl(["apply", "-f", "-"], { input: JSON.stringify(list) });
}

/** Each object's kind/name and its data, as the cluster has it now (Secret data decoded). */
export function snapshotObjects(sh: Shell, namespace: string): Record<string, unknown> {
    const snapshot: Record<string, unknown> = {};
    for (const object of objectsWorthRestoring(namespace)) {
        const live = sh.getJson([object.kind.toLowerCase(), object.metadata.name, "-n", namespace]);
        const data = live?.kind === "Secret" ? Object.fromEntries(Object.entries(live.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), "base64").toString()])) : live?.data;
        // Velero labels what it restores (velero.io/backup-name, velero.io/restore-name): not the object's own data.
        const labels = Object.fromEntries(Object.entries(live?.metadata?.labels ?? {}).filter(([k]) => !k.startsWith("velero.io/")));
        snapshot[`${object.kind}/${object.metadata.name}`] = live ? { labels, data: data ?? null } : null;
    }
    return snapshot;
}

/** `velero backup create --from-schedule <schedule> --wait`, as the manual's operator would; returns the backup's name. */
export function takeScheduledBackup(sh: Shell, schedule: string): string {
    // Named as Velero names a schedule's backups: <schedule>-<YYYYMMDDhhmmss>.
    const name = veleroBackupNameAt(schedule, new Date());
    sh.velero(["backup", "create", name, "--from-schedule", schedule, "--wait"], { timeoutMs: 300_000 });
    const backup = sh.getJson(["backups.velero.io", name, "-n", VELERO_NAMESPACE]);
    check(backup?.status?.phase === "Completed", `Velero backup ${name} ended ${backup?.status?.phase ?? "absent"}: ${JSON.stringify(backup?.status ?? {})}`);
    return name;
}

/**
 * An entry in `rondb-backups-metadata` and `opensearch-backups-metadata`, in the format the real
 * backup jobs write (FACTS.md), as if they had just backed up RonDB and OpenSearch.
 */
export function addBackupMetadata(sh: Shell, namespace: string, backupId: string, bucket: string): void {
    const now = new Date();
    const entry = (service: string) =>
        JSON.stringify({
            start_time: now.toISOString(),
            end_time: now.toISOString(),
            duration_ms: 1000,
            state: "SUCCESS",
            path: `s3://${bucket}/${service}_backup/${backupId}`,
        });
    for (const service of ["rondb", "opensearch"]) {
        // The backup itself, where the entry's path says (the drill's stand-in for the data).
        sh.s3api(["put-object", "--bucket", bucket, "--key", `${service}_backup/${backupId}/${service}-backup-${backupId}.done`]);
        const name = `${service}-backups-metadata`;
        const existing = sh.getJson(["configmap", name, "-n", namespace]);
        const configMap = {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name, namespace, labels: { app: "backups-metadata", service } },
            data: { ...(existing?.data ?? {}), [backupId]: entry(service) },
        };
        sh.kubectl(["apply", "--server-side", "--field-manager=drill-backup-job", "--force-conflicts", "-f", "-"], { input: JSON.stringify(configMap) });
    }
}

/** The Secret of Helm's newest record of a release, or undefined when Helm has none. */
export function helmReleaseSecret(sh: Shell, name: string, namespace: string): any {
    const secrets = (sh.getJson(["secret", "-n", namespace, "-l", `owner=helm,name=${name}`])?.items ?? []) as any[];
    return secrets.sort((a, b) => Number(b.metadata.labels.version) - Number(a.metadata.labels.version))[0];
}

/** Helm's record of a release (the newest revision), decoded from its Secret: info, config (values), chart. */
export function helmRelease(sh: Shell, name: string, namespace: string): any {
    const newest = helmReleaseSecret(sh, name, namespace);
    check(newest, `no Helm release ${name} in namespace ${namespace}`);
    const twiceEncoded = Buffer.from(newest.data.release, "base64").toString();
    const release = JSON.parse(gunzipSync(Buffer.from(twiceEncoded, "base64")).toString());
    return release;
}
