/** `hopsworks-dr backups status`: whether backups are healthy and on time, for cron or CI. */
import { backupHealth, scheduleIntervalMs } from "../../stacks/catalogue/health";
import { formatDuration, scheduleProblem } from "../../stacks/catalogue/schedule";
import { SUPERSET_MIN_VERSION, VAULT_LAG_DEFAULT_MINUTES, VAULT_LAG_MAX_MINUTES, VELERO_SCHEDULES } from "../../stacks/names";
import { compareVersions } from "../../stacks/config/formats";
import type { SupersetBackup } from "../../stacks/catalogue/superset";
import type { VaultReport } from "../../stacks/catalogue/vault-lag";
import { loadCatalogue, pointJson } from "../catalogue";
import type { Command, CommandContext } from "../command";
import { CliError, CliIo, UsageError } from "../errors";
import { table, utcMinute } from "../format";
import type { Cluster, VeleroScheduleSpec } from "../kube";
import type { Stack } from "../stack";
import type { RestorePoint } from "../../stacks/catalogue/restore-points";
import { badValue, CLUSTER_OPTIONS, clusterFlags, ClusterFlags, OptionValues } from "../options";

export interface BackupsStatusOptions {
    /** --schedule: judge against it, over the stack's and the cluster's. */
    schedule?: string;
    /** --stack: its backup.schedule and namespaces. */
    stack?: string;
    /** --vault-lag in minutes: how long the newest complete restore point may be missing from the stack's vault. */
    vaultLagMinutes: number;
    json: boolean;
    cluster: ClusterFlags;
}

/** The schedule `backups status` judges against, where it came from, and anything worth saying about it. */
export interface ScheduleChoice {
    schedule: string;
    from: string;
    notes: string[];
}

const PASS_A_SCHEDULE = "pass --schedule <cron> or --stack <name>";

/**
 * The schedule from the cluster's Velero Schedules k8s-backups-main and k8s-backups-users-resources
 * (spec.schedule): the one there is, or when they differ, the one with the longer interval, so
 * neither schedule's backups are judged overdue before their time.
 */
async function clusterSchedule(cluster: Cluster, now: Date): Promise<ScheduleChoice> {
    const namespace = cluster.options.veleroNamespace;
    const names = Object.values(VELERO_SCHEDULES);
    let specs: (VeleroScheduleSpec | undefined)[];
    try {
        specs = await Promise.all(names.map((name) => cluster.veleroSchedule(name)));
    } catch (error) {
        if (error instanceof CliError) throw new CliError(`${error.message}; to judge backups without reading the Velero Schedules, ${PASS_A_SCHEDULE}`);
        throw error;
    }
    const found = specs.filter((s): s is VeleroScheduleSpec => s !== undefined);
    if (found.length === 0) {
        throw new CliError(
            `no Velero Schedule ${names.join(" or ")} in namespace ${namespace} to take the backup schedule from: ${PASS_A_SCHEDULE}` +
                " (or --velero-namespace, if Velero runs in another namespace)",
        );
    }
    const notes: string[] = [];
    for (const spec of found) {
        const problem = spec.schedule === undefined ? "has no spec.schedule" : scheduleProblem(spec.schedule);
        if (problem) {
            const value = spec.schedule === undefined ? "" : ` spec.schedule ${JSON.stringify(spec.schedule)}:`;
            throw new CliError(`Velero Schedule ${spec.name} in namespace ${namespace}:${value} ${problem}; ${PASS_A_SCHEDULE}`);
        }
        if (spec.paused) notes.push(`Velero Schedule ${spec.name} is paused: it takes no backups`);
    }
    for (const name of names) {
        if (!found.some((s) => s.name === name)) notes.push(`Velero Schedule ${name} not found in namespace ${namespace}`);
    }
    const intervals = found.map((s) => ({ ...s, intervalMs: scheduleIntervalMs(s.schedule!, now) }));
    const longest = intervals.reduce((a, b) => (b.intervalMs > a.intervalMs ? b : a));
    if (found.length === 1) {
        return { schedule: longest.schedule!, from: `Velero Schedule ${longest.name} in namespace ${namespace}`, notes };
    }
    if (intervals.every((s) => s.schedule!.trim() === longest.schedule!.trim())) {
        return { schedule: longest.schedule!, from: `Velero Schedules ${names.join(" and ")} in namespace ${namespace}`, notes };
    }
    const each = intervals.map((s) => `${s.name} ${JSON.stringify(s.schedule)} (every ${formatDuration(s.intervalMs)})`).join(", ");
    notes.push(`the Velero Schedules differ: ${each}; the longer interval is used`);
    return { schedule: longest.schedule!, from: `Velero Schedule ${longest.name} in namespace ${namespace}, the longer interval`, notes };
}

