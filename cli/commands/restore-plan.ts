/**
 * `hopsworks-dr restore plan`: picks or checks a restore point, then writes the restore block
 * into the stack file, after the program's own validation of the result.
 */
import { backupIdExpected, backupIdTime, futureBackupIdProblem } from "../../stacks/catalogue/backup-id";
import { incompleteReasons, RestorePoint, VELERO_MATCH_WINDOW_TEXT, veleroPairProblem } from "../../stacks/catalogue/restore-points";
import { isScheduleBackup, restoreConfirmation, VELERO_SCHEDULES } from "../../stacks/names";
import { bucketIncompleteReasons, DEFAULT_NEWEST_READ } from "../../stacks/catalogue/bucket-layout";
import { loadCatalogue } from "../catalogue";
import type { Command, CommandContext } from "../command";
import type { Stack } from "../stack";
import { CliError, CliIo, MetadataMissingError, UsageError } from "../errors";
import { badValue, CLUSTER_OPTIONS, clusterFlags, ClusterFlags, fromBucket as fromBucketOption, OptionValues, required } from "../options";
import { readSupersetEntries, SupersetBackup, SUPERSET_BACKUP_ID_EXPECTED } from "../../stacks/catalogue/superset";
import { readSupersetOption, supersetChoice, supersetOnlyChoice, SupersetOption, trinoLines } from "../superset";

const COMMAND = "restore plan";

/** A Hopsworks version, as stacks/config/ reads hopsworks.version and restore.backupHopsworksVersion. */
const HOPSWORKS_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

export interface RestorePlanOptions {
    stack: string;
    mode: "new-cluster" | "in-place" | "superset";
    /**
     * The Hopsworks version that took the backup, as the operator states it: the backup metadata
     * (stacks/catalogue/restore-points.ts, MetadataEntry) records no version, and copying the stack's
     * own hopsworks.version would make the same-version rule pass whatever took the backup.
     */
    backupVersion: string;
    /** --backup: the newest complete restore point, or a backup ID and when it was taken (decoded once, here). */
    backup: { latest: true } | { latest: false; id: string; takenAt: Date };
    /** --velero-main and --velero-users: the point's Velero backups, as the operator names them (both or neither). */
    velero?: { main: string; users: string };
    /** --velero-outside-window: the named backups are restored although outside the window of the point's time. */
    outsideWindow: boolean;
    /**
     * --from-bucket: the restore point and its Velero backups read from the stack's bucket
     * (new-cluster only); with --vault from its vault, and the restore then reads the vault (restore.source: vault).
     */
    fromBucket: false | "storage" | "vault";
    /** --superset-backup (Hopsworks 5.2): the point's own by default, none, latest (mode superset) or an ID. */
    superset: SupersetOption;
    dryRun: boolean;
    yes: boolean;
    cluster: ClusterFlags;
}

/** Why --backup-version is required, which its name alone does not say. */
const BACKUP_VERSION_NEEDED =
    "the Hopsworks version that took the backup, such as 4.8.0 (the backup metadata does not record it, and a restore needs the exact same version)";

