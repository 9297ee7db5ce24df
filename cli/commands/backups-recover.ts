/** `hopsworks-dr backups recover`: removes the delete markers made since an attack, so the backups are current again. */
import { BACKUP_PREFIXES, OPENSEARCH_BACKUP_PREFIX_DEFAULT } from "../../stacks/names";
import type { Command, CommandContext } from "../command";
import { CliError, UsageError } from "../errors";
import { badValue, OptionValues, required } from "../options";
import type { KeyVerdict, VersionEntry } from "../recover-scan";

const COMMAND = "backups recover";

export interface BackupsRecoverOptions {
    stack: string;
    since: Date;
    yes: boolean;
    includeHopsfsData: boolean;
    confirmHopsfs?: string;
    /** Ends in "/". */
    opensearchPrefix: string;
    /** --restore-overwritten (with --yes): copy back the version each overwritten object had at --since. */
    restoreOverwritten: boolean;
}

/** How many keys of each prefix the output names; the rest are counted. */
export const SAMPLE_KEYS = 5;
const HOPSFS = "HopsFS data (the rest of the bucket)";
/** An ISO 8601 time with its zone: a time without one would be read in the machine's zone. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function options(values: OptionValues, now: Date): BackupsRecoverOptions {
    const stack = required(values, "stack", COMMAND, "its storage settings name the bucket");
    const sinceText = values.since;
    if (sinceText === undefined) throw new UsageError("--since is required: the time the attack began (delete markers made before it are left alone)", COMMAND);
    const since = new Date(sinceText);
    if (!ISO_TIME.test(sinceText) || Number.isNaN(since.getTime())) {
        throw badValue(values, "since", "must be an ISO 8601 time with its zone, such as 2026-01-06T03:00:00Z", COMMAND);
    }
    if (since.getTime() > now.getTime()) throw badValue(values, "since", `is later than now (${now.toISOString()})`, COMMAND);
    const includeHopsfsData = values["include-hopsfs-data"] === true;
    if (values["confirm-hopsfs"] !== undefined && !(includeHopsfsData && values.yes === true)) {
        throw badValue(values, "confirm-hopsfs", "applies only with --include-hopsfs-data --yes", COMMAND);
    }
    if (includeHopsfsData && values.yes === true && values["confirm-hopsfs"] === undefined) {
        throw new UsageError(`--include-hopsfs-data --yes needs --confirm-hopsfs ${stack}/<bucket>: HopsFS data is the live file system, type the stack and its bucket to confirm`, COMMAND);
    }
    if (values["restore-overwritten"] === true && values.yes !== true) throw new UsageError("--restore-overwritten applies only with --yes (without it nothing changes)", COMMAND);
    const prefix = values["opensearch-prefix"] ?? OPENSEARCH_BACKUP_PREFIX_DEFAULT;
    if (!/^[A-Za-z0-9_.\-/]+$/.test(prefix) || prefix.startsWith("/")) {
        throw badValue(values, "opensearch-prefix", "must be a key prefix in the bucket, such as opensearch_backup (letters, digits, _ . - /, no leading /)", COMMAND);
    }
    return {
        stack,
        since,
        yes: values.yes === true,
        includeHopsfsData,
        confirmHopsfs: values["confirm-hopsfs"],
        opensearchPrefix: prefix.endsWith("/") ? prefix : `${prefix}/`,
        restoreOverwritten: values["restore-overwritten"] === true,
    };
}

/** What one prefix (or HopsFS data) came to. */
interface Tally {
    name: string;
    prefix?: string;
    markers: number;
    objects: number;
    overwritten: number;
    /** Overwritten objects copied back (--restore-overwritten). */
    restored: number;
    samples: string[];
    removed: number;
    failed: number;
}

function tallies(options: BackupsRecoverOptions): Tally[] {
    const prefixes = [BACKUP_PREFIXES.velero, BACKUP_PREFIXES.rondb, options.opensearchPrefix, BACKUP_PREFIXES.superset];
    const groups: Tally[] = prefixes.map((prefix) => ({ name: prefix, prefix, markers: 0, objects: 0, overwritten: 0, restored: 0, samples: [], removed: 0, failed: 0 }));
    if (options.includeHopsfsData) groups.push({ name: HOPSFS, markers: 0, objects: 0, overwritten: 0, restored: 0, samples: [], removed: 0, failed: 0 });
    return groups;
}

/** The group a key belongs to: its backup prefix, else HopsFS data (the last group). */
function groupOf(groups: Tally[], key: string): Tally {
    return groups.find((g) => g.prefix !== undefined && key.startsWith(g.prefix)) ?? groups[groups.length - 1];
}

/** The markers to remove, sent in batches of up to 1000 as they accumulate (with --yes only). */
class Remover {
    private pending: { key: string; versionId: string; group: Tally }[] = [];
    readonly failures: string[] = [];
    denied?: Tally;

