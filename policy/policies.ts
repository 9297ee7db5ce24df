/**
 * The hopsworks-dr policies, checked by `pulumi preview --policy-pack policy` in every pull
 * request. They are deliberately independent of the program's own code (stacks/): a guardrail
 * that reused the program's logic would agree with its bugs.
 *
 * Policies see resources, not stack outputs, so the restore mode is derived from them
 * (restoreModeOf): Velero Restore resources present = a new-cluster restore in flight; the
 * Hopsworks release's `global._hopsworks.restoreFromBackup.inPlace: true` = an in-place restore;
 * its restoreFromBackup.superset.enabled without a backupId = a Superset-only restore (Hopsworks 5.2);
 * none of these = mode none.
 *
 * Kept apart from index.ts because `new PolicyPack(...)` starts a gRPC server: tests import this
 * module and call `validateResource` / `validateStack` directly.
 */
import type {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import { ttlDays } from "../stacks/config/ttl";
import { productionStackHasBackupAlerts } from "./monitoring";

export const TYPES = {
    bucket: "aws:s3/bucket:Bucket",
    bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
    bucketLifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    release: "kubernetes:helm.sh/v3:Release",
    secret: "kubernetes:core/v1:Secret",
    backupLocation: "kubernetes:velero.io/v1:BackupStorageLocation",
    veleroRestore: "kubernetes:velero.io/v1:Restore",
    bucketReplication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
} as const;

export type RestoreMode = "none" | "new-cluster" | "in-place" | "superset";

type Values = Record<string, any>;

/** The Hopsworks release is the one whose values carry `global._hopsworks` (the chart's namespace for backups). */
export function isHopsworksRelease(resource: { type: string; props: Record<string, any> }): boolean {
    return resource.type === TYPES.release && typeof resource.props.values?.global?._hopsworks === "object";
}

/**
 * The Velero release: the vmware-tanzu chart, whatever the release name or where it comes from
 * (a repository's "velero", oci://<registry>/<path>/velero, a local velero/ directory or velero-<version>.tgz).
 */
export function isVeleroRelease(resource: { type: string; props: Record<string, any> }): boolean {
    const chart = resource.props.chart;
    return resource.type === TYPES.release && typeof chart === "string" && /(^|\/)velero(-\d[\w.+-]*\.tgz)?\/?$/.test(chart);
}

function restoreFromBackupOf(release: { props: Record<string, any> }): Values | undefined {
    const block = release.props.values?.global?._hopsworks?.restoreFromBackup;
    return typeof block === "object" && block !== null ? block : undefined;
}

/** What restore, if any, the stack's resources declare (see the module comment). */
export function restoreModeOf(resources: PolicyResource[]): RestoreMode {
    if (resources.some((r) => r.type === TYPES.veleroRestore)) return "new-cluster";
    if (resources.some((r) => isHopsworksRelease(r) && restoreFromBackupOf(r)?.inPlace === true)) return "in-place";
    // A Superset-only restore (Hopsworks 5.2): restoreFromBackup.superset.enabled and no platform backup ID.
    if (resources.some((r) => isHopsworksRelease(r) && restoreFromBackupOf(r)?.superset?.enabled === true && restoreFromBackupOf(r)?.backupId === undefined)) return "superset";
    return "none";
}

/** Whole days a Velero/chart ttl ("60d", "720h") covers, rounded up; undefined when not of that form. */
export function ttlInDays(ttl: unknown): number | undefined {
    return typeof ttl === "string" ? ttlDays(ttl) : undefined;
}

/** The provider may give nested blocks as an object or as a one-element list (older schemas). */
function block(value: unknown): Values | undefined {
    const single = Array.isArray(value) ? value[0] : value;
    return typeof single === "object" && single !== null ? (single as Values) : undefined;
}

const isSet = (value: unknown) => value !== undefined && value !== null && value !== "";

function resourcePolicy(
    policy: Omit<ResourceValidationPolicy, "validateResource">,
    type: string,
    validate: (args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidationPolicy {
    return {
        ...policy,
        validateResource: (args, report) => {
            if (args.type === type) validate(args, report);
        },
    };
}

export const bucketVersioningEnabled = resourcePolicy(
    {
        name: "backup-bucket-versioning-enabled",
        description: "The backup bucket keeps versions: HopsFS backups are the noncurrent versions of its blocks.",
        enforcementLevel: "mandatory",
    },
    TYPES.bucketVersioning,
    (args, report) => {
        const status = block(args.props.versioningConfiguration)?.status;
        if (status !== "Enabled") {
            report(
                `Versioning of bucket ${args.props.bucket} is ${status ?? "not set"}: HopsFS backups need it. ` +
                    `Set versioningConfiguration.status to "Enabled".`,
            );
        }
    },
);

export const bucketLifecycleKeepsBackups: StackValidationPolicy = {
    name: "backup-bucket-lifecycle-keeps-backups",
    description:
        "The lifecycle rules keep noncurrent versions at least as long as the backup ttl, never expire current objects and never expire by version count.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const hopsworks = args.resources.find(isHopsworksRelease);
        const ttl = hopsworks?.props.values?.global?._hopsworks?.backups?.ttl;
        const ttlDays = ttlInDays(ttl);
        for (const lifecycle of args.resources.filter((r) => r.type === TYPES.bucketLifecycle)) {
            const bucket = lifecycle.props.bucket;
            for (const rule of (lifecycle.props.rules ?? []) as Values[]) {
                if (rule.status === "Disabled") continue;
                const where = `Lifecycle rule ${rule.id ?? "(no id)"} of bucket ${bucket}`;
                const expiration = block(rule.expiration);
                if (isSet(expiration?.days) || isSet(expiration?.date)) {
                    report(
                        `${where} expires current objects (expiration ${isSet(expiration?.days) ? `days ${expiration?.days}` : `date ${expiration?.date}`}): ` +
                            `that deletes live HopsFS blocks. Remove expiration.days and expiration.date; keep only expiredObjectDeleteMarker.`,
                        lifecycle.urn,
                    );
                }
                const noncurrent = block(rule.noncurrentVersionExpiration);
                if (isSet(noncurrent?.newerNoncurrentVersions)) {
                    report(
                        `${where} sets noncurrentVersionExpiration.newerNoncurrentVersions ${noncurrent?.newerNoncurrentVersions}: ` +
                            `it deletes versions by count, whatever their age, so backups within the ttl lose their blocks. Remove it.`,
                        lifecycle.urn,
                    );
                }
                const days = noncurrent?.noncurrentDays;
                if (isSet(days) && ttlDays !== undefined && Number(days) < ttlDays) {
                    report(
                        `${where} keeps noncurrent versions ${days} days, less than the backup ttl ${ttl} (${ttlDays} days): ` +
                            `backups older than ${days} days would lose their HopsFS blocks. ` +
                            `Set hopsworks-dr:backup.noncurrentVersionDays to at least ${ttlDays}, or unset it.`,
                        lifecycle.urn,
                    );
                }
            }
        }
        if (hopsworks !== undefined && ttlDays === undefined) {
            report(
                `The Hopsworks release has no backup ttl in global._hopsworks.backups.ttl (found ${JSON.stringify(ttl)}), ` +
                    `so the lifecycle cannot be checked against it. Set hopsworks-dr:backup.ttl, e.g. "60d".`,
                hopsworks.urn,
            );
        }
    },
};

export const bucketProtected: StackValidationPolicy = {
    name: "backup-bucket-protected",
    description: "The backup bucket is protected, so `pulumi destroy` or a rename cannot delete every backup.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const bucket of args.resources.filter((r) => r.type === TYPES.bucket)) {
            if (bucket.opts?.protect !== true) {
                report(
                    `Bucket ${bucket.props.bucket} (${bucket.name}) is not protected: deleting it deletes every backup. ` +
                        `Declare it with the resource option protect: true (components/backup-bucket.ts).`,
                    bucket.urn,
                );
            }
        }
    },
};