/** The options, in the order the checks ran before each command had its own file, so the first wrong one is named. */
function options(values: OptionValues, now: Date): RestorePlanOptions {
    if (values.mode !== undefined && values.mode !== "new-cluster" && values.mode !== "in-place" && values.mode !== "superset") {
        throw badValue(values, "mode", "must be new-cluster, in-place or superset", COMMAND);
    }
    const superset = readSupersetOption(values["superset-backup"]);
    if (superset === undefined) throw badValue(values, "superset-backup", `${SUPERSET_BACKUP_ID_EXPECTED}, or latest, or none`, COMMAND);
    if (values.mode === "superset") return supersetOnlyOptions(values, superset);
    if (superset.kind === "latest") {
        throw badValue(values, "superset-backup", "latest applies only to --mode superset: a platform restore takes its restore point's Superset backup, or the one named", COMMAND);
    }
    const takenAt = values.backup === undefined || values.backup === "latest" ? undefined : backupIdTime(values.backup, now);
    if (values.backup !== undefined && values.backup !== "latest" && takenAt === undefined) {
        throw badValue(values, "backup", backupIdExpected(values.backup, ", or latest"), COMMAND);
    }
    const future = takenAt === undefined ? undefined : futureBackupIdProblem(values.backup!, now);
    if (future !== undefined) throw badValue(values, "backup", future, COMMAND);
    if (values["backup-version"] !== undefined && !HOPSWORKS_VERSION.test(values["backup-version"])) {
        throw badValue(values, "backup-version", "must be a Hopsworks version such as 4.8.0", COMMAND);
    }
    for (const [name, key] of [["velero-main", "main"], ["velero-users", "users"]] as const) {
        const schedule = VELERO_SCHEDULES[key];
        if (values[name] !== undefined && !isScheduleBackup(schedule, values[name]!)) {
            throw badValue(values, name, `must be a Velero backup of schedule ${schedule}, such as ${schedule}-20251124120012`, COMMAND);
        }
    }
    if ((values["velero-main"] === undefined) !== (values["velero-users"] === undefined)) {
        const missing = values["velero-main"] === undefined ? "velero-main" : "velero-users";
        throw new UsageError(
            `--${missing} is required with --${missing === "velero-main" ? "velero-users" : "velero-main"}: a restore point has one Velero backup of each schedule`,
            COMMAND,
        );
    }
    if (values["velero-outside-window"] && values["velero-main"] === undefined) {
        throw new UsageError("--velero-outside-window applies only with --velero-main and --velero-users, the backups it lets outside the window", COMMAND);
    }
    if (takenAt !== undefined && !values["velero-outside-window"]) checkVeleroWindow(values, values.backup!, takenAt);
    const stack = required(values, "stack", COMMAND);
    const mode = required(values, "mode", COMMAND) as RestorePlanOptions["mode"];
    const backupVersion = required(values, "backup-version", COMMAND, BACKUP_VERSION_NEEDED);
    if (mode === "new-cluster" && values.yes === true) {
        throw new UsageError("--yes applies only to --mode in-place, whose data-wiping restore it confirms; a new-cluster restore has no confirmation to write", COMMAND);
    }
    const backup: RestorePlanOptions["backup"] = takenAt === undefined ? { latest: true } : { latest: false, id: values.backup!, takenAt };
    const fromBucket = fromBucketOption(values, COMMAND);
    if (fromBucket && mode !== "new-cluster") {
        throw new UsageError("--from-bucket applies only to --mode new-cluster: an in-place restore checks the running install's own catalogue", COMMAND);
    }
    // A new cluster has no catalogue to match a given ID's Velero backups: they are named, read
    // from the bucket, or Velero would restore each schedule's newest backup whatever the ID.
    if (mode === "new-cluster" && !backup.latest && values["velero-main"] === undefined && !fromBucket) {
        throw new UsageError(
            "--velero-main and --velero-users (or --from-bucket) are required for a new-cluster restore of a given backup ID: a new cluster has " +
                "no catalogue to match its Velero backups, and without them Velero restores each schedule's newest backup whatever " +
                "the ID. --from-bucket reads them from the stack's bucket; by hand, aws s3 ls s3://<bucket>/k8s_backup/backups/ lists them: the k8s-backups-main-<time> and " +
                "k8s-backups-users-resources-<time> taken minutes after the backup ID's time",
            COMMAND,
        );
    }
    return {
        stack,
        mode,
        backupVersion,
        backup,
        velero: values["velero-main"] === undefined ? undefined : { main: values["velero-main"], users: values["velero-users"]! },
        outsideWindow: values["velero-outside-window"] === true,
        fromBucket,
        superset,
        dryRun: values["dry-run"] === true,
        yes: values.yes === true,
        cluster: clusterFlags(values),
    };
}

