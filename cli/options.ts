/**
 * The options every command shares, how each reads in a help text, and the checks of their form
 * that more than one command needs. Plain data and small functions with no heavy imports, so
 * `--help` and usage errors load nothing else (client-node alone takes most of a second).
 */
import { VELERO_MATCH_WINDOW_TEXT } from "../stacks/catalogue/restore-points";
import { quote } from "../stacks/config/reader";
import { OPENSEARCH_BACKUP_PREFIX_DEFAULT, VAULT_LAG_DEFAULT_MINUTES } from "../stacks/names";
import { UsageError } from "./errors";

export const PROGRAM = "hopsworks-dr";

/** Each request's timeout and the command's deadline, by default: `backups status` in cron must end on a server that never answers. */
export const REQUEST_TIMEOUT_DEFAULT_SECONDS = 30;
export const TIMEOUT_DEFAULT_SECONDS = 300;
const REQUEST_TIMEOUT_MAX_SECONDS = 3600;
const TIMEOUT_MAX_SECONDS = 86400;
export const REQUEST_TIMEOUT_ENV = "HOPSWORKS_DR_REQUEST_TIMEOUT";
export const TIMEOUT_ENV = "HOPSWORKS_DR_TIMEOUT";

export const OPTIONS = {
    context: { type: "string" },
    namespace: { type: "string" },
    "velero-namespace": { type: "string" },
    json: { type: "boolean" },
    schedule: { type: "string" },
    stack: { type: "string" },
    mode: { type: "string" },
    backup: { type: "string" },
    "backup-version": { type: "string" },
    "velero-main": { type: "string" },
    "velero-users": { type: "string" },
    "superset-backup": { type: "string" },
    "backup-id": { type: "string" },
    "velero-outside-window": { type: "boolean" },
    "dry-run": { type: "boolean" },
    "from-bucket": { type: "boolean" },
    "read-all": { type: "boolean" },
    vault: { type: "boolean" },
    yes: { type: "boolean" },
    wait: { type: "string" },
    since: { type: "string" },
    "include-hopsfs-data": { type: "boolean" },
    "confirm-hopsfs": { type: "string" },
    "opensearch-prefix": { type: "string" },
    "restore-overwritten": { type: "boolean" },
    "request-timeout": { type: "string" },
    "vault-lag": { type: "string" },
    timeout: { type: "string" },
    help: { type: "boolean", short: "h" },
} as const;

export type OptionName = keyof typeof OPTIONS;

/** The options as parsed: strings and booleans, each absent unless given. */
export type OptionValues = { [K in OptionName]?: (typeof OPTIONS)[K]["type"] extends "string" ? string : boolean };

