/** `hopsworks-dr restore clean-markers`: the markers that stop an in-place restore from running again. */
import { backupIdExpected, backupIdTime, futureBackupIdProblem } from "../../stacks/catalogue/backup-id";
import { veleroNameTime, withinVeleroWindow } from "../../stacks/catalogue/restore-points";
import { isScheduleBackup, supersetRestoreJob, VELERO_SCHEDULES } from "../../stacks/names";
import { SUPERSET_BACKUP_ID_EXPECTED, supersetBackupIdTime } from "../../stacks/catalogue/superset";
import { loadCatalogue } from "../catalogue";
import type { Command, CommandContext } from "../command";
import type { Cluster } from "../kube";
import { badValue, CLUSTER_OPTIONS, clusterFlags, ClusterFlags, OptionValues, required } from "../options";

const COMMAND = "restore clean-markers";

export interface RestoreCleanMarkersOptions {
    /** --backup (or its alias --backup-id): the in-place restore's backup ID, checked to be one. */
    backupId: string;
    /** --superset-backup (Hopsworks 5.2): the Superset backup the restore reloaded; its Job superset-restore-<ID> is a marker too. */
    supersetBackupId?: string;
    /** --stack: the stack whose namespaces to read. */
    stack?: string;
    yes: boolean;
    /** --wait: how long in all, with --yes, for deleted objects still held by finalizers to be gone. */
    waitSeconds: number;
    cluster: ClusterFlags;
}

const WAIT_DEFAULT_SECONDS = 60;
const WAIT_MAX_SECONDS = 3600;
const POLL_MS = 500;

function options(values: OptionValues, now: Date): RestoreCleanMarkersOptions {
    if (values.backup !== undefined && backupIdTime(values.backup) === undefined) {
        throw badValue(values, "backup", backupIdExpected(values.backup), COMMAND);
    }
    const future = values.backup === undefined ? undefined : futureBackupIdProblem(values.backup, now);
    if (future !== undefined) throw badValue(values, "backup", future, COMMAND);
    if (values.wait !== undefined && values.yes !== true) throw badValue(values, "wait", "applies only with --yes (nothing is deleted without it)", COMMAND);
    const wait = values.wait ?? String(WAIT_DEFAULT_SECONDS);
    if (!/^\d{1,4}$/.test(wait) || Number(wait) > WAIT_MAX_SECONDS) {
        throw badValue(values, "wait", `must be a whole number of seconds from 0 to ${WAIT_MAX_SECONDS}`, COMMAND);
    }
    const superset = values["superset-backup"];
    if (superset !== undefined && supersetBackupIdTime(superset) === undefined) throw badValue(values, "superset-backup", SUPERSET_BACKUP_ID_EXPECTED, COMMAND);
    return { backupId: required(values, "backup", COMMAND), ...(superset !== undefined ? { supersetBackupId: superset } : {}), stack: values.stack, yes: values.yes === true, waitSeconds: Number(wait), cluster: clusterFlags(values) };
}

/**
 * The manual's "Re-running an in-place restore" list. Its Velero restores are named "with the exact
 * backup name or schedule name": both, for the restore point's own Velero backups when known.
 */
function markerObjects(backupId: string, cluster: Cluster, veleroBackupNames: string[] = [], supersetBackupId?: string) {
    const { namespace, veleroNamespace } = cluster.options;
    const jobs = [
        `hopsfs-inplace-restore-${backupId}`,
        `restore-native-backup-${backupId}`,
        `setup-mysqld-dont-remove-${backupId}`,
        `opensearch-restore-default-default-${backupId}`,
        // Hopsworks 5.2: the chart refuses to render a Superset restore whose Job already exists.
        ...(supersetBackupId ? [supersetRestoreJob(supersetBackupId)] : []),
    ].map((name) => ({
        label: `job ${namespace}/${name}`,
        exists: () => cluster.jobExists(name),
        remove: () => cluster.deleteJob(name),
        finalizers: () => cluster.jobFinalizers(name),
    }));
    const restores = [...Object.values(VELERO_SCHEDULES), ...veleroBackupNames].map((name) => ({
        label: `restore.velero.io ${veleroNamespace}/${name}`,
        exists: () => cluster.veleroRestoreExists(name),
        remove: () => cluster.deleteVeleroRestore(name),
        finalizers: () => cluster.veleroRestoreFinalizers(name),
    }));
    return [...jobs, ...restores];
}