    constructor(private readonly flushBatch: (objects: { key: string; versionId: string }[]) => Promise<{ key: string; versionId: string; code: string; message: string }[]>, private readonly batch: number) {}

    async add(group: Tally, key: string, versionIds: string[]): Promise<void> {
        for (const versionId of versionIds) this.pending.push({ key, versionId, group });
        while (this.pending.length >= this.batch) await this.flush(this.pending.splice(0, this.batch));
    }

    async end(): Promise<void> {
        if (this.pending.length > 0) await this.flush(this.pending.splice(0));
    }

    private async flush(objects: { key: string; versionId: string; group: Tally }[]): Promise<void> {
        const failed = await this.flushBatch(objects);
        const failedIds = new Set(failed.map((f) => `${f.key}\n${f.versionId}`));
        for (const o of objects) (failedIds.has(`${o.key}\n${o.versionId}`) ? o.group.failed++ : o.group.removed++);
        for (const f of failed) {
            if (f.code === "AccessDenied") this.denied ??= objects.find((o) => o.key === f.key)?.group;
            if (this.failures.length < SAMPLE_KEYS) this.failures.push(`${f.key} (version ${f.versionId}): ${f.code}: ${f.message}`);
        }
    }
}

function summary(groups: Tally[], options: BackupsRecoverOptions): string[] {
    const lines = [`delete markers made at or after ${options.since.toISOString()} that are the latest version:`];
    for (const g of groups) {
        if (g.markers === 0) {
            lines.push(`  ${g.name}: none`);
            continue;
        }
        const done = options.yes ? `, ${g.removed} removed${g.failed > 0 ? `, ${g.failed} failed` : ""}` : "";
        lines.push(`  ${g.name}: ${g.markers} delete marker(s) on ${g.objects} object(s)${done}`);
        lines.push(...g.samples.map((key) => `    ${key}`));
        if (g.objects > g.samples.length) lines.push(`    ...and ${g.objects - g.samples.length} more`);
    }
    if (!options.includeHopsfsData) lines.push(`  ${HOPSFS}: not read (--include-hopsfs-data)`);
    return lines;
}

/** The outcome's last lines and the exit status. */
function outcome(groups: Tally[], options: BackupsRecoverOptions, remover: Remover, bucket: string, io: CommandContext["io"]): number {
    const total = (field: "markers" | "removed" | "failed" | "overwritten" | "restored") => groups.reduce((n, g) => n + g[field], 0);
    const overwritten =
        total("overwritten") === 0 ? "" : options.restoreOverwritten
            ? `; ${total("restored")} overwritten object(s) copied back from their version before --since`
            : `; ${total("overwritten")} overwritten object(s) listed above are not copied back`;
    if (!options.yes) {
        io.stdout(total("markers") === 0 ? `dry run: nothing to remove${overwritten}\n` : `dry run: nothing removed; run again with --yes to remove these ${total("markers")} delete marker(s)${overwritten}\n`);
        return 0;
    }
    io.stdout(`removed ${total("removed")} of ${total("markers")} delete marker(s): the versions current before --since are current again${overwritten}\n`);
    if (total("failed") === 0) return 0;
    for (const failure of remover.failures) io.stderr(`error: ${failure}\n`);
    const { deniedMessage } = require("../s3-recover") as typeof import("../s3-recover");
    const why = remover.denied ? `: ${deniedMessage("DeleteObjects", bucket, remover.denied.prefix)}` : "";
    io.stderr(`error: ${total("failed")} delete marker(s) could not be removed${why}\n`);
    return 1;
}

