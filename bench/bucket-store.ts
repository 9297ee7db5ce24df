/**
 * The bench's bucket: `count` restore points as Hopsworks and Velero leave them in the bucket
 * (a rondb_backup/<id>/ folder each, two Velero backup folders with their velero-backup.json),
 * served by the tests' stand-in S3 on a worker thread, so the timed CLI runs in a child process
 * while the parent blocks.
 */
import { workerData } from "worker_threads";
import { backupIdAt } from "../stacks/catalogue/backup-id";
import { veleroBackupJson } from "../test/support/catalogue";
import { startFakeS3 } from "../test/support/fake-s3";

export const BENCH_BUCKET = "hopsworks-bench";

/** One point an hour back from `now`, each with its RonDB folder and both schedules' Velero backups a few seconds later. */
export function benchBucketObjects(count: number, now: Date): Map<string, string | (() => string)> {
    const lastHour = Math.floor(now.getTime() / 3_600_000) * 3_600_000 - 3_600_000;
    const objects = new Map<string, string | (() => string)>();
    const ids = new Set<string>();
    for (let hour = 0; ids.size < count; hour++) {
        const time = lastHour - hour * 3_600_000;
        const id = backupIdAt(new Date(time));
        if (ids.has(id)) continue;
        ids.add(id);
        objects.set(`rondb_backup/${id}/BACKUP-${id}.1.ctl`, "ctl");
        ["k8s-backups-main", "k8s-backups-users-resources"].forEach((schedule, i) => {
            const started = new Date(time + 12_000 + i * 1000).toISOString();
            const name = `${schedule}-${started.replace(/\D/g, "").slice(0, 14)}`;
            // Built on each read: 40,000 bodies need not sit in the store's memory.
            objects.set(`k8s_backup/backups/${name}/velero-backup.json`, () => veleroBackupJson(name, schedule, started));
            objects.set(`k8s_backup/backups/${name}/${name}.tar.gz`, "data");
        });
    }
    return objects;
}

/** Run as a worker: serves the bucket and writes its port into the shared flag. */
export async function serveFromWorker(): Promise<void> {
    const { count, ready } = workerData as { count: number; ready: SharedArrayBuffer };
    const store = await startFakeS3({ [BENCH_BUCKET]: { lifecycleRules: null, objects: benchBucketObjects(count, new Date()) } });
    const flag = new Int32Array(ready);
    Atomics.store(flag, 0, Number(new URL(store.url).port));
    Atomics.notify(flag, 0);
}