export const veleroReleaseOwnsNoLocationOrSecret = resourcePolicy(
    {
        name: "velero-release-owns-no-location-or-secret",
        description: "The Velero release takes no volume snapshots and creates no backup location or credentials Secret: the stack owns those.",
        enforcementLevel: "mandatory",
    },
    TYPES.release,
    (args, report) => {
        if (!isVeleroRelease(args)) return;
        const values: Values = args.props.values ?? {};
        // The chart's defaults are the unsafe ones (snapshots on, a credentials Secret), so absence is a violation too.
        if (values.snapshotsEnabled !== false) {
            report(
                `Velero values set snapshotsEnabled ${JSON.stringify(values.snapshotsEnabled ?? "unset (chart default true)")}: ` +
                    `the chart then renders a VolumeSnapshotLocation with no provider. Set snapshotsEnabled: false.`,
            );
        }
        const locations = values.configuration?.backupStorageLocation;
        if (Array.isArray(locations) ? locations.length > 0 : isSet(locations)) {
            report(
                `Velero values declare configuration.backupStorageLocation: the chart would create a location beside the stack's hopsworks-bsl. ` +
                    `Set configuration.backupStorageLocation: [].`,
            );
        } else if (!Array.isArray(locations)) {
            // What the provider makes of [] without allowNullValues: the chart's default list applies.
            report(
                `Velero values leave configuration.backupStorageLocation unset: the chart then creates its default location "default", ` +
                    `with no provider, beside hopsworks-bsl. Set configuration.backupStorageLocation: [] (and allowNullValues: true on the release, ` +
                    `or the provider drops the empty list).`,
            );
        }
        const snapshotLocations = values.configuration?.volumeSnapshotLocation;
        if (Array.isArray(snapshotLocations) ? snapshotLocations.length > 0 : isSet(snapshotLocations)) {
            report(`Velero values declare configuration.volumeSnapshotLocation: snapshots are off. Remove it.`);
        }
        if (values.credentials?.useSecret !== false) {
            report(
                `Velero values set credentials.useSecret ${JSON.stringify(values.credentials?.useSecret ?? "unset (chart default true)")}: ` +
                    `the chart would create a credentials Secret of its own. Set credentials.useSecret: false; ` +
                    `the location's credentials Secret belongs to the stack.`,
            );
        }
    },
);

