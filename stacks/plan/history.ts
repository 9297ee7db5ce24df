import { StackConfig } from "../config/stack-config";
import { CONFIG_NAMESPACE } from "../names";
import { ConfigProblem } from "../config/reader";
import { RestorePlan } from "./restore";

/**
 * The stack's history, as its outputs carry it from one deployment to the next: what a
 * deployment records (recordedHistory), what the next one reads back (PreviousState), and what a
 * restore is checked against (checkAgainstPreviousState). Pure: program/previous-state.ts reads
 * the outputs, index.ts writes them.
 */

/** What earlier deployments of this stack recorded in its outputs (recordedHistory). */
export interface PreviousState {
    /** When this stack first installed the Hopsworks release; unset before it has one. */
    hopsworksInstalledAt?: string;
    /** The backup that install restored, for a new-cluster restore. */
    installedFromBackup?: string;
    /** The restore the last successful deployment applied, until a deployment with mode none. */
    activeRestore?: AppliedRestore;
    restoreHistory: AppliedRestore[];
    /**
     * Whether hopsworksInstalledAt has been compared with Helm's record of the release's first
     * deployment (adoptedInstallTime), or the release was installed afresh by a new-cluster restore.
     * From then on no reading of that record can move the time earlier, so it is not read again.
     * Absent (false) in outputs older than this key.
     */
    installTimeChecked?: boolean;
}

export interface AppliedRestore {
    mode: "new-cluster" | "in-place" | "superset";
    backupId: string;
    appliedAt: string;
    /** restore.attempt of a new-cluster restore; absent (1) in outputs older than that key. */
    attempt?: number;
    /** A Superset-only restore's restore.superset.initiatedBy: a new one is a new attempt of it. Absent in outputs older than that key. */
    initiatedBy?: string;
}

/** The checks that need the stack's previous outputs; the offline render lists them as not evaluated. */
export const STATE_CHECKS: Record<"new-cluster" | "in-place" | "superset", string[]> = {
    "new-cluster": [
        "this restore was not already applied by an earlier deployment",
        "a stack never deployed before (a restore into a new stack) does not create the bucket it restores from (storage.create: true is refused there)",
    ],
    "in-place": [
        "the stack has a running Hopsworks release (in-place restore upgrades it)",
        "the backup was taken after the cluster's last fresh install (certificates are regenerated on install)",
        "this restore was not already applied by an earlier deployment",
    ],
    superset: [
        "the stack has a running Hopsworks release (a Superset restore upgrades it)",
        "this restore was not already applied by an earlier deployment",
    ],
};

/** Refusals that need the stack's previous state: each names the key to change and what to do. */
export function checkAgainstPreviousState(config: StackConfig, restore: RestorePlan, previous: PreviousState): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const refuse = (key: string, message: string) => problems.push({ key, message: `${CONFIG_NAMESPACE}:${key} ${message}` });
    if (restoresIntoNewStackCreatingBucket(config, restore, previous)) {
        refuse(
            "storage.create",
            `= true (the default): stack ${config.stack} has never been deployed, so this new-cluster restore is a restore into a new stack, ` +
                `and it would create bucket ${config.storage.bucket}, which holds the backups it restores from and so exists already ` +
                "(S3 refuses to create it, or in us-east-1 hands it over to this stack). Leave the bucket to the stack or team that " +
                `manages it: pulumi config set --path storage.manage false -s ${config.stack} (the stack then only checks its versioning ` +
                "and lifecycle; with storage.irsa, give the role as storage.iamRoleArn instead). Or, if this stack takes the bucket's " +
                `settings over for good: storage.create false and storage.replaceLifecycleRules true`,
        );
        return problems;
    }
    const active = previous.activeRestore;
    // A raised restore.attempt runs the Velero restores of the same backup again, on purpose; a new
    // initiatedBy runs a Superset-only restore again (after a failed one: the chart makes its Job anew).
    const sameAttempt =
        restore.mode === "new-cluster" ? (active?.attempt ?? 1) === config.restore.attempt
        : restore.mode === "superset" ? active?.initiatedBy === undefined || active.initiatedBy === restore.superset?.initiatedBy
        : true;
    if (active && active.mode === restore.mode && active.backupId === restore.backupId && sameAttempt) {
        refuse(
            "restore.mode",
            `= ${JSON.stringify(restore.mode)}: the ${restore.mode} restore of backup ${restore.backupId} was already applied at ${active.appliedAt}; ` +
                `set restore.mode: none to finish it (the chart fails later upgrades that still carry restoreFromBackup)` +
                (restore.mode === "new-cluster" ? `, or raise restore.attempt to run its Velero restores again` : "") +
                (restore.mode === "superset" ? `, or give restore.superset.initiatedBy a new value to run it again (after a failed one, as docs/runbooks/superset-restore.md says)` : ""),
        );
        return problems;
    }
    if (restore.mode === "superset" && !previous.hopsworksInstalledAt) {
        refuse(
            "restore.mode",
            `= "superset": stack ${config.stack} has no Hopsworks release yet; a Superset restore reloads the database of a running installation: ` +
                "deploy first, or restore Superset with the platform (restore.superset with restore.mode new-cluster)",
        );
    }
    if (restore.mode === "in-place") {
        if (!previous.hopsworksInstalledAt) {
            refuse(
                "restore.mode",
                `= "in-place": stack ${config.stack} has no Hopsworks release yet; in-place restore works only on a running installation ` +
                    "(the chart refuses it during install): deploy first, or use restore.mode: new-cluster",
            );
        } else if (restore.backupTakenAt < previous.hopsworksInstalledAt) {
            refuse(
                "restore.backupId",
                `= ${JSON.stringify(restore.backupId)}: the backup was taken ${restore.backupTakenAt}, before this cluster's fresh install ` +
                    `at ${previous.hopsworksInstalledAt}, whose regenerated certificates it cannot restore into; ` +
                    "restore it with restore.mode: new-cluster on a new cluster, or pick a backup taken after the install",
            );
        }
    }
    return problems;
}