/** How each option reads in a help text; a command may word one its own way. */
export const OPTION_HELP: Record<OptionName, [string, string]> = {
    context: ["--context <name>", "kubeconfig context (default: the current one). The kubeconfig is KUBECONFIG's files, else ~/.kube/config, else a pod's service account"],
    namespace: ["--namespace <ns>", "Hopsworks namespace: metadata ConfigMaps, marker Jobs (default: the stack's hopsworks.namespace with --stack, else hopsworks)"],
    "velero-namespace": ["--velero-namespace <ns>", "Velero's namespace: Backups, Schedules, Restores, hopsworks-bsl (default: the stack's velero.namespace with --stack, else velero)"],
    json: ["--json", "print JSON for scripts"],
    schedule: ["--schedule <cron>", "the backup schedule, a 5-field cron expression or a macro such as @weekly"],
    stack: ["--stack <name>", "read Pulumi.<name>.yaml in the working directory for the namespaces"],
    mode: ["--mode <mode>", "new-cluster (after a total cluster loss), in-place (Hopsworks 4.8.0 or newer) or superset (Superset alone, Hopsworks 5.2.0 or newer)"],
    backup: ["--backup <id>", "latest (the default: the newest complete restore point) or a backup ID such as 254811200"],
    "backup-version": ["--backup-version <x.y.z>", "the Hopsworks version that took the backup, such as 4.8.0 (required: the backup metadata does not record it)"],
    "velero-main": [
        "--velero-main <name>",
        "the restore point's Velero backup of schedule k8s-backups-main, such as k8s-backups-main-20251124120012. Required with " +
            "--velero-users for a new-cluster restore of a given ID (no catalogue to match them); find them with " +
            "aws s3 ls s3://<bucket>/k8s_backup/backups/ (the pair taken minutes after the backup ID's time)",
    ],
    "velero-users": ["--velero-users <name>", "the same for schedule k8s-backups-users-resources, such as k8s-backups-users-resources-20251124120013"],
    "superset-backup": [
        "--superset-backup <id>",
        "Hopsworks 5.2.0 or newer: the Superset backup to restore, such as 20260722215632-2116913658 (a key of ConfigMap superset-backups-metadata); " +
            "default: the restore point's (the newest at or before it), with --mode superset the newest successful one (latest). none leaves Superset out",
    ],
    "velero-outside-window": [
        "--velero-outside-window",
        `restore --velero-main and --velero-users although their names' times are outside the window (${VELERO_MATCH_WINDOW_TEXT}); ` +
            "writes restore.veleroBackupsOutsideWindow: <backup ID>",
    ],
    "backup-id": ["--backup-id <id>", "another name for --backup"],
    "dry-run": ["--dry-run", "print the diff and write nothing"],
    "from-bucket": [
        "--from-bucket",
        "read the restore points from the stack's bucket over the S3 API instead of the cluster (after a total loss): storage.bucket, " +
            "storage.region and storage.apiEndpoint/endpoint from the stack file, keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the AWS default chain",
    ],
    vault: [
        "--vault",
        "with --from-bucket, read the stack's vault (hopsworks-dr:vault: vault.bucket, vault.region, vault.endpoint) instead of storage.bucket: " +
            "after the loss of the primary's region",
    ],
    "read-all": [
        "--read-all",
        "with --from-bucket, read every Velero backup's velero-backup.json (one request each: minutes on a large bucket), not only the newest 100 restore points'",
    ],
    yes: ["--yes", "do it (without it, only show what would happen)"],
    wait: ["--wait <seconds>", "with --yes, how long to wait in all for deleted objects that finalizers still hold to be gone (default 60, at most 3600)"],
    since: ["--since <time>", "an ISO 8601 time with its zone, such as 2026-01-06T03:00:00Z: what was deleted at or after it is recovered"],
    "include-hopsfs-data": ["--include-hopsfs-data", "also the rest of the bucket: HopsFS data (with --yes, needs --confirm-hopsfs)"],
    "confirm-hopsfs": ["--confirm-hopsfs <stack>/<bucket>", "with --include-hopsfs-data --yes: the stack and its bucket, typed, to remove delete markers in HopsFS data"],
    "opensearch-prefix": ["--opensearch-prefix <prefix>", `the OpenSearch snapshot repository's prefix in the bucket (default ${OPENSEARCH_BACKUP_PREFIX_DEFAULT}: its real base path is not public)`],
    "restore-overwritten": ["--restore-overwritten", "with --yes: copy the version current before --since over each object overwritten since then"],
    "vault-lag": [
        "--vault-lag <minutes>",
        `with --stack and a vault: how long the newest complete restore point may be missing from the vault before replication counts as lagging (default ${VAULT_LAG_DEFAULT_MINUTES}: Replication Time Control's 15 minutes plus a margin)`,
    ],
    "request-timeout": [
        "--request-timeout <seconds>",
        `how long each request to the Kubernetes API may take before the command stops, naming it (default ${REQUEST_TIMEOUT_DEFAULT_SECONDS}; or ${REQUEST_TIMEOUT_ENV})`,
    ],
    timeout: [
        "--timeout <seconds>",
        `how long the whole command may take before it stops, naming what it waits for (default ${TIMEOUT_DEFAULT_SECONDS}, plus --wait; or ${TIMEOUT_ENV})`,
    ],
    help: ["-h, --help", "this help"],
};

/** The options of every command that reads the cluster. */
export const CLUSTER_OPTIONS: OptionName[] = ["context", "namespace", "velero-namespace", "request-timeout", "timeout"];

/**
 * A stack name as Pulumi.<name>.yaml names it and Pulumi accepts it: 1 to 100 letters, digits, -, _
 * and . (no path, no organization); stacks/config/stack-file.ts's STACK_NAME, repeated so a usage error loads nothing.
 */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
/** An RFC 1123 label, as stacks/config/ requires of both namespaces (repeated so a usage error loads nothing). */
export const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** An option token as util.parseArgs returns it with `tokens: true`. */
export interface ArgToken {
    kind: string;
    name?: string;
    value?: string;
}

/**
 * Why an option was given more than once, or undefined: util.parseArgs keeps the last value, so
 * `--stack prod --stack dev` would act on dev. Every option of the CLI and the render takes one value.
 */
export function repeatedOption(tokens: readonly ArgToken[]): string | undefined {
    const seen = new Map<string, string | undefined>();
    for (const token of tokens) {
        if (token.kind !== "option" || token.name === undefined) continue;
        if (seen.has(token.name)) {
            const values = [seen.get(token.name), token.value];
            const shown = values.every((v) => v !== undefined) ? ` (${values.map((v) => quote(String(v))).join(" and ")})` : "";
            return `--${token.name} is given twice${shown}: give it once`;
        }
        seen.set(token.name, token.value);
    }
    return undefined;
}

/** A usage error for an option value of the wrong form. */
export function badValue(values: OptionValues, name: OptionName, why: string, command: string): UsageError {
    return new UsageError(`--${name} ${quote(String(values[name]))}: ${why}`, command);
}