/**
 * Superset's backups when they are judged: a stack on Hopsworks 5.2 or later (--stack), or without
 * a stack a cluster that has Superset backup metadata. Before 5.2 there is no Superset to back up.
 */
function judgedSuperset(stack: Stack | undefined, backups: SupersetBackup[]): SupersetBackup[] | undefined {
    const version = stack?.hopsworksVersion();
    if (version !== undefined) return compareVersions(version, SUPERSET_MIN_VERSION) >= 0 ? backups : undefined;
    return backups.length > 0 ? backups : undefined;
}

/** The vault's copy of the newest complete restore point, when the stack declares a vault and there is such a point. */
async function vaultReport(options: BackupsStatusOptions, stack: Stack | undefined, point: RestorePoint | undefined, io: CliIo): Promise<VaultReport | undefined> {
    const vault = stack?.vault();
    if (!vault || !point) return undefined;
    const { checkVault } = require("../vault-lag") as typeof import("../vault-lag");
    return checkVault(vault, point, options.vaultLagMinutes * 60_000, io);
}

function vaultJson(report: VaultReport | undefined) {
    if (!report) return null;
    return {
        state: report.state,
        id: report.id,
        time: report.time.toISOString(),
        completed: report.completed?.toISOString() ?? null,
        ageSeconds: Math.round(report.ageMs / 1000),
        lagThresholdSeconds: report.thresholdMs / 1000,
        missing: report.missing,
        message: report.line,
    };
}

async function status(options: BackupsStatusOptions, { io, readStack, connect }: CommandContext): Promise<number> {
    const stack = options.stack === undefined ? undefined : readStack(options.stack);
    // --schedule, else the stack's, else (undefined) the cluster's Velero Schedules.
    const choose: ScheduleChoice | undefined =
        options.schedule !== undefined ? { schedule: options.schedule, from: "--schedule", notes: [] } : stack ? { ...stack.schedule(), notes: [] } : undefined;
    const cluster = await connect(options.cluster, stack);
    const json = options.json;
    const now = io.now();
    // The schedule first: without one there is nothing to judge against, whatever the catalogue holds.
    const choice = choose ?? (await clusterSchedule(cluster, now));
    const [location, catalogue] = await Promise.all([cluster.location(), loadCatalogue(cluster, io)]);
    const { schedule } = choice;
    const health = backupHealth({ now, schedule, location, ...catalogue, supersetBackups: judgedSuperset(stack, catalogue.supersetBackups) });
    const vault = await vaultReport(options, stack, health.newestComplete, io);
    if (vault?.problem) health.problems.push(vault.problem);
    const healthy = health.problems.length === 0;
    if (json) {
        const report = {
            healthy,
            location: location
                ? { name: location.name, phase: location.phase ?? null, lastSynced: location.lastSynced?.toISOString() ?? null }
                : null,
            schedule,
            scheduleFrom: choice.from,
            scheduleNotes: choice.notes,
            intervalSeconds: health.intervalMs / 1000,
            graceSeconds: health.graceMs / 1000,
            ageFrom: "completion",
            services: health.services.map((s) => ({
                service: s.service,
                newest: s.newest ?? null,
                time: s.time?.toISOString() ?? null,
                timeIs: s.basis ?? null,
                ageSeconds: s.ageMs === undefined ? null : Math.round(s.ageMs / 1000),
                onTime: s.onTime,
                running: s.running ? { name: s.running.name, started: s.running.started.toISOString() } : null,
            })),
            newestComplete: health.newestComplete ? pointJson(health.newestComplete) : null,
            vault: vaultJson(vault),
            problems: health.problems,
        };
        io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        return healthy ? 0 : 1;
    }
    const lines: string[] = [];
    lines.push(
        location
            ? `location ${location.name}: ${location.phase ?? "no phase"}, last synced ${location.lastSynced ? `${utcMinute(location.lastSynced)} UTC` : "never"}`
            : `location: not found`,
    );
    lines.push(`schedule ${schedule} (from ${choice.from}): every ${formatDuration(health.intervalMs)}`);
    for (const note of choice.notes) lines.push(`  note: ${note}`);
    lines.push(`a backup is overdue once it completed more than ${formatDuration(health.intervalMs + health.graceMs)} ago (the interval plus ${formatDuration(health.graceMs)} grace)`);
    lines.push("");
    const rows = health.services.map((s) => [
        s.service,
        s.newest ?? "-",
        s.time ? `${utcMinute(s.time)}${s.basis === "started" ? " (start)" : ""}` : "-",
        s.ageMs === undefined ? "-" : formatDuration(s.ageMs),
        s.onTime ? "yes" : "NO",
    ]);
    lines.push(table(["SERVICE", "NEWEST SUCCESSFUL", "COMPLETED (UTC)", "AGE", "ON TIME"], rows));
    const footnotes: string[] = [];
    for (const s of health.services) {
        if (s.running) {
            footnotes.push(`${s.service}: ${s.running.name} is running, started ${utcMinute(s.running.started)} UTC; the age counts from the previous completed backup`);
        }
        if (s.basis === "started") footnotes.push(`${s.service}: ${s.newest} records no completion time; its age counts from its start`);
    }
    if (footnotes.length > 0) lines.push("", ...footnotes);
    lines.push("");
    const complete = health.newestComplete;
    lines.push(`newest complete restore point: ${complete ? `${complete.id} (${utcMinute(complete.time)} UTC)` : "none"}`);
    if (vault && !vault.problem) lines.push(vault.line);
    if (healthy) {
        lines.push("healthy");
    } else {
        lines.push(`unhealthy (${health.problems.length} problem${health.problems.length === 1 ? "" : "s"}):`);
        for (const problem of health.problems) lines.push(`  - ${problem}`);
    }
    io.stdout(`${lines.join("\n")}\n`);
    return healthy ? 0 : 1;
}