/** --mode superset: Superset alone, on the running cluster; the platform's options do not apply. */
function supersetOnlyOptions(values: OptionValues, superset: SupersetOption): RestorePlanOptions {
    for (const name of ["backup", "backup-version", "velero-main", "velero-users", "velero-outside-window", "from-bucket", "vault"] as const) {
        if (values[name] !== undefined) {
            throw new UsageError(`--${name} does not apply to --mode superset, which restores Superset alone from --superset-backup (latest by default)`, COMMAND);
        }
    }
    if (superset.kind === "none") throw badValue(values, "superset-backup", "none leaves Superset out, and --mode superset restores nothing else", COMMAND);
    return {
        stack: required(values, "stack", COMMAND),
        mode: "superset",
        backupVersion: "",
        backup: { latest: true },
        outsideWindow: false,
        fromBucket: false,
        superset,
        dryRun: values["dry-run"] === true,
        yes: values.yes === true,
        cluster: clusterFlags(values),
    };
}

/** Refuses a named Velero backup whose name's time is outside the catalogue's window of the backup ID's time. */
function checkVeleroWindow(values: OptionValues, id: string, takenAt: Date): void {
    for (const [name, key] of [["velero-main", "main"], ["velero-users", "users"]] as const) {
        const problem = values[name] === undefined ? undefined : veleroPairProblem(VELERO_SCHEDULES[key], values[name]!, id, takenAt);
        if (problem) throw badValue(values, name, `${problem}. To restore it anyway, add --velero-outside-window`, COMMAND);
    }
}

/** Where the points came from, for the messages: the cluster catalogue, or the bucket. */
interface PointSource {
    missing: string;
    reasons: (point: RestorePoint) => string[];
}

const CATALOGUE: PointSource = { missing: "is not in the catalogue (run: hopsworks-dr backups list)", reasons: incompleteReasons };

function choosePoint(points: RestorePoint[], backup: string, source: PointSource = CATALOGUE): RestorePoint {
    if (backup === "latest") {
        const point = points.find((p) => p.complete);
        if (!point) {
            const newest = points[0];
            throw new CliError(
                newest
                    ? `no complete restore point: the newest, ${newest.id}, has ${source.reasons(newest).join(", ")}`
                    : "no complete restore point: no backups found",
            );
        }
        return point;
    }
    const point = points.find((p) => p.id === backup);
    if (!point) throw new CliError(`backup ${backup} ${source.missing}`);
    if (!point.complete) throw new CliError(`backup ${backup} is not a complete restore point: ${source.reasons(point).join(", ")}`);
    return point;
}

/**
 * The restore point read from the stack's bucket (--from-bucket): a given ID's own Velero backups,
 * their velero-backup.json read, or for `latest` the newest complete one of the newest points.
 */
async function bucketPoint(options: RestorePlanOptions, stack: Stack, io: CliIo): Promise<RestorePoint> {
    const { loadBucketCatalogue } = require("../bucket") as typeof import("../bucket");
    const scope = options.backup.latest ? { newest: DEFAULT_NEWEST_READ } : { id: options.backup.id };
    const { points, where } = await loadBucketCatalogue(stack.bucketToRead(options.fromBucket as "storage" | "vault"), io, scope);
    const source: PointSource = {
        missing: `has no folder under ${where.replace(/^(s3:\/\/[^ ]+)/, "$1/rondb_backup/")} (run: hopsworks-dr backups list --stack ${options.stack} --from-bucket)`,
        reasons: bucketIncompleteReasons,
    };
    const point = choosePoint(points, options.backup.latest ? "latest" : options.backup.id, source);
    io.stderr(
        `note: restore point ${point.id} read from ${where}: its RonDB folder and its Velero backups' velero-backup.json. ` +
            "Whether its RonDB and OpenSearch backups succeeded is recorded only in the lost cluster's metadata\n",
    );
    return point;
}

