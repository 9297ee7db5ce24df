import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import { backupIdTime, BACKUP_ID_EXPECTED } from "../stacks/backup-id";
import { incompleteReasons, RestorePoint } from "../stacks/catalogue";
import { VELERO_SCHEDULES } from "../stacks/location";
import { ConfigError, ConfigSource, NAMESPACE } from "../stacks/config-reader";
import { readStackConfig } from "../stacks/config";
import { planStack } from "../stacks/plan";
import { configSourceFromStackFile, readStackFile, StackFile } from "../stacks/stack-file";
import { isPlainObject } from "../stacks/values-files";
import { loadCatalogue } from "./backups";
import { CliError, CliIo } from "./errors";
import { blockDiff } from "./format";
import { Cluster } from "./kube";
import { hasConfigKey, setConfigKey } from "./stack-edit";

const RESTORE_KEY = `${NAMESPACE}:restore`;

interface OpenStack {
    file: string;
    /** As shown to the operator: relative to the working directory. */
    shown: string;
    text: string;
    stackFile: StackFile;
}

/** Reads Pulumi.<stack>.yaml twice: as config (the program's reader) and as a document to edit with its comments. */
function openStack(stack: string, io: CliIo): OpenStack {
    const file = path.resolve(io.cwd, `Pulumi.${stack}.yaml`);
    const shown = path.relative(io.cwd, file);
    if (!fs.existsSync(file)) throw new CliError(`${shown}: no such stack file (run from the project directory, or check --stack)`);
    let stackFile: StackFile;
    try {
        stackFile = readStackFile(file);
    } catch (error) {
        throw new CliError((error as Error).message.replace(file, shown));
    }
    const text = fs.readFileSync(file, "utf8");
    const doc = parseDocument(text);
    if (doc.errors.length > 0) throw new CliError(`${shown}: not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
    return { file, shown, text, stackFile };
}

/** The program's ConfigSource for the stack file, with `restore` replaced. */
function configSource(open: OpenStack, restore: Record<string, unknown> | undefined): ConfigSource {
    const source = configSourceFromStackFile(open.stackFile, path.dirname(open.file));
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
    if (backupIdTime(backup) === undefined) throw new CliError(`--backup ${JSON.stringify(backup)}: ${BACKUP_ID_EXPECTED}, or latest`);
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
    return { id: backup, time: backupIdTime(backup)!, velero: {}, complete: false };
}

function writeIfChanged(open: OpenStack, after: string, io: CliIo, dryRun: boolean): void {
    const diff = blockDiff(open.shown, open.text, after);
    io.stdout(diff ? `${diff}\n` : `${open.shown}: no change\n`);
    if (dryRun) io.stdout(`dry run: ${open.shown} not written\n`);
    else if (diff) fs.writeFileSync(open.file, after);
}

export interface PlanOptions {
    stack: string;
    mode: "new-cluster" | "in-place";
    backup: string;
    dryRun: boolean;
    yes: boolean;
}

export async function restorePlan(cluster: () => Cluster, io: CliIo, options: PlanOptions): Promise<number> {
    // The file first: a missing or broken stack file is reported without touching the cluster.
    const open = openStack(options.stack, io);
    const hopsworks = open.stackFile.config[`${NAMESPACE}:hopsworks`];
    const version = isPlainObject(hopsworks) ? hopsworks.version : undefined;
    if (options.backup !== "latest" && backupIdTime(options.backup) === undefined) {
        throw new CliError(`--backup ${JSON.stringify(options.backup)}: ${BACKUP_ID_EXPECTED}, or latest`);
    }
    // A new cluster has no backup metadata until its Velero restore has run: a given ID is then
    // taken as it is (its date decoded), and the stack's restore waits for the backups to sync.
    const point =
        options.mode === "new-cluster" && options.backup !== "latest"
            ? unverifiedPoint(options.backup, io)
            : choosePoint((await loadCatalogue(cluster(), io)).points, options.backup);
    const confirm = `${options.stack}/${point.id}`;

    const block: Record<string, unknown> = { mode: options.mode, backupId: point.id };
    if (version !== undefined) block.backupHopsworksVersion = String(version);
    if (point.velero.main && point.velero.users) {
        block.veleroBackups = { main: point.velero.main.name, users: point.velero.users.name };
    }
    const confirmed = options.mode === "in-place" ? { ...block, forceDataClear: true, confirm } : block;
    // Validate as if confirmed, so every other problem shows now rather than at `pulumi up`.
    validate(configSource(open, confirmed));

    const written = options.yes ? confirmed : block;
    io.stdout(`restore point ${point.id} (${point.time.toISOString()}), Velero ${VELERO_SCHEDULES.main}: ${point.velero.main?.name ?? "-"}, ${VELERO_SCHEDULES.users}: ${point.velero.users?.name ?? "-"}\n`);
    writeIfChanged(open, setConfigKey(open.text, RESTORE_KEY, written), io, options.dryRun);

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
}

export function restoreFinish(io: CliIo, stack: string, dryRun: boolean): number {
    const open = openStack(stack, io);
    if (!hasConfigKey(open.text, RESTORE_KEY)) {
        io.stdout(`${open.shown}: no ${RESTORE_KEY} block; nothing to do\n`);
        return 0;
    }
    writeIfChanged(open, setConfigKey(open.text, RESTORE_KEY, undefined), io, dryRun);
    io.stdout(`\nNext (the release drops restoreFromBackup, as the manual requires after a restore):\n  pulumi preview --diff -s ${stack}\n  pulumi up -s ${stack}\n`);
    return 0;
}

/** The manual's "Re-running an in-place restore" list. */
export function markerObjects(backupId: string, cluster: Cluster) {
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
    const restores = Object.values(VELERO_SCHEDULES).map((name) => ({
        label: `restore.velero.io ${veleroNamespace}/${name}`,
        exists: () => cluster.veleroRestoreExists(name),
        remove: () => cluster.deleteVeleroRestore(name),
    }));
    return [...jobs, ...restores];
}

export async function cleanMarkers(cluster: () => Cluster, io: CliIo, backupId: string, yes: boolean): Promise<number> {
    if (backupIdTime(backupId) === undefined) throw new CliError(`--backup-id ${JSON.stringify(backupId)}: ${BACKUP_ID_EXPECTED}`);
    const markers = markerObjects(backupId, cluster());
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