/** Whether a Velero backup name (<schedule>-<YYYYMMDDhhmmss>) belongs to the restore point of this ID by its time. Internal. Exported for testing. */
export function backupOfPoint(name: string, backupId: string): boolean {
    const schedule = Object.values(VELERO_SCHEDULES).find((s) => name.startsWith(`${s}-`));
    const time = schedule ? veleroNameTime(schedule, name) : undefined;
    const point = backupIdTime(backupId);
    return time !== undefined && point !== undefined && withinVeleroWindow(time, point);
}

type Marker = ReturnType<typeof markerObjects>[number];

/**
 * Deletes one marker and waits, until the deadline, for it to be gone: a Velero Restore keeps its
 * finalizer until Velero has cleaned up after it, and the chart sees a Restore of that name until then.
 * Returns the finalizers still holding it, or undefined when it is gone.
 */
async function deleteAndWait(marker: Marker, deadline: number): Promise<{ deleted: boolean; heldBy?: string[] }> {
    const deleted = await marker.remove();
    if (!deleted) return { deleted };
    for (;;) {
        const finalizers = await marker.finalizers();
        if (finalizers === undefined) return { deleted };
        if (Date.now() >= deadline) return { deleted, heldBy: finalizers };
        await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, deadline - Date.now())));
    }
}

/** Deletes the markers one at a time, in the manual's order, each reported before the next call. */
async function deleteMarkers(markers: Marker[], header: string, waitSeconds: number, io: CommandContext["io"]): Promise<number> {
    io.stdout(`${header}\n`);
    const deadline = Date.now() + waitSeconds * 1000;
    const held: string[] = [];
    for (const marker of markers) {
        const { deleted, heldBy } = await deleteAndWait(marker, deadline);
        if (heldBy === undefined) {
            io.stdout(`  ${marker.label}: ${deleted ? "deleted" : "already gone"}\n`);
            continue;
        }
        const finalizers = heldBy.length > 0 ? `finalizers ${heldBy.join(", ")}` : "no finalizer (deletion in progress)";
        io.stdout(`  ${marker.label}: deletion requested, still present after ${waitSeconds} s, held by ${finalizers}\n`);
        held.push(`${marker.label} (${finalizers})`);
    }
    if (held.length === 0) {
        io.stdout("the in-place restore can run again with the same backup ID\n");
        return 0;
    }
    io.stderr(
        `error: ${held.length} deleted marker(s) still present after ${waitSeconds} s: ${held.join("; ")}. Velero removes its restore ` +
            "finalizer once it has deleted the restore's files in the bucket: check that the Velero pod runs (kubectl -n <velero namespace> get pods), " +
            "then run this command again, with a longer --wait if needed. The in-place restore cannot run again while they exist\n",
    );
    return 1;
}

