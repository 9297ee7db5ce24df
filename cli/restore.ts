import * as fs from "fs";
import * as path from "path";
import { backupIdTime } from "../stacks/catalogue/backup-id";
import { incompleteReasons, RestorePoint, VELERO_MATCH_WINDOW } from "../stacks/catalogue/restore-points";
import { ConfigError, ConfigSource } from "../stacks/config/reader";
import { readStackConfig } from "../stacks/config/stack-config";
import { planStack } from "../stacks/plan/stack-plan";
import { configSourceFromStackFile } from "../stacks/config/stack-file";
import { loadCatalogue } from "./backups";
import { CliError, CliIo } from "./errors";
import { blockDiff } from "./format";
import { Cluster } from "./kube";
import { hasConfigKey, setConfigKey } from "./stack-edit";
import { missingStackFile, readStackSettings, StackSettings, stackFilePath } from "./stack-settings";
import { lockStackFile, prepareWrite } from "./stack-write";
import { CONFIG_NAMESPACE, restoreConfirmation, VELERO_SCHEDULES } from "../stacks/names";

const RESTORE_KEY = `${CONFIG_NAMESPACE}:restore`;

/**
 * Runs `edit` on the stack's settings, read once under the stack file's lock (none for a dry run,
 * which writes nothing), so two runs at once cannot both read the old file and lose a write.
 */
async function withStack<T>(stack: string, io: CliIo, dryRun: boolean, edit: (settings: StackSettings) => Promise<T>): Promise<T> {
    const { file, shown } = stackFilePath(stack, io.cwd);
    // A missing file is reported as such, without leaving a lock file beside it.
    if (!fs.existsSync(file)) throw missingStackFile(shown);
    const lock = dryRun ? undefined : lockStackFile(file, shown, io);
    try {
        return await edit(readStackSettings(stack, io.cwd));
    } finally {
        lock?.release();
    }
}

/** The program's ConfigSource for the stack file, with `restore` replaced. */
function configSource(settings: StackSettings, restore: Record<string, unknown> | undefined): ConfigSource {
    const source = configSourceFromStackFile(settings.stackFile, path.dirname(settings.file));
    const values = { ...source.values };
    if (restore) values.restore = restore;
    else delete values.restore;
    return { ...source, values };
}

/** Runs the program's own validation; its messages are the operator's, unchanged. */
function validate(source: ConfigSource): void {
    try {
        planStack(readStackConfig(source));
    } catch (error) {
        if (error instanceof ConfigError) throw new CliError(error.message);
        throw error;
    }
}

function choosePoint(points: RestorePoint[], backup: string): RestorePoint {
    if (backup === "latest") {
        const point = points.find((p) => p.complete);
        if (!point) {
            const newest = points[0];
            throw new CliError(
                newest
                    ? `no complete restore point: the newest, ${newest.id}, has ${incompleteReasons(newest).join(", ")}`
                    : "no complete restore point: no backups found",
            );
        }
        return point;
    }
    const point = points.find((p) => p.id === backup);
    if (!point) throw new CliError(`backup ${backup} is not in the catalogue (run: hopsworks-dr backups list)`);
    if (!point.complete) throw new CliError(`backup ${backup} is not a complete restore point: ${incompleteReasons(point).join(", ")}`);
    return point;
}

function unverifiedPoint(backup: string, io: CliIo): RestorePoint {
    io.stderr(
        `note: backup ${backup} is not checked against the catalogue (a new cluster has none before its restore); ` +
            "check it first with `hopsworks-dr backups list --context <a cluster that has it>` if one survives\n",
    );
    return { id: backup, time: backupIdTime(backup, io.now())!, velero: {}, complete: false };
}

/**
 * The edit of a stack file, ready to show and apply. The new file is written beside the old one
 * before anything is shown, so a file that cannot be written fails first, saying it was left
 * unchanged, rather than after a diff that reads as applied.
 */
function prepareEdit(settings: StackSettings, after: string, dryRun: boolean): { show: (io: CliIo) => void; apply: () => void } {
    const diff = blockDiff(settings.shown, settings.text, after);
    const prepared = diff && !dryRun ? prepareWrite(settings.file, settings.shown, settings.text, after) : undefined;
    return {
        show: (io) => {
            io.stdout(diff ? `${diff}\n` : `${settings.shown}: no change\n`);
            if (dryRun) io.stdout(`dry run: ${settings.shown} not written\n`);
        },
        apply: () => prepared?.commit(),
    };
}