/** A given ID on a new cluster, which has no catalogue to check it against: taken as it is, its date decoded. */
function unverifiedPoint(backup: { id: string; takenAt: Date }, io: CliIo): RestorePoint {
    io.stderr(
        `note: backup ${backup.id} is not checked against the catalogue (a new cluster has none before its restore); ` +
            "check it first with `hopsworks-dr backups list --context <a cluster that has it>` if one survives\n",
    );
    return { id: backup.id, time: backup.takenAt, velero: {}, complete: false };
}

/** How the restore block names the point's Velero backups: the stack refuses a restore that names none (stacks/config/restore.ts). */
export type VeleroChoice = { veleroBackups: { main: string; users: string } } | { latestVeleroBackups: true };

/**
 * The Velero backups of a restore point: named by the operator (and then, when the catalogue knows
 * the point's own, the same), else the catalogue's match, else, for `latest` only, each schedule's
 * newest Completed backup, which is then that point's. A given ID whose backups nobody named is
 * refused: Velero would restore each schedule's newest backup, of another date.
 *
 * Internal. Exported for testing.
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
        `the Velero backups of restore point ${point.id} are not known: name them with --velero-main and --velero-users, or read them with --from-bucket ` +
            "(aws s3 ls s3://<bucket>/k8s_backup/backups/ lists them); without them Velero would restore each schedule's newest backup",
    );
}

/** No metadata to pick a point from: say where the restore point comes from instead. */
function explainMissingMetadata(options: RestorePlanOptions) {
    return (error: unknown): never => {
        if (!(error instanceof MetadataMissingError)) throw error;
        const given = options.backup.latest ? "--backup latest (the default) reads" : `--backup ${options.backup.id} is checked against`;
        const way =
            options.mode === "new-cluster"
                ? "On a new cluster they exist only after the Velero restore: read the restore point from the bucket with --from-bucket, " +
                  "or give it yourself, --backup <id> with --velero-main <name> and --velero-users <name>, read from the bucket " +
                  "(aws s3 ls s3://<bucket>/rondb_backup/ and s3://<bucket>/k8s_backup/backups/; docs/runbooks/total-cluster-loss.md)"
                : "An in-place restore needs the running install's backups: check --namespace (or the stack's hopsworks.namespace) " +
                  "and that backups have run (hopsworks-dr backups status)";
        throw new CliError(`${given} the backup metadata in the cluster, and there is none: ${error.message}. ${way}`);
    };
}

async function run(options: RestorePlanOptions, { io, withStack, connect }: CommandContext): Promise<number> {
    // The file first: a missing or broken stack file is reported without touching the cluster.
    return withStack(options.stack, !options.dryRun, async (stack) => {
        if (options.mode === "superset") return writeSupersetRestore(options, stack, await supersetBackupsOf(await connect(options.cluster, stack), io), io);
        const given = options.backup.latest ? "latest" : options.backup.id;
        let known: SupersetBackup[] | undefined;
        const point = options.fromBucket
            ? await bucketPoint(options, stack, io)
            : options.mode === "new-cluster" && !options.backup.latest
              ? unverifiedPoint(options.backup, io)
              : await (async () => {
                    const catalogue = await loadCatalogue(await connect(options.cluster, stack), io).catch(explainMissingMetadata(options));
                    known = catalogue.supersetBackups;
                    return choosePoint(catalogue.points, given);
                })();
        return writeRestore(options, stack, point, given, io, known);
    });
}

/** The running cluster's Superset backups (superset-backups-metadata), malformed entries as warnings. */
async function supersetBackupsOf(cluster: import("../kube").Cluster, io: CliIo): Promise<SupersetBackup[]> {
    const { backups, warnings } = readSupersetEntries(await cluster.supersetMetadataConfigMaps());
    for (const warning of warnings) io.stderr(`warning: ${warning}\n`);
    return backups;
}