/**
 * The checks every command's options get before its own: no empty value, and a well-formed stack
 * name and namespaces. Values that are well formed but name something missing (a stack file, a
 * context) are operational errors (exit 1), found when they are used.
 */
export function checkCommonValues(values: OptionValues, command: string): void {
    for (const [name, value] of Object.entries(values) as [OptionName, unknown][]) {
        if (value === "") throw new UsageError(`--${name} needs a value`, command);
    }
    if (values.stack !== undefined && !STACK_NAME.test(values.stack)) {
        throw badValue(values, "stack", "must be a stack name (1 to 100 letters, digits, -, _ and ., as Pulumi accepts it), as in Pulumi.<name>.yaml in the working directory", command);
    }
    if (values.stack !== undefined && /^\.+$/.test(values.stack)) {
        // stacks/config/stack-file.ts's ONLY_DOTS: the render would write into out/ itself or the project folder.
        throw badValue(values, "stack", "is made only of dots, which this project refuses as a stack name (as a path it is a folder itself or its parent): give a name with a letter or digit", command);
    }
    for (const name of ["namespace", "velero-namespace"] as const) {
        if (values[name] !== undefined && !NAMESPACE_NAME.test(values[name]!)) {
            throw badValue(values, name, "must be a Kubernetes namespace name (lowercase letters, digits and hyphens, at most 63)", command);
        }
    }
}

/** A required option's value, or a usage error saying why it is needed where its name alone does not. */
export function required(values: OptionValues, name: "stack" | "mode" | "backup" | "backup-version", command: string, because?: string): string {
    const value = values[name];
    if (value === undefined) throw new UsageError(`--${name} is required${because ? `: ${because}` : ""}`, command);
    return value as string;
}

/** What every command that reads the cluster takes from its options. */
export interface ClusterFlags {
    context?: string;
    namespace?: string;
    veleroNamespace?: string;
}

export function clusterFlags(values: OptionValues): ClusterFlags {
    return { context: values.context, namespace: values.namespace, veleroNamespace: values["velero-namespace"] };
}

/** Each request's timeout and the whole command's deadline, in seconds. */
export interface Timeouts {
    requestSeconds: number;
    commandSeconds: number;
}

/** Seconds as given (a positive number, decimals allowed, up to `max`), or why not. */
function seconds(text: string, max: number): number | string {
    const value = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || value <= 0 || value > max) return `must be a number of seconds above 0 and at most ${max}`;
    return value;
}

/**
 * --request-timeout and --timeout, else their environment variables, else the defaults; the
 * deadline's default leaves room for --wait. A malformed value, or a deadline no longer than
 * --wait, is a usage error.
 */
export function timeouts(values: OptionValues, env: NodeJS.ProcessEnv, command: string): Timeouts {
    const read = (name: "request-timeout" | "timeout", variable: string, max: number): number | undefined => {
        const given = values[name] ?? env[variable];
        if (given === undefined || given === "") return undefined;
        const value = seconds(given, max);
        if (typeof value === "number") return value;
        throw values[name] !== undefined ? badValue(values, name, value, command) : new UsageError(`${variable}=${quote(String(given))}: ${value}`, command);
    };
    const wait = values.wait !== undefined && /^\d+$/.test(values.wait) ? Number(values.wait) : 0;
    const commandSeconds = read("timeout", TIMEOUT_ENV, TIMEOUT_MAX_SECONDS) ?? TIMEOUT_DEFAULT_SECONDS + wait;
    if (commandSeconds <= wait) throw badValue(values, "wait", `must be shorter than the command's deadline, --timeout ${commandSeconds}`, command);
    return { requestSeconds: read("request-timeout", REQUEST_TIMEOUT_ENV, REQUEST_TIMEOUT_MAX_SECONDS) ?? REQUEST_TIMEOUT_DEFAULT_SECONDS, commandSeconds };
}

/**
 * --from-bucket needs --stack (the bucket's settings) and reads no cluster, so takes none of its
 * options; --vault reads the stack's vault instead of its bucket. "vault" with --vault.
 */
export function fromBucket(values: OptionValues, command: string): false | "storage" | "vault" {
    if (values.vault === true && values["from-bucket"] !== true) throw new UsageError("--vault applies only with --from-bucket: it reads the vault instead of the stack's bucket", command);
    if (values["from-bucket"] !== true) return false;
    if (values.stack === undefined) throw new UsageError("--from-bucket needs --stack: the stack file names the bucket, its region and endpoint", command);
    for (const name of ["context", "namespace", "velero-namespace"] as const) {
        if (values[name] !== undefined) throw new UsageError(`--${name} does not apply with --from-bucket, which reads the bucket, not a cluster`, command);
    }
    return values.vault === true ? "vault" : "storage";
}