/**
 * A new-cluster restore on a stack that has never been deployed (it recorded no install and no
 * restore: `pulumi stack init prod-restore`) whose config would create the bucket. The bucket holds
 * the backups being restored, so it exists; a stack that was deployed before holds it in its state
 * (a reused stack's `create: true` is a no-op).
 */
export function restoresIntoNewStackCreatingBucket(config: StackConfig, restore: RestorePlan, previous: PreviousState): boolean {
    const neverDeployed = previous.hopsworksInstalledAt === undefined && previous.restoreHistory.length === 0;
    return restore.mode === "new-cluster" && config.storage.manage && config.storage.create && neverDeployed;
}

/**
 * The previous state with its install time taken from the release's first deployment when that
 * is earlier: a release the stack adopted (imported, or there before the stack's first
 * `pulumi up`) got its certificates then. A later first deployment (the stack installed it) or
 * none (no release yet) leaves the recorded time as it is.
 */
export function adoptedInstallTime(previous: PreviousState, firstDeployed: string | undefined): PreviousState {
    if (firstDeployed === undefined) return previous;
    const checked = { ...previous, installTimeChecked: true };
    if (previous.hopsworksInstalledAt !== undefined && Date.parse(previous.hopsworksInstalledAt) <= Date.parse(firstDeployed)) return checked;
    return { ...checked, hopsworksInstalledAt: firstDeployed };
}

/**
 * Whether this deployment reads Helm's record of the release's first deployment: not once an
 * earlier one has compared it (the read costs every preview a cluster client and a request), and
 * not for a new-cluster restore, which installs afresh.
 */
export function needsHelmInstallRecord(previous: PreviousState | undefined, restore: RestorePlan | undefined): previous is PreviousState {
    return previous !== undefined && !previous.installTimeChecked && restore?.mode !== "new-cluster";
}

/** What a deployment records for the next one: the keys of PreviousState, as outputs. */
export interface RecordedHistory {
    hopsworksInstalledAt: string;
    installedFromBackup: string | null;
    activeRestore: AppliedRestore | null;
    restoreHistory: AppliedRestore[];
    /** PreviousState.installTimeChecked, as the next deployment reads it. */
    hopsworksInstallTimeChecked: boolean;
}

/**
 * What this deployment records: a fresh install (the stack's first, or any new-cluster restore,
 * which installs afresh with new certificates even on a reused stack) takes `now` as the install
 * time and the restored backup; otherwise both carry over. The restore it applies, if any, becomes
 * the active one and joins the history. `attempt` is restore.attempt (new-cluster only).
 */
export function recordedHistory(previous: PreviousState | undefined, restore: RestorePlan | undefined, attempt: number, now: string): RecordedHistory {
    const installingNow = !previous?.hopsworksInstalledAt || restore?.mode === "new-cluster";
    const activeRestore: AppliedRestore | null = restore
        ? {
              mode: restore.mode,
              backupId: restore.backupId,
              appliedAt: now,
              ...(restore.mode === "new-cluster" ? { attempt } : {}),
              ...(restore.mode === "superset" && restore.superset ? { initiatedBy: restore.superset.initiatedBy } : {}),
          }
        : null;
    return {
        hopsworksInstalledAt: installingNow ? now : previous!.hopsworksInstalledAt!,
        installedFromBackup: installingNow ? (restore?.mode === "new-cluster" ? restore.backupId : null) : (previous?.installedFromBackup ?? null),
        activeRestore,
        restoreHistory: [...(previous?.restoreHistory ?? []), ...(activeRestore ? [activeRestore] : [])],
        // A new-cluster restore's install is fresh, so its time is Helm's too; a first install is
        // compared at the next deployment, once the release exists.
        hopsworksInstallTimeChecked: installingNow ? restore?.mode === "new-cluster" : previous?.installTimeChecked === true,
    };
}