/** --mode superset: writes {mode: superset, superset.backupId} (with --yes the confirmation too) and says what comes next. */
function writeSupersetRestore(options: RestorePlanOptions, stack: Stack, known: SupersetBackup[], io: CliIo): number {
    const choice = supersetOnlyChoice(options.superset, known);
    const confirm = restoreConfirmation(options.stack, choice.backupId);
    const block = { mode: "superset", superset: { backupId: choice.backupId } };
    stack.validateWithRestore({ ...block, confirm }, io.now());
    const edit = stack.editRestore(options.yes ? { ...block, confirm } : block, options.dryRun);
    io.stdout(`${choice.line}\n`);
    edit.show(io);
    edit.apply();
    const lines: string[] = [];
    if (!options.yes) {
        lines.push(
            "",
            `The stack refuses this Superset restore until it is confirmed: it replaces ${options.stack}'s Superset database with backup ${choice.backupId}.`,
            "To confirm, run (or re-run this command with --yes):",
            `  pulumi config set --path restore.confirm ${confirm} -s ${options.stack}`,
        );
    }
    lines.push("", "Next:", `  pulumi preview --diff -s ${options.stack}`, `  pulumi up -s ${options.stack}`);
    lines.push(`Then, once the Superset restore has reached its end: hopsworks-dr restore finish --stack ${options.stack} (it checks that end), and pulumi up`);
    io.stdout(`${lines.join("\n")}\n`);
    return 0;
}

/** Writes the restore block of `point` into the stack file (a diff only with --dry-run) and says what comes next. */
function writeRestore(options: RestorePlanOptions, stack: Stack, point: RestorePoint, given: string, io: CliIo, known?: SupersetBackup[]): number {
    const confirm = restoreConfirmation(options.stack, point.id);
    const superset = supersetChoice(options.superset, point, stack.hopsworksVersion(), known, options.fromBucket !== false || known !== undefined);

    const block: Record<string, unknown> = {
        mode: options.mode,
        backupId: point.id,
        backupHopsworksVersion: options.backupVersion,
        ...veleroChoice(point, given, options.velero),
        ...(options.outsideWindow ? { veleroBackupsOutsideWindow: point.id } : {}),
        // Read from the vault: the restore reads it too (the location and the HopsFS settings point at it).
        ...(options.fromBucket === "vault" ? { source: "vault" } : {}),
        ...(superset.backupId ? { superset: { backupId: superset.backupId } } : {}),
    };
    const confirmed = options.mode === "in-place" ? { ...block, forceDataClear: true, confirm } : block;
    // Validate as if confirmed, so every other problem shows now rather than at `pulumi up`.
    const config = stack.validateWithRestore(confirmed, io.now());

    const edit = stack.editRestore(options.yes ? confirmed : block, options.dryRun);
    const velero = (block.veleroBackups ?? {}) as { main?: string; users?: string };
    const newest = "the newest Completed backup (restore.latestVeleroBackups)";
    io.stdout(`restore point ${point.id} (${point.time.toISOString()}), Velero ${VELERO_SCHEDULES.main}: ${velero.main ?? newest}, ${VELERO_SCHEDULES.users}: ${velero.users ?? newest}\n`);
    if (superset.line) io.stdout(`${superset.line}\n`);
    for (const line of trinoLines(config)) io.stderr(`${line}\n`);
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
    lines.push(
        superset.backupId
            ? `After a successful restore, once the Superset restore has reached its end: hopsworks-dr restore finish --stack ${options.stack} (it checks that end)`
            : `After a successful restore: hopsworks-dr restore finish --stack ${options.stack}`,
    );
    io.stdout(`${lines.join("\n")}\n`);
    return 0;
}