/**
 * Keys whose value is a credential, compared lowercased without separators by their ending
 * (password, bindPassword, secretKey, secretAccessKey, accessKey, token, apiKey, clientSecret),
 * and values that are credentials whatever their key. A key that names where a credential is
 * (access_key_id, passwordSecretName, secretKeyRef) does not end so. Written apart from the
 * program's own check of values files (stacks/config/values-files.ts), on purpose.
 */
const CREDENTIAL_KEY_ENDINGS = ["password", "passwd", "secretkey", "secretaccesskey", "accesskey", "token", "apikey", "clientsecret"];
const CREDENTIAL_VALUES: [RegExp, string][] = [
    [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/, "an AWS access key ID"],
    [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a PEM private key"],
];

/** Where a values tree holds a recognisable credential, as "path (why)"; never the value. */
export function credentialsIn(value: unknown, at = ""): string[] {
    if (Array.isArray(value)) return value.flatMap((v, i) => credentialsIn(v, `${at}[${i}]`));
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([key, v]) => {
            const path = at ? `${at}.${key}` : key;
            const name = key.toLowerCase().replace(/[^a-z0-9]/g, "");
            const ending = CREDENTIAL_KEY_ENDINGS.find((e) => name.endsWith(e));
            if (ending && typeof v === "string" && v.trim() !== "") return [`${path} (a key named ${key})`];
            return credentialsIn(v, path);
        });
    }
    if (typeof value === "string") {
        const found = CREDENTIAL_VALUES.find(([pattern]) => pattern.test(value));
        if (found) return [`${at} (${found[1]})`];
    }
    return [];
}

/**
 * Helm values are stored in the state in plain text and shown in the pull-request diff; the
 * Kubernetes SDK marks a Secret's data secret by itself, but nothing marks a release's values.
 */
export const helmValuesCarryNoPlainSecrets = resourcePolicy(
    {
        name: "helm-values-carry-no-plain-secrets",
        description:
            "No Helm release's values carry a recognisable credential (a non-empty value under a key such as password, secretKey, accessKey or token, an AWS access key ID, a private key): values are stored in plain text.",
        enforcementLevel: "mandatory",
    },
    TYPES.release,
    (args, report) => {
        const found = credentialsIn(args.props.values ?? {});
        if (found.length === 0) return;
        report(
            `Helm release ${args.props.namespace ?? ""}/${args.props.name ?? args.name} carries ${found.length === 1 ? "a recognisable secret" : "recognisable secrets"} ` +
                `in its values, stored in plain text in the state and shown in the pull-request diff: ${found.join(", ")}. ` +
                "Remove them from the values files; put them in a Kubernetes Secret the chart references, or in secret config " +
                "(`pulumi config set --secret`) for the credentials the stack's config takes.",
        );
    },
);

export const inPlaceRestoreForcesDataClear = resourcePolicy(
    {
        name: "in-place-restore-forces-data-clear",
        description: "An in-place restore (restoreFromBackup.inPlace: true) also sets forceDataClear: true, as the chart and the manual require.",
        enforcementLevel: "mandatory",
    },
    TYPES.release,
    (args, report) => {
        if (!isHopsworksRelease(args)) return;
        const restore = restoreFromBackupOf(args);
        if (restore?.inPlace === true && restore.forceDataClear !== true) {
            report(
                `The Hopsworks release restores backup ${restore.backupId} in place without forceDataClear: true ` +
                    `(found ${JSON.stringify(restore.forceDataClear ?? "unset")}). ` +
                    `Set hopsworks-dr:restore.forceDataClear true and restore.confirm <stack>/${restore.backupId}.`,
            );
        }
    },
);