export interface PlanOptions {
    stack: string;
    mode: "new-cluster" | "in-place";
    /**
     * The Hopsworks version that took the backup, as the operator states it: the backup metadata
     * (stacks/catalogue.ts, MetadataEntry) records no version, and copying the stack's own
     * hopsworks.version would make the same-version rule pass whatever took the backup.
     */
    backupVersion: string;
    backup: string;
    /** --velero-main and --velero-users: the point's Velero backups, as the operator names them (both or neither). */
    velero?: { main: string; users: string };
    dryRun: boolean;
    yes: boolean;
}

/** How the restore block names the point's Velero backups: the stack refuses a restore that names none (stacks/config.ts). */
export type VeleroChoice = { veleroBackups: { main: string; users: string } } | { latestVeleroBackups: true };

/**
 * The Velero backups of a restore point: named by the operator (and then, when the catalogue knows
 * the point's own, the same), else the catalogue's match, else, for `latest` only, each schedule's
 * newest Completed backup, which is then that point's. A given ID whose backups nobody named is
 * refused: Velero would restore each schedule's newest backup, of another date.
 */
export function veleroChoice(point: RestorePoint, backup: string, named: { main: string; users: string } | undefined): VeleroChoice {
    const main = point.velero.main?.name;
    const users = point.velero.users?.name;
    const known = main !== undefined && users !== undefined ? { main, users } : undefined;
    if (named !== undefined) {
        if (known !== undefined && (known.main !== named.main || known.users !== named.users)) {
            throw new CliError(
                `--velero-main ${named.main} --velero-users ${named.users} are not the Velero backups of restore point ${point.id}: ` +
                    `the catalogue matches ${known.main} and ${known.users} (hopsworks-dr backups list); give those, or leave both options out`,
            );
        }
        return { veleroBackups: named };
    }
    if (known !== undefined) return { veleroBackups: known };
    if (backup === "latest") return { latestVeleroBackups: true };
    throw new CliError(
        `the Velero backups of restore point ${point.id} are not known: name them with --velero-main and --velero-users ` +
            "(aws s3 ls s3://<bucket>/k8s_backup/backups/ lists them); without them Velero would restore each schedule's newest backup",
    );
}

export async function restorePlan(connect: (settings: StackSettings) => Promise<Cluster>, io: CliIo, options: PlanOptions): Promise<number> {
    // The file first: a missing or broken stack file is reported without touching the cluster.
    return withStack(options.stack, io, options.dryRun, async (settings) => {
        // A new cluster has no backup metadata until its Velero restore has run: a given ID is then
        // taken as it is (its date decoded), and the stack's restore waits for the backups to sync.
        const point =
            options.mode === "new-cluster" && options.backup !== "latest"
                ? unverifiedPoint(options.backup, io)
                : choosePoint((await loadCatalogue(await connect(settings), io)).points, options.backup);
        const confirm = restoreConfirmation(options.stack, point.id);

        const block: Record<string, unknown> = {
            mode: options.mode,
            backupId: point.id,
            backupHopsworksVersion: options.backupVersion,
            ...veleroChoice(point, options.backup, options.velero),
        };
        const confirmed = options.mode === "in-place" ? { ...block, forceDataClear: true, confirm } : block;
        // Validate as if confirmed, so every other problem shows now rather than at `pulumi up`.
        validate(configSource(settings, confirmed));

        const written = options.yes ? confirmed : block;
        const edit = prepareEdit(settings, setConfigKey(settings.text, RESTORE_KEY, written), options.dryRun);
        const velero = (block.veleroBackups ?? {}) as { main?: string; users?: string };
        const newest = "the newest Completed backup (restore.latestVeleroBackups)";
        io.stdout(`restore point ${point.id} (${point.time.toISOString()}), Velero ${VELERO_SCHEDULES.main}: ${velero.main ?? newest}, ${VELERO_SCHEDULES.users}: ${velero.users ?? newest}\n`);
        edit.show(io);
        edit.apply();

        const lines: string[] = [];
        if (options.mode === "in-place" && !options.yes) {
            lines.push(
                "",
                `The stack refuses this in-place restore until it is confirmed: it replaces all data in ${options.stack} with backup ${point.id}.`,
                "To confirm, run (or re-run this command with --yes):",
                `  pulumi config set --path restore.forceDataClear true -s ${options.stack}`,
                `  pulumi config set --path restore.confirm ${confirm} -s ${options.stack}`,
            );
        }
        lines.push("", "Next:", `  pulumi preview --diff -s ${options.stack}`, `  pulumi up -s ${options.stack}`);
        lines.push(`After a successful restore: hopsworks-dr restore finish --stack ${options.stack}`);
        io.stdout(`${lines.join("\n")}\n`);
        return 0;
    });
}