export const restorePlan: Command<RestorePlanOptions> = {
    spec: {
        name: "restore plan",
        title: "Write a restore into a stack file",
        synopsis:
            "--stack <name> --mode new-cluster|in-place --backup-version <x.y.z> [--backup latest|<id>] " +
            "[--velero-main <name> --velero-users <name> [--velero-outside-window]] [--from-bucket [--vault]] [--superset-backup <id>|none] [--dry-run] [--yes]" +
            " | --stack <name> --mode superset [--superset-backup latest|<id>] [--dry-run] [--yes]",
        summary: "write the restore block into Pulumi.<name>.yaml",
        description:
            "Picks the newest complete restore point (latest) or checks the one given, then writes the hopsworks-dr:restore\n" +
            "block (mode, backupId, backupHopsworksVersion, veleroBackups) into Pulumi.<name>.yaml, after running the\n" +
            "program's own validation on the result. Only the block's lines change; comments and line endings are kept.\n" +
            "--backup-version is the Hopsworks version that took the backup, as you know it (the backup metadata does not\n" +
            "record it); the validation refuses it unless it equals the stack's hopsworks.version, as a restore needs.\n" +
            "For new-cluster with a given ID the cluster is not read: a new cluster has no catalogue before its restore, so\n" +
            "--velero-main and --velero-users are required there: the point's own Velero backups, from the bucket\n" +
            "(aws s3 ls s3://<bucket>/k8s_backup/backups/), or --from-bucket, which reads the point (a given ID, or latest:\n" +
            "the newest complete one) and its Velero backups from the stack's bucket over the S3 API. Without them Velero would restore each schedule's newest backup,\n" +
            "whatever the backup ID; the stack refuses a restore that names no Velero backups unless\n" +
            "restore.latestVeleroBackups: true is set by hand. Given with a catalogue point, they must be that point's.\n" +
            `Their names' times must be within the catalogue's window, ${VELERO_MATCH_WINDOW_TEXT};\n` +
            "--velero-outside-window restores them anyway, writing restore.veleroBackupsOutsideWindow.\n" +
            "Hopsworks 5.2 and later: restore.superset.backupId is the point's Superset backup (the newest successful one at or\n" +
            "before the point, its own backup run's included), shown with its time, or --superset-backup's; none when the point\n" +
            "predates Superset backups (or --superset-backup none). --mode superset restores Superset alone on the running cluster:\n" +
            "the newest successful Superset backup, or --superset-backup's, with --yes confirmed (restore.confirm <stack>/<id>).\n" +
            "Hopsworks 5.1 and later: a warning when the point predates hopsworks.trinoBackupsSince (its main backup lacks Trino's Secrets).\n" +
            "The file is locked (Pulumi.<name>.yaml.lock) while the command runs, and replaced in one rename.",
        options: ["stack", "mode", "backup-version", "backup", "velero-main", "velero-users", "velero-outside-window", "from-bucket", "vault", "superset-backup", "dry-run", "yes", ...CLUSTER_OPTIONS],
        optionHelp: {
            stack: "the stack: Pulumi.<name>.yaml in the working directory gets the block, and gives the namespaces",
            yes: "in-place and superset only: also write the confirmation (forceDataClear and confirm; confirm alone for superset); a usage error with new-cluster",
            "from-bucket":
                "new-cluster only: read the restore point and its Velero backups from the stack's bucket over the S3 API (storage.bucket, " +
                "storage.region, storage.apiEndpoint/endpoint; keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the AWS default chain)",
            vault:
                "with --from-bucket: read the stack's vault (hopsworks-dr:vault) instead, and write restore.source: vault, so the restore " +
                "reads the vault too (after the loss of the primary's region)",
        },
        examples: [
            [
                "After a total cluster loss: see what would be written, then write it",
                "hopsworks-dr restore plan --stack prod --mode new-cluster --backup-version 4.8.0 --backup 254811200 " +
                    "--velero-main k8s-backups-main-20251124120012 --velero-users k8s-backups-users-resources-20251124120013 --dry-run",
            ],
            [
                "The same, the Velero backups read from the bucket",
                "hopsworks-dr restore plan --stack prod --mode new-cluster --backup-version 4.8.0 --backup 254811200 --from-bucket --dry-run",
            ],
            ["An in-place restore of the newest complete restore point, confirmed", "hopsworks-dr restore plan --stack prod --mode in-place --backup-version 4.8.0 --yes"],
            ["Hopsworks 5.2: Superset alone, from its newest backup, confirmed", "hopsworks-dr restore plan --stack prod --mode superset --yes"],
        ],
    },
    options,
    run,
};