export const restoreValuesNeedARestore: StackValidationPolicy = {
    name: "restore-values-need-a-restore",
    description:
        "The Hopsworks release carries restoreFromBackup only while a restore is in flight (Velero Restores declared, or inPlace: true); a left-over block makes later upgrades fail.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        if (restoreModeOf(args.resources) !== "none") return;
        for (const release of args.resources.filter(isHopsworksRelease)) {
            const restore = restoreFromBackupOf(release);
            if (restore !== undefined) {
                report(
                    `The Hopsworks release carries restoreFromBackup (backup ${restore.backupId}) but the stack's restore mode is none ` +
                        `(no Velero Restore and no inPlace: true): the chart would fail this and every later upgrade. ` +
                        `Remove restoreFromBackup from the values (it comes only from hopsworks-dr:restore), ` +
                        `or set restore.mode new-cluster or in-place to restore.`,
                    release.urn,
                );
            }
        }
    },
};

export const locationReadOnlyDuringRestore: StackValidationPolicy = {
    name: "backup-location-read-only-during-restore",
    description: "The backup location is ReadOnly exactly while a new-cluster restore is in flight, and ReadWrite otherwise.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const restores = args.resources.filter((r) => r.type === TYPES.veleroRestore);
        for (const location of args.resources.filter((r) => r.type === TYPES.backupLocation)) {
            // Velero's default access mode is ReadWrite.
            const accessMode = location.props.spec?.accessMode ?? "ReadWrite";
            const name = `${location.props.metadata?.namespace}/${location.props.metadata?.name}`;
            if (restores.length > 0 && accessMode !== "ReadOnly") {
                report(
                    `Backup location ${name} is ${accessMode} while Velero restores ${restores.map((r) => r.props.metadata?.name ?? r.name).join(", ")} ` +
                        `are declared: the new cluster could prune or overwrite the backups it restores from. Set spec.accessMode: ReadOnly until restore.mode is none again.`,
                    location.urn,
                );
            }
            if (restores.length === 0 && accessMode !== "ReadWrite") {
                report(
                    `Backup location ${name} is ${accessMode} but no Velero restore is declared: scheduled backups would fail. ` +
                        `Set spec.accessMode: ReadWrite (it is ReadOnly only during a new-cluster restore).`,
                    location.urn,
                );
            }
        }
    },
};

export const restoreInFlight: StackValidationPolicy = {
    name: "restore-in-flight",
    description: "Advisory: this change deploys a restore, so reviewers see it at a glance.",
    enforcementLevel: "advisory",
    validateStack: (args, report) => {
        const mode = restoreModeOf(args.resources);
        if (mode === "none") return;
        const hopsworks = args.resources.find(isHopsworksRelease);
        const block = hopsworks ? restoreFromBackupOf(hopsworks) : undefined;
        const backupId = mode === "superset" ? block?.superset?.backupId : block?.backupId;
        const what =
            mode === "new-cluster"
                ? "installs Hopsworks from it after the Velero restores, with the backup location ReadOnly"
                : mode === "superset"
                  ? "REPLACES the running Superset database (dashboards, charts, connections, users) with it"
                  : "REPLACES the running installation's data with it";
        report(
            `This stack deploys ${mode === "in-place" ? "an" : "a"} ${mode} restore of backup ${backupId ?? "(unknown)"}: it ${what}. ` +
                `Check the backup ID and the stack before approving; once it has completed, set hopsworks-dr:restore.mode none and deploy again.`,
        );
    },
};

export const replicationKeepsDeleteMarkersOut = resourcePolicy(
    {
        name: "vault-replication-keeps-delete-markers-out",
        description: "Replication into the vault never carries delete markers: a deletion in the primary must not hide a backup in the vault.",
        enforcementLevel: "mandatory",
    },
    TYPES.bucketReplication,
    (args, report) => {
        const rules: Values[] = Array.isArray(args.props.rules) ? args.props.rules : [];
        rules.forEach((rule, i) => {
            const status = block(rule.deleteMarkerReplication)?.status;
            // A rule without a filter is S3's V1 schema, which replicates delete markers whatever it says.
            if (status === "Enabled" || rule.filter === undefined || rule.filter === null) {
                report(
                    `Replication rule ${rule.id ?? `#${i + 1}`} of bucket ${args.props.bucket} replicates delete markers ` +
                        `(${status === "Enabled" ? "deleteMarkerReplication.status Enabled" : "no filter: S3's V1 rule schema"}): a deletion in the primary ` +
                        `would hide the backup in the vault too. Give it filter { prefix: "" } and deleteMarkerReplication.status "Disabled" (stacks/plan/vault.ts).`,
                );
            }
        });
    },
);

export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    bucketVersioningEnabled,
    bucketLifecycleKeepsBackups,
    bucketProtected,
    veleroReleaseOwnsNoLocationOrSecret,
    helmValuesCarryNoPlainSecrets,
    inPlaceRestoreForcesDataClear,
    restoreValuesNeedARestore,
    locationReadOnlyDuringRestore,
    restoreInFlight,
    productionStackHasBackupAlerts,
    replicationKeepsDeleteMarkersOut,
];