/** Lists, or with `yes` deletes, the markers; the backup ID is already checked (a usage error otherwise). */
async function run(options: RestoreCleanMarkersOptions, { io, readStack, connect }: CommandContext): Promise<number> {
    const { backupId, yes } = options;
    const cluster = await connect(options.cluster, options.stack === undefined ? undefined : readStack(options.stack));
    // The restore point's Velero backups name the chart's in-place Velero restores when it was given
    // them. The catalogue is only consulted: its entries' warnings belong to `backups list`, and
    // without it the restores named after the schedules are still found; why it could not be read
    // (a 403 from an account without the CLI's Role, say) is still said.
    const quiet = { ...io, stderr: () => undefined };
    const point = await loadCatalogue(cluster, quiet).then(
        (catalogue) => catalogue.points.find((p) => p.id === backupId),
        (error: unknown) => {
            io.stderr(`warning: the backup catalogue could not be read (${(error as Error).message ?? error}): the point's Velero backups are not looked up in it\n`);
            return undefined;
        },
    );
    // The catalogue pairs Velero backups by their schedule label: a backup of any name can carry it.
    // Only a name restore plan would accept (its schedule's, of this point's time) names a marker.
    const catalogued = (["main", "users"] as const).map((key) => ({ key, name: point?.velero[key]?.name })).filter((b): b is { key: "main" | "users"; name: string } => b.name !== undefined);
    const fromCatalogue = catalogued.filter(({ key, name }) => isScheduleBackup(VELERO_SCHEDULES[key], name) && backupOfPoint(name, backupId)).map((b) => b.name);
    for (const { key, name } of catalogued.filter((b) => !fromCatalogue.includes(b.name))) {
        io.stderr(
            `warning: the catalogue pairs Velero backup ${JSON.stringify(name)} with restore point ${backupId}, but it is not a backup of schedule ` +
                `${VELERO_SCHEDULES[key]} taken at the point's time (${VELERO_SCHEDULES[key]}-<YYYYMMDDhhmmss>): no Velero Restore of that name is touched\n`,
        );
    }
    // An in-place restore may have put back the metadata as the backup had it, without this point:
    // also take the restores named after a backup of this point's time (found so by the drill).
    // A failure (a 403) stops the command: without the list it cannot say the restore can run again.
    const named = await cluster.veleroRestoresNamedAfterTheirBackup();
    const veleroBackupNames = [...new Set([...fromCatalogue, ...named.filter((name) => backupOfPoint(name, backupId))])];
    const markers = markerObjects(backupId, cluster, veleroBackupNames, options.supersetBackupId);
    const header = `markers of an in-place restore of backup ${backupId}:`;
    if (yes) return deleteMarkers(markers, header, options.waitSeconds, io);
    const lines = [header];
    const present = await Promise.all(markers.map((m) => m.exists()));
    markers.forEach((marker, i) => lines.push(`  ${marker.label}: ${present[i] ? "exists, would be deleted" : "not present"}`));
    const count = present.filter(Boolean).length;
    lines.push(count === 0 ? "nothing to delete" : `${count} to delete; run again with --yes to delete them`);
    io.stdout(`${lines.join("\n")}\n`);
    return 0;
}

export const restoreCleanMarkers: Command<RestoreCleanMarkersOptions> = {
    spec: {
        name: "restore clean-markers",
        title: "Delete the markers that stop an in-place restore from running again",
        synopsis: "--backup <id> [--superset-backup <id>] [--stack <name>] [--yes [--wait <seconds>]]",
        summary: "delete the markers that block re-running an in-place restore",
        description:
            "The marker objects that stop an in-place restore from running twice: the Jobs hopsfs-inplace-restore-<ID>,\n" +
            "restore-native-backup-<ID>, setup-mysqld-dont-remove-<ID>, opensearch-restore-default-default-<ID>, the\n" +
            "Velero Restores k8s-backups-main and k8s-backups-users-resources, and the Velero Restores named after the\n" +
            "restore point's own Velero backups (k8s-backups-main-<time>, k8s-backups-users-resources-<time>, of the\n" +
            "point's time only), and with --superset-backup (Hopsworks 5.2) the Job superset-restore-<ID> of the Superset\n" +
            "restore that went with it (its state or fence ConfigMap is reset with kubectl: docs/runbooks/superset-restore.md).\n" +
            "Without --yes it lists which exist. With --yes it deletes them, waits until each is gone\n" +
            "(finalizers) and exits 1 naming what is still there at the end of --wait.",
        options: ["backup", "superset-backup", "stack", "yes", "wait", ...CLUSTER_OPTIONS],
        optionHelp: {
            backup: "the backup ID of the in-place restore to run again, such as 254811200 (--backup-id is another name for it)",
            "superset-backup": "Hopsworks 5.2: the Superset backup that restore reloaded (restore.superset.backupId), such as 20260722215632-2116913658: its Job superset-restore-<ID> is a marker too",
            yes: "delete them (Jobs with their pods)",
        },
        examples: [
            ["See which markers exist", "hopsworks-dr restore clean-markers --backup 254811200"],
            ["Delete them", "hopsworks-dr restore clean-markers --backup 254811200 --yes"],
        ],
    },
    options,
    run,
};