export async function restoreFinish(io: CliIo, stack: string, dryRun: boolean): Promise<number> {
    return withStack(stack, io, dryRun, async (settings) => {
        if (!hasConfigKey(settings.text, RESTORE_KEY)) {
            io.stdout(`${settings.shown}: no ${RESTORE_KEY} block; nothing to do\n`);
            return 0;
        }
        const edit = prepareEdit(settings, setConfigKey(settings.text, RESTORE_KEY, undefined), dryRun);
        edit.show(io);
        edit.apply();
        io.stdout(`\nNext (the release drops restoreFromBackup, as the manual requires after a restore):\n  pulumi preview --diff -s ${stack}\n  pulumi up -s ${stack}\n`);
        return 0;
    });
}

/**
 * The manual's "Re-running an in-place restore" list. Its Velero restores are named "with the exact
 * backup name or schedule name": both, for the restore point's own Velero backups when known.
 */
export function markerObjects(backupId: string, cluster: Cluster, veleroBackupNames: string[] = []) {
    const { namespace, veleroNamespace } = cluster.options;
    const jobs = [
        `hopsfs-inplace-restore-${backupId}`,
        `restore-native-backup-${backupId}`,
        `setup-mysqld-dont-remove-${backupId}`,
        `opensearch-restore-default-default-${backupId}`,
    ].map((name) => ({
        label: `job ${namespace}/${name}`,
        exists: () => cluster.jobExists(name),
        remove: () => cluster.deleteJob(name),
    }));
    const restores = [...Object.values(VELERO_SCHEDULES), ...veleroBackupNames].map((name) => ({
        label: `restore.velero.io ${veleroNamespace}/${name}`,
        exists: () => cluster.veleroRestoreExists(name),
        remove: () => cluster.deleteVeleroRestore(name),
    }));
    return [...jobs, ...restores];
}

/** Whether a Velero backup name (<schedule>-<YYYYMMDDhhmmss>) belongs to the restore point of this ID by its time. */
export function backupOfPoint(name: string, backupId: string): boolean {
    const schedule = Object.values(VELERO_SCHEDULES).find((s) => name.startsWith(`${s}-`));
    const stamp = schedule ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(name.slice(schedule.length + 1)) : null;
    const point = backupIdTime(backupId);
    if (!stamp || !point) return false;
    const [y, mo, d, h, mi, se] = stamp.slice(1).map(Number);
    const offset = Date.UTC(y, mo - 1, d, h, mi, se) - point.getTime();
    return offset >= -VELERO_MATCH_WINDOW.beforeMs && offset <= VELERO_MATCH_WINDOW.afterMs;
}

/** Lists, or with `yes` deletes, the markers; the backup ID is already checked (a usage error otherwise). */
export async function cleanMarkers(cluster: Cluster, io: CliIo, backupId: string, yes: boolean): Promise<number> {
    // The restore point's Velero backups name the chart's in-place Velero restores when it was given
    // them. The catalogue is only consulted: its warnings belong to `backups list`, and without it
    // the restores named after the schedules are still found.
    const quiet = { ...io, stderr: () => undefined };
    const point = await loadCatalogue(cluster, quiet).then(
        (catalogue) => catalogue.points.find((p) => p.id === backupId),
        () => undefined,
    );
    const fromCatalogue = [point?.velero.main?.name, point?.velero.users?.name].filter((n): n is string => n !== undefined);
    // An in-place restore may have put back the metadata as the backup had it, without this point:
    // also take the restores named after a backup of this point's time (found so by the drill).
    const named = await cluster.veleroRestoresNamedAfterTheirBackup().catch(() => [] as string[]);
    const veleroBackupNames = [...new Set([...fromCatalogue, ...named.filter((name) => backupOfPoint(name, backupId))])];
    const markers = markerObjects(backupId, cluster, veleroBackupNames);
    const header = `markers of an in-place restore of backup ${backupId}:`;
    if (yes) {
        io.stdout(`${header}\n`);
        // One at a time, in the manual's order: each result is reported before the next call.
        for (const marker of markers) {
            const deleted = await marker.remove();
            io.stdout(`  ${marker.label}: ${deleted ? "deleted" : "already gone"}\n`);
        }
        io.stdout("the in-place restore can run again with the same backup ID\n");
        return 0;
    }
    const lines = [header];
    const present = await Promise.all(markers.map((m) => m.exists()));
    markers.forEach((marker, i) => lines.push(`  ${marker.label}: ${present[i] ? "exists, would be deleted" : "not present"}`));
    const count = present.filter(Boolean).length;
    lines.push(count === 0 ? "nothing to delete" : `${count} to delete; run again with --yes to delete them`);
    io.stdout(`${lines.join("\n")}\n`);
    return 0;
}