/** --vault-lag: whole minutes, 1 to a week; only with --stack, which names the vault. */
function vaultLagOption(values: OptionValues): number {
    if (values["vault-lag"] === undefined) return VAULT_LAG_DEFAULT_MINUTES;
    const minutes = Number(values["vault-lag"]);
    if (!/^\d+$/.test(values["vault-lag"]) || minutes < 1 || minutes > VAULT_LAG_MAX_MINUTES) {
        throw badValue(values, "vault-lag", `must be a whole number of minutes from 1 to ${VAULT_LAG_MAX_MINUTES}`, "backups status");
    }
    if (values.stack === undefined) throw new UsageError("--vault-lag applies only with --stack, whose hopsworks-dr:vault names the vault", "backups status");
    return minutes;
}

export const backupsStatus: Command<BackupsStatusOptions> = {
    spec: {
        name: "backups status",
        title: "Check that backups are healthy and on time",
        synopsis: "[--schedule <cron>] [--stack <name> [--vault-lag <minutes>]] [--json]",
        summary: "exit 0 when backups are healthy, 1 otherwise",
        description:
            "Whether backups are healthy, for cron or CI: the location hopsworks-bsl is Available and has synced, and every\n" +
            "service (RonDB, OpenSearch, Velero main and users, and from Hopsworks 5.2 Superset: a stack on 5.2 or later, or\n" +
            "without --stack a cluster with superset-backups-metadata) has a successful backup that completed less than the schedule's\n" +
            "interval plus one hour of grace (at most the interval) ago, as has a complete restore point. Ages count from a\n" +
            "backup's completion; a backup still running is named, and the age counts from the previous completed one.\n\n" +
            "The schedule is --schedule, else the stack's hopsworks-dr:backup.schedule (--stack), else the cluster's Velero\n" +
            "Schedules k8s-backups-main and k8s-backups-users-resources (the longer interval when they differ). The output\n" +
            "says which schedule was used and where it came from.\n\n" +
            "With --stack and a stack that declares a vault (hopsworks-dr:vault), it also checks that the newest complete\n" +
            "restore point is in the vault: any object under rondb_backup/<id>/ (ListObjectsV2) and both Velero backups'\n" +
            "velero-backup.json (HeadObject), read with the environment's keys or the AWS default chain. Missing objects of a\n" +
            `point that completed less than --vault-lag minutes ago (default ${VAULT_LAG_DEFAULT_MINUTES}) are still replicating; older, replication\n` +
            "lags and the backups are unhealthy, as they are when the vault cannot be read (s3:ListBucket and s3:GetObject on it).",
        options: ["schedule", "stack", "vault-lag", "json", ...CLUSTER_OPTIONS],
        optionHelp: {
            schedule: "the backup schedule to judge against, a 5-field cron expression or a macro such as @weekly; overrides the stack's and the cluster's",
            stack: "read Pulumi.<name>.yaml in the working directory: its backup.schedule and namespaces, and its vault to check",
        },
        examples: [
            ["In a cron job: the schedule comes from the cluster's Velero Schedules", "hopsworks-dr backups status"],
            ["Against the schedule and namespaces a stack declares, as JSON", "hopsworks-dr backups status --stack prod --json"],
            ["Against a given schedule", "hopsworks-dr backups status --schedule '0 3 * * 0'"],
        ],
        exitStatus: "0 healthy, 1 unhealthy or an error, 2 a usage error",
    },
    options: (values) => {
        const problem = values.schedule === undefined ? undefined : scheduleProblem(values.schedule);
        if (problem) throw badValue(values, "schedule", problem, "backups status");
        return { schedule: values.schedule, stack: values.stack, vaultLagMinutes: vaultLagOption(values), json: values.json === true, cluster: clusterFlags(values) };
    },
    run: status,
};