async function run(options: BackupsRecoverOptions, { io, readStack, requestSeconds, deadline }: CommandContext): Promise<number> {
    const location = readStack(options.stack).storage();
    const expected = `${options.stack}/${location.bucket}`;
    if (options.confirmHopsfs !== undefined && options.confirmHopsfs !== expected) {
        throw new UsageError(`--confirm-hopsfs ${JSON.stringify(options.confirmHopsfs)}: must be ${expected} (the stack and its bucket) to remove delete markers in HopsFS data`, COMMAND);
    }
    const s3 = require("../s3-recover") as typeof import("../s3-recover");
    const { KeyScanner, pageEntries } = require("../recover-scan") as typeof import("../recover-scan");
    const client = s3.recoverClient(location, requestSeconds, io.env);
    const groups = tallies(options);
    const remover = new Remover((objects) => s3.deleteVersions(client, location.bucket, objects, deadline.signal), s3.DELETE_BATCH);
    io.stdout(`bucket ${location.bucket} (${location.region}${location.endpoint ? `, ${location.endpoint}` : ""}), ${options.yes ? "removing" : "dry run"}:\n`);
    const verdicts: KeyVerdict[] = [];
    const scanner = new KeyScanner(options.since, (v) => verdicts.push(v));
    // Each verdict is acted on before the next page: only the markers of a finished key are removed,
    // so the listing's position (the last key of the page) is never deleted under it.
    const handle = async () => {
        for (const verdict of verdicts.splice(0)) {
            const group = groupOf(groups, verdict.key);
            if (verdict.overwrittenRestore !== undefined) {
                group.overwritten++;
                io.stdout(`overwritten after --since: ${verdict.key}, restore version ${verdict.overwrittenRestore} by copying it\n`);
                if (options.restoreOverwritten) {
                    await s3.copyVersionBack(client, location.bucket, verdict.key, verdict.overwrittenRestore, deadline.signal);
                    group.restored++;
                    io.stdout(`  copied: version ${verdict.overwrittenRestore} is current again\n`);
                }
            }
            if (verdict.markers.length === 0) continue;
            group.markers += verdict.markers.length;
            group.objects++;
            if (group.samples.length < SAMPLE_KEYS) group.samples.push(verdict.key);
            if (options.yes) await remover.add(group, verdict.key, verdict.markers);
        }
    };
    const listings = options.includeHopsfsData ? [undefined] : groups.map((g) => g.prefix);
    try {
        for (const prefix of listings) {
            // A deadline that passes names the listing it stopped.
            const listed = deadline.waitFor(`ListObjectVersions on bucket ${location.bucket}${prefix === undefined ? "" : ` under ${prefix}`}`);
            await s3
                .listVersionPages(client, location.bucket, prefix, deadline.signal, async (versions: VersionEntry[], markers: VersionEntry[]) => {
                    for (const entry of pageEntries(versions, markers)) scanner.add(entry);
                    await handle();
                })
                .finally(listed);
            scanner.end();
            await handle();
        }
        await remover.end();
    } catch (error) {
        // What was already removed is said before the error.
        if (options.yes && error instanceof CliError) io.stdout(`${summary(groups, options).join("\n")}\nstopped: ${groups.reduce((n, g) => n + g.removed, 0)} delete marker(s) removed before the error\n`);
        throw error;
    } finally {
        client.destroy();
    }
    io.stdout(`${summary(groups, options).join("\n")}\n`);
    return outcome(groups, options, remover, location.bucket, io);
}

export const backupsRecover: Command<BackupsRecoverOptions> = {
    spec: {
        name: "backups recover",
        title: "Recover backups deleted since a time, by removing their delete markers",
        synopsis: "--stack <name> --since <time> [--include-hopsfs-data] [--yes [--confirm-hopsfs <stack>/<bucket>] [--restore-overwritten]]",
        summary: "bring back backups deleted since a time (ransomware, a leaked key)",
        description:
            "Reads every object version under the backup prefixes of the stack's bucket (k8s_backup/, rondb_backup/, the\n" +
            "OpenSearch snapshots, superset_backup/; with --include-hopsfs-data the whole bucket), page by page, and lists\n" +
            "the delete markers made at or after --since that are an object's latest version. Without --yes it changes\n" +
            "nothing. With --yes it removes those markers (DeleteObjects with their version IDs), so the version that was\n" +
            "current before --since is current again. Objects overwritten after --since are listed with the version to\n" +
            "copy back, and copied back with --yes --restore-overwritten. The bucket comes from the stack file's storage\n" +
            "settings; the credentials from the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, an\n" +
            "instance role), never from the stack's encrypted config. They need s3:ListBucketVersions, with --yes\n" +
            "s3:DeleteObjectVersion, and with --restore-overwritten s3:GetObjectVersion and s3:PutObject.",
        options: ["stack", "since", "include-hopsfs-data", "yes", "confirm-hopsfs", "restore-overwritten", "opensearch-prefix", "request-timeout", "timeout"],
        optionHelp: {
            stack: "read Pulumi.<name>.yaml in the working directory for the bucket (storage.bucket, region, endpoint)",
            yes: "remove the delete markers listed (without it, only list them)",
            "request-timeout": "how long each S3 request may take (default 30; or HOPSWORKS_DR_REQUEST_TIMEOUT)",
            timeout: "how long the whole command may take (default 300; or HOPSWORKS_DR_TIMEOUT): give more for a bucket of millions of versions",
        },
        examples: [
            ["List what was deleted since the attack began", "hopsworks-dr backups recover --stack prod --since 2026-01-06T03:00:00Z"],
            ["Remove those delete markers", "hopsworks-dr backups recover --stack prod --since 2026-01-06T03:00:00Z --yes"],
            [
                "HopsFS data too, typed confirmation",
                "hopsworks-dr backups recover --stack prod --since 2026-01-06T03:00:00Z --include-hopsfs-data --yes --confirm-hopsfs prod/hopsworks-prod-backups",
            ],
        ],
    },
    options,
    run,
};
