/** `hopsworks-dr backups list`: the restore points, newest first. */
import type { RestorePoint, VeleroBackup } from "../../stacks/catalogue/restore-points";
import { DEFAULT_NEWEST_READ, IN_BUCKET } from "../../stacks/catalogue/bucket-layout";
import { loadCatalogue, pointJson } from "../catalogue";
import type { Command, CommandContext } from "../command";
import { UsageError } from "../errors";
import { table, utcMinute } from "../format";
import { CLUSTER_OPTIONS, clusterFlags, ClusterFlags, fromBucket, OptionValues } from "../options";

export interface BackupsListOptions {
    /** --stack: the stack whose namespaces to read. */
    stack?: string;
    json: boolean;
    /** --from-bucket: read the stack's bucket (or with --vault its vault), not the cluster. */
    fromBucket: false | "storage" | "vault";
    /** --read-all: every velero-backup.json, not only the newest points'. */
    readAll: boolean;
    cluster: ClusterFlags;
}

/** How the bucket's restore points differ from the cluster's, said once on stderr. */
export const FROM_BUCKET_NOTE =
    `RONDB ${IN_BUCKET}: the backup's folder is in the bucket (its success is recorded only in the lost cluster's metadata); ` +
    "OPENSEARCH -: the bucket does not show which snapshot belongs to which backup ID; SUPERSET: the point's dump folder under superset_backup/ " +
    "(its success is recorded only in the lost cluster's metadata); COMPLETE: a RonDB folder and both Velero backups Completed";

/** The bucket's restore points with --from-bucket (and the backups whose phase was not read), else the cluster catalogue's. */
async function readPoints(options: BackupsListOptions, { io, readStack, connect }: CommandContext): Promise<{ points: RestorePoint[]; unread: Set<string> }> {
    const stack = options.stack === undefined ? undefined : readStack(options.stack);
    if (!options.fromBucket) return { points: (await loadCatalogue(await connect(options.cluster, stack), io)).points, unread: new Set() };
    const { loadBucketCatalogue } = require("../bucket") as typeof import("../bucket");
    const scope = { newest: options.readAll ? Infinity : DEFAULT_NEWEST_READ };
    const { points, unread, where } = await loadBucketCatalogue(stack!.bucketToRead(options.fromBucket), io, scope);
    io.stderr(`note: restore points read from ${where}. ${FROM_BUCKET_NOTE}\n`);
    if (unread.size > 0) {
        io.stderr(
            `note: velero-backup.json read for the newest ${DEFAULT_NEWEST_READ} restore points' Velero backups only; the other ${unread.size} ` +
                "are known by their names (phase not read, COMPLETE ?). --read-all reads every one, a request each\n",
        );
    }
    return { points, unread };
}

/** Whether a point's Velero backups were all read: unknown (undefined) when one is known by its name only. */
function completeness(point: RestorePoint, unread: Set<string>): boolean | undefined {
    const unknown = [point.velero.main, point.velero.users].some((b) => b !== undefined && unread.has(b.name));
    return unknown ? undefined : point.complete;
}

function veleroCell(backup: VeleroBackup | undefined, unread: Set<string>): string {
    if (!backup) return "-";
    if (unread.has(backup.name)) return `${backup.name} (phase not read)`;
    return backup.phase === "Completed" ? backup.name : `${backup.name} (${backup.phase ?? "no phase"})`;
}

/**
 * The same text as `JSON.stringify(items, null, 2)`, written a few hundred items at a time, each
 * item built only when written, and the next chunk only once stdout has taken the last (`drained`):
 * 20,000 points never become one object tree, one string or a queue of them. Exported for testing.
 */
export async function writeJsonArray(items: (() => unknown)[], write: (text: string) => void, drained?: () => Promise<void>): Promise<void> {
    if (items.length === 0) return write("[]\n");
    const CHUNK = 500;
    for (let start = 0; start < items.length; start += CHUNK) {
        // A chunk stringified as an array is its items as the whole array holds them (indented one
        // level); only its brackets go: "[\n" and "\n]".
        const text = JSON.stringify(items.slice(start, start + CHUNK).map((item) => item()), null, 2).slice(2, -2);
        const last = start + CHUNK >= items.length;
        write(`${start === 0 ? "[\n" : ",\n"}${text}${last ? "\n]\n" : ""}`);
        await drained?.();
    }
}

async function list(options: BackupsListOptions, context: CommandContext): Promise<number> {
    const { io } = context;
    const { points, unread } = await readPoints(options, context);
    const json = options.json;
    if (json) {
        await writeJsonArray(points.map((p) => () => ({ ...pointJson(p), complete: completeness(p, unread) ?? null })), io.stdout, io.stdoutDrained);
        return 0;
    }
    if (points.length === 0) {
        io.stdout("no backups found\n");
        return 0;
    }
    const header = ["BACKUP ID", "TIME (UTC)", "RONDB", "OPENSEARCH", "VELERO MAIN", "VELERO USERS", "SUPERSET", "COMPLETE"];
    const rows = points.map((p) => [
        p.id,
        utcMinute(p.time),
        p.rondb ?? "-",
        p.opensearch ?? "-",
        veleroCell(p.velero.main, unread),
        veleroCell(p.velero.users, unread),
        p.superset ? `${p.superset.id} (${utcMinute(p.superset.time)})` : "none",
        { true: "yes", false: "no", undefined: "?" }[String(completeness(p, unread))]!,
    ]);
    io.stdout(`${table(header, rows)}\n`);
    return 0;
}

export const backupsList: Command<BackupsListOptions> = {
    spec: {
        name: "backups list",
        title: "List the restore points",
        synopsis: "[--stack <name>] [--json] [--from-bucket [--vault] [--read-all]]",
        summary: "restore points, newest first",
        description:
            "Lists the restore points, one row per backup ID, newest first by time (the metadata's start_time, else decoded\n" +
            "from the ID; IDs are not monotonic around New Year). Reads every RonDB and OpenSearch metadata ConfigMap, rotated\n" +
            "ones included, and the Velero Backups of k8s-backups-main and k8s-backups-users-resources on hopsworks-bsl.\n" +
            "A point is complete when RonDB and OpenSearch are SUCCESS and both Velero backups are Completed.\n" +
            "With --from-bucket (after a total loss, no cluster): the stack's bucket instead, over the S3 API: the backup IDs\n" +
            "under rondb_backup/, the Velero backups under k8s_backup/backups/ with each one's velero-backup.json, paired\n" +
            "as the cluster pairs them. RONDB shows IN_BUCKET, OPENSEARCH -, and COMPLETE needs a RonDB folder and both\n" +
            "Velero backups Completed. Keys: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, else the AWS default chain.\n" +
            `Phases are read for the newest ${DEFAULT_NEWEST_READ} points' Velero backups (a request each); older ones show\n` +
            "\"(phase not read)\" and COMPLETE ? (null in --json) unless --read-all.\n" +
            "With --vault as well (after the loss of the primary's region): the stack's vault (hopsworks-dr:vault) instead.",
        options: ["stack", "json", "from-bucket", "vault", "read-all", ...CLUSTER_OPTIONS],
        examples: [
            ["List the restore points of the current cluster", "hopsworks-dr backups list"],
            ["The same for a stack whose Velero runs in its own namespace, as JSON", "hopsworks-dr backups list --stack prod --json"],
            ["After a total loss: the restore points in stack prod's bucket", "hopsworks-dr backups list --stack prod --from-bucket"],
            ["After the loss of the primary's region: the restore points in stack prod's vault", "hopsworks-dr backups list --stack prod --from-bucket --vault"],
        ],
    },
    options: (values) => ({
        stack: values.stack,
        json: values.json === true,
        fromBucket: fromBucket(values, "backups list"),
        readAll: readAll(values, "backups list"),
        cluster: clusterFlags(values),
    }),
    run: list,
};

function readAll(values: OptionValues, command: string): boolean {
    if (values["read-all"] === true && values["from-bucket"] !== true) throw new UsageError("--read-all applies only with --from-bucket", command);
    return values["read-all"] === true;
}
