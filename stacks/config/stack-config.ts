import { BACKUP_ID_EXPECTED, backupIdTime } from "../catalogue/backup-id";
import { LIFECYCLE_RULE_ID } from "../plan/bucket";
import { CHART_SOURCE_FORMS, checkChartSource, chartSourceKind, ExpectedChart } from "./chart-source";
import { ConfigError, ConfigReader, ConfigSource } from "./reader";
import { formatDuration } from "../catalogue/restore-points";
import { scheduleLongestIntervalMs, scheduleProblem, SCHEDULE_EXPECTED } from "../catalogue/schedule";
import { SecretValue } from "./secret";
import { MAX_NONCURRENT_DAYS, MAX_TTL_DAYS, ttlDays, ttlHours, TTL_EXPECTED } from "./ttl";
import { VELERO_BACKUP_NAME, VELERO_SCHEDULES } from "../plan/location";
import { MonitoringConfig, MONITORING_KEYS, readMonitoring } from "./monitoring";
import { loadValuesFiles, ValuesFile } from "./values-files";
import { LIMITS, oneOf } from "./limits";

export interface StorageConfig {
    bucket: string;
    /**
     * false: the bucket is managed outside the stack (a storage team, the Hopsworks installer for
     * HopsFS); the stack declares no AWS resource and only checks the bucket's versioning and lifecycle.
     */
    manage: boolean;
    /** false: the bucket exists (e.g. HopsFS's own) and only its versioning, lifecycle and (when set) encryption are managed. */
    create: boolean;
    /**
     * An adopted bucket's acknowledgement that its whole lifecycle configuration is replaced by the
     * stack's (BucketLifecycleConfiguration owns every rule of the bucket); required with create false.
     */
    replaceLifecycleRules: boolean;
    region: string;
    /** Set for S3-compatible stores (MinIO, Ceph, ...); unset means AWS S3. Velero (in the cluster) uses it. */
    endpoint?: string;
    /** Where the machine running `pulumi` reaches the store; storage.endpoint unless set. Unset on AWS. */
    apiEndpoint?: string;
    forcePathStyle: boolean;
    insecureSkipTLSVerify: boolean;
    /** PEM bundle the store's TLS certificate is checked against. */
    caCert?: string;
    /** Unset on AWS (the plugin's default applies); "" by default for S3-compatible stores. */
    checksumAlgorithm?: string;
    /** Default bucket encryption; "none" leaves the store's own setting alone (the default for S3-compatible stores and adopted buckets). */
    serverSideEncryption: "AES256" | "aws:kms" | "none";
    credentials?: { accessKeyId: SecretValue; secretAccessKey: SecretValue };
    iamRoleArn?: string;
    irsa?: { oidcProviderArn: string; oidcProviderUrl: string };
    kmsKeyArn?: string;
    /**
     * Taking over a hopsworks-bsl (and its credentials Secret) that the Hopsworks chart or a person
     * made: both carry pulumi.com/patchForce, so the update takes the fields Helm or kubectl own,
     * and the location helm.sh/resource-policy: keep, so Helm does not delete it (docs/runbooks/enable-backups.md).
     */
    adoptLocation: boolean;
}

export interface BackupConfig {
    enabled: boolean;
    schedule: string;
    ttl: string;
    ttlDays: number;
    noncurrentVersionDays: number;
}

export interface VeleroConfig {
    namespace: string;
    /** Where the chart comes from: a repository URL, an oci:// registry path, or an absolute local path (stacks/chart-source.ts). */
    repo: string;
    chartVersion: string;
    pluginImage: string;
    image?: string;
    /** The CRD-upgrade job's kubectl image repository; unset: the chart's docker.io/bitnamilegacy/kubectl. */
    kubectlImageRepository?: string;
    /** Its tag; unset: the chart uses the cluster's <major>.<minor>. */
    kubectlImageTag?: string;
    /** false: the chart runs no CRD-upgrade job (the CRDs are managed another way). */
    upgradeCRDs: boolean;
}

export interface HopsworksConfig {
    namespace: string;
    chart: string;
    /** Where the chart comes from: a repository URL, an oci:// registry path, or an absolute local path (stacks/chart-source.ts). */
    repo: string;
    repoUsername?: SecretValue;
    repoPassword?: SecretValue;
    chartVersion: string;
    version: string;
    valuesFiles: ValuesFile[];
    timeoutSeconds: number;
}

export const RESTORE_MODES = ["none", "new-cluster", "in-place"] as const;
export type RestoreMode = (typeof RESTORE_MODES)[number];

/** In-place restore exists from this Hopsworks version on (the manual). */
export const IN_PLACE_MIN_VERSION = "4.8.0";

export interface RestoreConfig {
    mode: RestoreMode;
    /** The global backup ID; it also drives the HopsFS restore. Set whenever mode is not none. */
    backupId?: string;
    rondbBackupId?: string;
    opensearchSnapshot?: string;
    opensearchSkipIndices: string[];
    /** Velero backup names; both required for a restore unless latestVeleroBackups. */
    veleroBackups: { main?: string; users?: string };
    /**
     * The typed opt-in to restore each schedule's newest Completed backup (Restores by scheduleName),
     * whatever backupId is: true only when set so. Absent or false: veleroBackups must name both.
     */
    latestVeleroBackups?: boolean;
    forceDataClear: boolean;
    confirm?: string;
    /** New-cluster only: bumped to run the Velero restores again (each Restore is recreated). */
    attempt: number;
    /** New-cluster only: "<stack>/<backupId>" accepts Velero restores that ended PartiallyFailed. */
    acceptPartial?: string;
}

export interface StackConfig {
    stack: string;
    storage: StorageConfig;
    backup: BackupConfig;
    velero: VeleroConfig;
    hopsworks: HopsworksConfig;
    restore: RestoreConfig;
    monitoring: MonitoringConfig;
}

export const DEFAULTS = {
    backupSchedule: "@weekly",
    backupTtl: "60d",
    veleroNamespace: "velero",
    veleroRepo: "https://vmware-tanzu.github.io/helm-charts",
    veleroChartVersion: "11.2.0",
    veleroPluginImage: "velero/velero-plugin-for-aws:v1.13.0",
    hopsworksNamespace: "hopsworks",
    hopsworksChart: "hopsworks",
    hopsworksTimeoutSeconds: 1200,
};

/** Chart 11.2.0's kubectl image for its CRD-upgrade job, and the last minor it was published for. */
export const BITNAMI_KUBECTL = "docker.io/bitnamilegacy/kubectl";
export const BITNAMI_KUBECTL_LAST = "1.33";

export const CONFIG_KEYS = {
    storage: [
        "bucket", "manage", "create", "replaceLifecycleRules", "region", "endpoint", "apiEndpoint", "forcePathStyle", "insecureSkipTLSVerify", "caCert",
        "checksumAlgorithm", "serverSideEncryption", "accessKeyId", "secretAccessKey", "iamRoleArn", "irsa", "kmsKeyArn",
        "adoptLocation",
    ],
    irsa: ["oidcProviderArn", "oidcProviderUrl"],
    backup: ["enabled", "schedule", "ttl", "noncurrentVersionDays"],
    velero: ["namespace", "repo", "chartVersion", "pluginImage", "image", "kubectlImageRepository", "kubectlImageTag", "upgradeCRDs"],
    hopsworks: [
        "namespace", "chart", "repo", "repoUsername", "repoPassword", "chartVersion", "version",
        "valuesFiles", "timeoutSeconds",
    ],
    restore: [
        "mode", "backupId", "rondbBackupId", "opensearchSnapshot", "opensearchSkipIndices", "veleroBackups", "attempt", "acceptPartial",
        "backupHopsworksVersion", "forceDataClear", "confirm", "latestVeleroBackups",
    ],
    veleroBackups: ["main", "users"],
    monitoring: MONITORING_KEYS,
} as const;

/** Top-level keys of the `hopsworks-dr:` namespace; later issues add theirs here. */
export const TOP_LEVEL_KEYS = ["storage", "backup", "velero", "hopsworks", "restore", "monitoring"];

const is = (pattern: RegExp) => (v: string) => pattern.test(v);

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NAMESPACE_RULE = {
    max: LIMITS.namespace,
    check: (v: string) => DNS_LABEL.test(v),
    expected: "must be a Kubernetes namespace name (lowercase letters, digits and hyphens, at most 63)",
};
const SEMVER = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
/** An image repository without tag or digest (a registry port only before a slash). */
const IMAGE_REPOSITORY = /^[a-z0-9]+([._\/-][a-z0-9]+)*(:\d+(?=\/))?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const IMAGE = /^[a-z0-9]+([._\/-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/;
// S3 bucket naming rules: 3-63 chars, lowercase, digits, dots, hyphens, no "..", not an IP address.
const BUCKET = /^(?!xn--)(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$/;
const STORE_REGION = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/;
const OIDC_ARN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/(.+)$/;
const KMS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/;
const CHECKSUMS = ["", "CRC32", "CRC32C", "SHA1", "SHA256"];
const SSE = ["AES256", "aws:kms", "none"];

function isUrl(value: string, schemes: string[]): boolean {
    try {
        const url = new URL(value);
        return schemes.includes(url.protocol) && url.hostname !== "";
    } catch {
        return false;
    }
}

/**
 * Turns raw stack config into a validated StackConfig with every default applied, or throws
 * a ConfigError listing every problem. Reads the Hopsworks values files, so their errors are
 * reported together with the rest.
 */
export function readStackConfig(source: ConfigSource): StackConfig {
    const r = new ConfigReader(source);
    for (const key of Object.keys(source.values)) {
        if (!TOP_LEVEL_KEYS.includes(key)) {
            r.problem(key, `is not a known key; valid keys are ${TOP_LEVEL_KEYS.map((k) => `hopsworks-dr:${k}`).join(", ")}`);
        }
    }
    const storage = readStorage(r);
    const backup = readBackup(r);
    const velero = readVelero(r);
    const hopsworks = readHopsworks(r);
    const restore = readRestore(r, hopsworks?.version);
    const monitoring = readMonitoring(r, hopsworks?.namespace ?? DEFAULTS.hopsworksNamespace, backup);
    const backupValues = source.values.backup as Record<string, unknown> | undefined;
    if (storage && !storage.manage && backupValues?.noncurrentVersionDays !== undefined && backupValues.noncurrentVersionDays !== null) {
        r.problem(
            "backup.noncurrentVersionDays",
            "sets the lifecycle rule the stack declares, and storage.manage: false declares none; the bucket's own rules are checked " +
                "against backup.ttl instead: remove it",
        );
    }
    if (r.problems.length > 0 || !storage || !backup || !hopsworks || !restore) throw new ConfigError(r.problems);
    return { stack: source.stack, storage, backup, velero, hopsworks, restore, monitoring };
}

function readStorage(r: ConfigReader): StorageConfig | undefined {
    const s = r.section("storage", CONFIG_KEYS.storage, true);
    const endpoint = r.string(s, "storage.endpoint", {
        max: LIMITS.url,
        check: (v) => isUrl(v, ["http:", "https:"]),
        expected: "must be the http(s) URL of the S3-compatible store, e.g. https://minio.example.com:9000",
    });
    const apiEndpoint = r.string(s, "storage.apiEndpoint", {
        max: LIMITS.url,
        check: (v) => isUrl(v, ["http:", "https:"]),
        expected: "must be the http(s) URL at which the machine running pulumi reaches the store, e.g. https://minio.ci.example.com",
    });
    const given = (key: string) => s[key] !== undefined && s[key] !== null;
    const onAws = !given("endpoint");
    const bucket = r.string(s, "storage.bucket", {
        required: true,
        max: LIMITS.bucket,
        check: is(BUCKET),
        expected: "must be an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit",
    });
    const region = r.string(s, "storage.region", {
        required: true,
        max: LIMITS.region,
        check: is(onAws ? AWS_REGION : STORE_REGION),
        expected: onAws
            ? `must be an AWS region such as "eu-north-1"`
            : `must be the store's region name such as "us-east-1" (MinIO's default)`,
    });
    const manage = r.boolean(s, "storage.manage", true);
    const create = r.boolean(s, "storage.create", true);
    const replaceLifecycleRules = r.boolean(s, "storage.replaceLifecycleRules", false);
    const adoptLocation = r.boolean(s, "storage.adoptLocation", false);
    const forcePathStyle = r.boolean(s, "storage.forcePathStyle", !onAws);
    const insecureSkipTLSVerify = r.boolean(s, "storage.insecureSkipTLSVerify", false);
    const caCert = r.string(s, "storage.caCert", {
        max: LIMITS.caCert,
        check: (v) => v.trim().startsWith("-----BEGIN CERTIFICATE-----"),
        expected: "must be a PEM certificate bundle starting with -----BEGIN CERTIFICATE-----",
    });
    const checksumAlgorithm = r.string(s, "storage.checksumAlgorithm", {
        max: oneOf(CHECKSUMS),
        default: onAws ? undefined : "",
        check: (v) => CHECKSUMS.includes(v),
        expected: `must be one of ${CHECKSUMS.map((c) => JSON.stringify(c)).join(", ")}`,
    });
    // MinIO and Ceph refuse SSE-S3 unless they run a KMS, so S3-compatible stores default to none.
    // An adopted bucket keeps its own default encryption (SSE-KMS, say) unless told otherwise.
    const serverSideEncryption = r.string(s, "storage.serverSideEncryption", {
        max: oneOf(SSE),
        default: onAws && create ? (given("kmsKeyArn") ? "aws:kms" : "AES256") : "none",
        check: (v) => SSE.includes(v),
        expected: `must be one of ${SSE.join(", ")} ("aws:kms" needs storage.kmsKeyArn)`,
    }) as StorageConfig["serverSideEncryption"];
    const accessKeyId = r.secret(s, "storage.accessKeyId", LIMITS.credential);
    const secretAccessKey = r.secret(s, "storage.secretAccessKey", LIMITS.credential);
    const iamRoleArn = r.string(s, "storage.iamRoleArn", {
        max: LIMITS.arn,
        check: is(ROLE_ARN),
        expected: "must be an IAM role ARN such as arn:aws:iam::123456789012:role/velero",
    });
    const irsa = readIrsa(r, s.irsa);
    const kmsKeyArn = r.string(s, "storage.kmsKeyArn", {
        max: LIMITS.arn,
        check: is(KMS_ARN),
        expected: "must be a KMS key or alias ARN such as arn:aws:kms:eu-north-1:123456789012:key/...",
    });

    if (!manage) {
        const outside = "storage.manage: false leaves the bucket to its owners outside the stack";
        for (const key of ["create", "replaceLifecycleRules", "serverSideEncryption", "kmsKeyArn"]) {
            if (given(key)) r.problem(`storage.${key}`, `applies only when the stack manages the bucket; ${outside}: remove it`);
        }
        if (given("irsa")) {
            r.problem(
                "storage.irsa",
                `makes the stack create Velero's IAM role, an AWS resource, and ${outside} and declares none (so no AWS provider ` +
                    "or IAM rights are needed to deploy it): have the role made with the bucket and give it as storage.iamRoleArn, " +
                    "or set storage.manage: true",
            );
        }
    }
    if (manage && !create && !replaceLifecycleRules && (s.replaceLifecycleRules === undefined || s.replaceLifecycleRules === null || s.replaceLifecycleRules === false || s.replaceLifecycleRules === "false")) {
        // S3's PutBucketLifecycleConfiguration (and so BucketLifecycleConfiguration) replaces every rule of the bucket.
        r.invalid(
            "storage.replaceLifecycleRules",
            s.replaceLifecycleRules ?? null,
            `must be true to adopt bucket ${bucket ?? "<bucket>"} (storage.create: false): the stack declares its lifecycle configuration ` +
                "(BucketLifecycleConfiguration), which replaces the bucket's whole lifecycle configuration: every rule it has now is removed " +
                `and only ${LIFECYCLE_RULE_ID} is left. Set storage.replaceLifecycleRules: true to accept that, or storage.manage: false to ` +
                "leave the bucket's settings alone; the stack then only checks its versioning and lifecycle",
        );
    } else if (manage && create && given("replaceLifecycleRules")) {
        r.problem("storage.replaceLifecycleRules", "applies only to an adopted bucket (storage.create: false): a bucket the stack creates has no other lifecycle rules; remove it");
    }
    if (serverSideEncryption === "aws:kms" && !given("kmsKeyArn")) {
        r.invalid("storage.serverSideEncryption", "aws:kms", "needs storage.kmsKeyArn, the key to encrypt with");
    }
    if (onAws) {
        if (given("iamRoleArn") === given("irsa")) {
            r.problem(
                "storage",
                given("iamRoleArn")
                    ? "sets both iamRoleArn and irsa: give one (an existing role for Velero, or irsa to let this stack create it)"
                    : "needs Velero's AWS access: set storage.iamRoleArn (an existing role) or storage.irsa " +
                          "{oidcProviderArn, oidcProviderUrl} (this stack creates the role), or storage.endpoint for an S3-compatible store",
            );
        }
        for (const key of ["accessKeyId", "secretAccessKey", "insecureSkipTLSVerify", "caCert", "apiEndpoint"]) {
            if (given(key)) {
                r.problem(`storage.${key}`, "applies only to S3-compatible stores (storage.endpoint); on AWS S3 Velero uses storage.iamRoleArn or storage.irsa");
            }
        }
    } else {
        for (const key of ["iamRoleArn", "irsa", "kmsKeyArn"]) {
            if (given(key)) {
                r.problem(`storage.${key}`, "applies only to AWS S3; remove it, or remove storage.endpoint to use AWS S3");
            }
        }
        for (const key of ["accessKeyId", "secretAccessKey"]) {
            if (!given(key)) {
                r.problem(
                    `storage.${key}`,
                    `is required for an S3-compatible store: pulumi config set --secret --path storage.${key} <value> -s ${r.source.stack}`,
                );
            }
        }
    }
    if (!bucket || !region) return undefined;
    return {
        bucket,
        manage,
        create,
        replaceLifecycleRules,
        region,
        endpoint,
        apiEndpoint: endpoint === undefined ? undefined : (apiEndpoint ?? endpoint),
        forcePathStyle,
        insecureSkipTLSVerify,
        caCert,
        checksumAlgorithm,
        serverSideEncryption,
        credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
        iamRoleArn,
        irsa,
        kmsKeyArn,
        adoptLocation,
    };
}

function readIrsa(r: ConfigReader, value: unknown): StorageConfig["irsa"] {
    if (value === undefined || value === null) return undefined;
    const o = r.object(value, "storage.irsa", CONFIG_KEYS.irsa);
    if (!o) return undefined;
    const oidcProviderArn = r.string(o, "storage.irsa.oidcProviderArn", {
        required: true,
        max: LIMITS.arn,
        check: is(OIDC_ARN),
        expected: "must be the cluster's IAM OIDC provider ARN, arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>",
    });
    const url = r.string(o, "storage.irsa.oidcProviderUrl", {
        required: true,
        max: LIMITS.oidcProviderUrl,
        check: (v) => /^(https:\/\/)?[a-z0-9.-]+\.[a-z]{2,}(\/[\w.-]+)*$/.test(v),
        expected: "must be the cluster's OIDC issuer, e.g. https://oidc.eks.eu-north-1.amazonaws.com/id/EXAMPLE",
    });
    if (!oidcProviderArn || !url) return undefined;
    // IAM conditions use the issuer without its scheme; it must be the provider the ARN names.
    const oidcProviderUrl = url.replace(/^https:\/\//, "");
    const arnIssuer = OIDC_ARN.exec(oidcProviderArn)![1];
    if (arnIssuer !== oidcProviderUrl) {
        r.invalid("storage.irsa.oidcProviderUrl", url, `must be the issuer the provider ARN names (${arnIssuer})`);
        return undefined;
    }
    return { oidcProviderArn, oidcProviderUrl };
}

function readBackup(r: ConfigReader): BackupConfig | undefined {
    const b = r.section("backup", CONFIG_KEYS.backup);
    const enabled = r.boolean(b, "backup.enabled", true);
    let schedule = r.string(b, "backup.schedule", { default: DEFAULTS.backupSchedule, max: LIMITS.schedule, expected: SCHEDULE_EXPECTED });
    // The parser's own reason ("hour 25 is outside 0-23"), not a generic description of cron.
    const scheduleWrong = b.schedule === undefined || schedule === undefined ? undefined : scheduleProblem(schedule);
    if (scheduleWrong) {
        r.invalid("backup.schedule", schedule, scheduleWrong);
        schedule = undefined;
    }
    let ttl = r.string(b, "backup.ttl", {
        default: DEFAULTS.backupTtl,
        max: LIMITS.ttl,
        check: (v) => ttlDays(v) !== undefined,
        expected: TTL_EXPECTED,
    });
    if (ttl !== undefined && ttlDays(ttl)! > MAX_TTL_DAYS) {
        r.invalid(
            "backup.ttl",
            ttl,
            `must be at most ${MAX_TTL_DAYS} days ("${MAX_TTL_DAYS}d" or "${MAX_TTL_DAYS * 24}h"): Velero keeps backups for a Go duration ` +
                "(at most about 292 years) and the bucket's lifecycle counts whole days, and a retention beyond 10 years is taken for a typo",
        );
        ttl = undefined;
    } else if (ttl !== undefined && schedule !== undefined) {
        // Each backup must live until the next one exists, as noncurrent versions must live as long as a backup.
        const interval = scheduleLongestIntervalMs(schedule);
        if (ttlHours(ttl)! * 3_600_000 < interval) {
            r.invalid(
                "backup.ttl",
                ttl,
                `must be at least the longest interval between two scheduled backups (${formatDuration(interval)}, backup.schedule ` +
                    `${JSON.stringify(schedule)}): each backup would expire before the next one is taken, leaving no backup to restore from`,
            );
            ttl = undefined;
        }
    }
    const days = ttl === undefined ? undefined : ttlDays(ttl);
    const noncurrentVersionDays = r.integer(b, "backup.noncurrentVersionDays", { min: 1, max: { ...LIMITS.noncurrentVersionDays, max: MAX_NONCURRENT_DAYS }, default: days });
    if (days !== undefined && noncurrentVersionDays !== undefined && noncurrentVersionDays < days) {
        r.invalid(
            "backup.noncurrentVersionDays",
            b.noncurrentVersionDays,
            `must be at least the backup ttl in days (${days}, from backup.ttl ${JSON.stringify(ttl)}): ` +
                "HopsFS blocks overwritten after a backup would expire before the backup does",
        );
    }
    if (schedule === undefined || ttl === undefined || days === undefined || noncurrentVersionDays === undefined) return undefined;
    return { enabled, schedule, ttl, ttlDays: days, noncurrentVersionDays };
}

function readVelero(r: ConfigReader): VeleroConfig {
    const v = r.section("velero", CONFIG_KEYS.velero);
    const given = (key: string) => v[key] !== undefined && v[key] !== null;
    const imageRule = (example: string) => ({
        max: LIMITS.image,
        check: is(IMAGE),
        expected: `must be an image reference with a tag or digest, e.g. ${example}`,
    });
    const upgradeCRDs = r.boolean(v, "velero.upgradeCRDs", true);
    const kubectlImageRepository = r.string(v, "velero.kubectlImageRepository", {
        max: LIMITS.imageRepository,
        check: is(IMAGE_REPOSITORY),
        expected: `must be an image repository without a tag or digest, e.g. "registry.k8s.io/kubectl" (the tag is velero.kubectlImageTag)`,
    });
    const kubectlImageTag = r.string(v, "velero.kubectlImageTag", {
        max: LIMITS.imageTag,
        check: is(/^[\w][\w.-]{0,127}$/),
        expected: `must be an image tag such as "1.33" (docker.io/bitnamilegacy/kubectl) or "v1.34.2" (registry.k8s.io/kubectl)`,
    });
    if (!upgradeCRDs) {
        for (const key of ["kubectlImageRepository", "kubectlImageTag"]) {
            if (given(key)) {
                r.problem(`velero.${key}`, "applies only while velero.upgradeCRDs is true: the kubectl image runs only in the chart's CRD-upgrade job; remove it");
            }
        }
    } else if (kubectlImageTag !== undefined && isBitnamiKubectl(kubectlImageRepository) && kubectlTagAboveBitnami(kubectlImageTag)) {
        r.invalid(
            "velero.kubectlImageTag",
            kubectlImageTag,
            `${BITNAMI_KUBECTL}, the kubectl image of the chart's CRD-upgrade job, has no tag above ${BITNAMI_KUBECTL_LAST} ` +
                "(vmware-tanzu/helm-charts#727). Either take kubectl from another repository: velero.kubectlImageRepository " +
                `"registry.k8s.io/kubectl" with velero.kubectlImageTag such as "v1.34.2"; or set velero.upgradeCRDs: false ` +
                "where the Velero CRDs are installed and upgraded another way",
        );
    }
    const chartVersion = r.string(v, "velero.chartVersion", {
        default: DEFAULTS.veleroChartVersion,
        max: LIMITS.version,
        check: is(SEMVER),
        expected: `must be a chart version such as "${DEFAULTS.veleroChartVersion}"`,
    })!;
    const repo = chartSource(r, v, "velero.repo", {
        name: VELERO_CHART_NAME,
        version: chartVersion,
        login: "the Velero chart source must be reachable without a login: use a mirror that needs none, or a local chart",
    }) ?? DEFAULTS.veleroRepo;
    return {
        namespace: r.string(v, "velero.namespace", { default: DEFAULTS.veleroNamespace, ...NAMESPACE_RULE })!,
        repo,
        chartVersion,
        pluginImage: r.string(v, "velero.pluginImage", { default: DEFAULTS.veleroPluginImage, ...imageRule(DEFAULTS.veleroPluginImage) })!,
        image: r.string(v, "velero.image", imageRule("velero/velero:v1.17.1")),
        kubectlImageRepository: upgradeCRDs ? kubectlImageRepository : undefined,
        kubectlImageTag: upgradeCRDs ? kubectlImageTag : undefined,
        upgradeCRDs,
    };
}

/** The chart's default kubectl image (chart 11.2.0), as written or as Docker Hub's short name. */
function isBitnamiKubectl(repository: string | undefined): boolean {
    return repository === undefined || repository.replace(/^(index\.)?docker\.io\//, "") === BITNAMI_KUBECTL.replace(/^docker\.io\//, "");
}

/** A version tag ("1.34", "v1.34.2", "1.34.1-debian-12-r0") whose minor is past bitnamilegacy/kubectl's last. */
function kubectlTagAboveBitnami(tag: string): boolean {
    const version = /^v?(\d+)\.(\d+)/.exec(tag);
    if (!version) return false;
    return compareVersions(`${version[1]}.${version[2]}`, BITNAMI_KUBECTL_LAST) > 0;
}

function readHopsworks(r: ConfigReader): HopsworksConfig | undefined {
    const h = r.section("hopsworks", CONFIG_KEYS.hopsworks, true);
    const namespace = r.string(h, "hopsworks.namespace", { default: DEFAULTS.hopsworksNamespace, ...NAMESPACE_RULE })!;
    const chart = r.string(h, "hopsworks.chart", {
        default: DEFAULTS.hopsworksChart,
        max: LIMITS.chartName,
        check: is(/^[a-z0-9][a-z0-9._-]*$/),
        expected: `must be the chart's name in the repository, e.g. "hopsworks"`,
    })!;
    const chartVersion = r.string(h, "hopsworks.chartVersion", {
        required: true,
        max: LIMITS.version,
        check: is(SEMVER),
        expected: `the Hopsworks chart version to deploy, e.g. "4.8.0"`,
    });
    if (h.repo === undefined || h.repo === null) {
        r.problem("hopsworks.repo", `is required: the Hopsworks chart source given with your licence, ${CHART_SOURCE_FORMS}`);
    }
    const repo = chartSource(r, h, "hopsworks.repo", {
        name: chart,
        version: chartVersion,
        login: "give the repository login as the secrets hopsworks.repoUsername and hopsworks.repoPassword (pulumi config set --secret --path ...)",
    });
    const repoUsername = r.secret(h, "hopsworks.repoUsername", LIMITS.credential);
    const repoPassword = r.secret(h, "hopsworks.repoPassword", LIMITS.credential);
    if ((h.repoUsername === undefined) !== (h.repoPassword === undefined)) {
        r.problem("hopsworks", "sets only one of repoUsername and repoPassword: the chart repository needs both or neither");
    }
    if (repo !== undefined && chartSourceKind(repo) === "local") {
        // A local chart is used as it is: its name comes from its Chart.yaml, and nothing is logged in to.
        for (const key of ["chart", "repoUsername", "repoPassword"]) {
            if (h[key] !== undefined && h[key] !== null) {
                r.problem(`hopsworks.${key}`, `applies only to a chart repository or registry; hopsworks.repo is the local chart ${repo}: remove it`);
            }
        }
    }
    const version = r.string(h, "hopsworks.version", {
        required: true,
        max: LIMITS.version,
        check: is(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/),
        expected: `the Hopsworks version the chart runs, e.g. "4.8.0"`,
    });
    const timeoutSeconds = r.integer(h, "hopsworks.timeoutSeconds", { min: 60, max: LIMITS.timeoutSeconds, default: DEFAULTS.hopsworksTimeoutSeconds })!;
    const paths = r.stringList(h, "hopsworks.valuesFiles", LIMITS.path);
    const { files, problems } = loadValuesFiles(paths, r.source.projectDir, r.source.stack);
    for (const p of problems) r.invalid(`hopsworks.valuesFiles[${p.index}]`, p.path, p.message);
    if (!repo || !chartVersion || !version) return undefined;
    return { namespace, chart, repo, repoUsername, repoPassword, chartVersion, version, valuesFiles: files, timeoutSeconds };
}

/** The chart name in the Velero chart repository (and appended to an oci:// velero.repo). */
export const VELERO_CHART_NAME = "velero";

/** A chart source key (velero.repo, hopsworks.repo), checked and made absolute when it is a local path. */
function chartSource(r: ConfigReader, obj: Record<string, unknown>, path: string, expected: ExpectedChart): string | undefined {
    const value = r.string(obj, path, { max: LIMITS.path, expected: CHART_SOURCE_FORMS });
    if (value === undefined) return undefined;
    if (chartSourceKind(value) !== "local" && !r.withinLimit(path, value, LIMITS.url, CHART_SOURCE_FORMS)) return undefined;
    const checked = checkChartSource(value, r.source.projectDir, expected);
    if ("problem" in checked) {
        r.problem(path, `= ${checked.problem}`);
        return undefined;
    }
    return checked.source;
}

/** Compares dotted release versions numerically: -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
    const parts = (v: string) => v.split(/[-+]/)[0].split(".").map(Number);
    const [x, y] = [parts(a), parts(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
        if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1;
    }
    return 0;
}

const INDEX_NAME = /^[a-z0-9_.*][a-z0-9_.*+-]*$/;

function readRestore(r: ConfigReader, hopsworksVersion: string | undefined): RestoreConfig | undefined {
    const o = r.section("restore", CONFIG_KEYS.restore);
    const mode = r.string(o, "restore.mode", {
        default: "none",
        max: oneOf(RESTORE_MODES),
        check: (v) => (RESTORE_MODES as readonly string[]).includes(v),
        expected: `must be one of ${RESTORE_MODES.join(", ")}`,
    }) as RestoreMode | undefined;
    const isId = (v: string) => backupIdTime(v) !== undefined;
    const backupId = r.digits(o, "restore.backupId", LIMITS.backupId, isId, BACKUP_ID_EXPECTED);
    const rondbBackupId = r.digits(o, "restore.rondbBackupId", LIMITS.backupId, isId, BACKUP_ID_EXPECTED);
    const opensearchSnapshot = r.digits(o, "restore.opensearchSnapshot", LIMITS.opensearchName, (v) => /^[a-z0-9][a-z0-9._-]*$/.test(v), "must be an OpenSearch snapshot name such as \"254811140\"");
    const opensearchSkipIndices = r.stringList(o, "restore.opensearchSkipIndices", LIMITS.opensearchName, (v) =>
        INDEX_NAME.test(v) ? undefined : "must be an index name (lowercase, no leading '-': the '-' is added when rendered)",
    );
    const veleroBackups: RestoreConfig["veleroBackups"] = {};
    if (o.veleroBackups !== undefined && o.veleroBackups !== null) {
        const vb = r.object(o.veleroBackups, "restore.veleroBackups", CONFIG_KEYS.veleroBackups) ?? {};
        for (const [key, schedule] of Object.entries(VELERO_SCHEDULES) as [keyof typeof VELERO_SCHEDULES, string][]) {
            veleroBackups[key] = r.string(vb, `restore.veleroBackups.${key}`, {
                max: LIMITS.objectName,
                check: (v) => VELERO_BACKUP_NAME.test(v) && v.startsWith(`${schedule}-`),
                expected: `must be a Velero backup of schedule ${schedule}, such as "${schedule}-20260213T153627Z"`,
            });
        }
    }
    const backupHopsworksVersion = r.digits(o, "restore.backupHopsworksVersion", LIMITS.version, (v) => /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(v), "must be the Hopsworks version that took the backup, e.g. \"4.8.0\"");
    const forceDataClear = r.boolean(o, "restore.forceDataClear", false);
    const confirm = r.string(o, "restore.confirm", { max: LIMITS.confirmation });
    const attempt = r.integer(o, "restore.attempt", { min: 1, max: LIMITS.attempt, default: 1 }) ?? 1;
    const acceptPartial = r.string(o, "restore.acceptPartial", { max: LIMITS.confirmation });
    const latestVeleroBackups = r.boolean(o, "restore.latestVeleroBackups", false);
    if (mode === undefined) return undefined;

    if (mode !== "none") checkVeleroBackups(r, o, backupId, latestVeleroBackups);
    else if (o.latestVeleroBackups !== undefined && o.latestVeleroBackups !== null) {
        r.problem("restore.latestVeleroBackups", "applies only to a restore (restore.mode new-cluster or in-place)");
    }
    if (mode !== "none") {
        if (o.backupId === undefined || o.backupId === null) {
            r.problem("restore.backupId", `is required when restore.mode is ${mode}: the global backup ID (it also restores HopsFS), e.g. "254811200"`);
        }
        if (o.backupHopsworksVersion === undefined || o.backupHopsworksVersion === null) {
            r.problem("restore.backupHopsworksVersion", `is required when restore.mode is ${mode}: the Hopsworks version that took the backup (restores need the exact same version)`);
        } else if (backupHopsworksVersion && hopsworksVersion && backupHopsworksVersion !== hopsworksVersion) {
            r.invalid(
                "restore.backupHopsworksVersion",
                backupHopsworksVersion,
                `must equal hopsworks.version (${JSON.stringify(hopsworksVersion)}): restore with the exact Hopsworks version that took the backup, ` +
                    `so set hopsworks.version and hopsworks.chartVersion to that version's for the restore`,
            );
        }
    }
    if (mode === "in-place") {
        if (hopsworksVersion && compareVersions(hopsworksVersion, IN_PLACE_MIN_VERSION) < 0) {
            r.problem(
                "restore.mode",
                `= "in-place": needs Hopsworks ${IN_PLACE_MIN_VERSION} or newer, but hopsworks.version is ${JSON.stringify(hopsworksVersion)}; ` +
                    "upgrade first, or restore into a new cluster (restore.mode: new-cluster)",
            );
        }
        if (!forceDataClear) {
            r.invalid("restore.forceDataClear", o.forceDataClear ?? null, "must be true for an in-place restore: it replaces all data in the cluster with the backup's");
        }
        const expected = `${r.source.stack}/${backupId ?? "<backupId>"}`;
        if (confirm !== expected) {
            r.invalid(
                "restore.confirm",
                o.confirm ?? null,
                `must be exactly ${JSON.stringify(expected)} to confirm that stack ${r.source.stack}'s data is replaced by backup ${backupId ?? "<backupId>"}; ` +
                    "anything written after the backup was taken is lost",
            );
        }
    } else {
        for (const key of ["forceDataClear", "confirm"]) {
            if (o[key] !== undefined && o[key] !== null) r.problem(`restore.${key}`, "applies only to restore.mode: in-place");
        }
    }
    if (mode === "new-cluster") {
        const expected = `${r.source.stack}/${backupId ?? "<backupId>"}`;
        if (acceptPartial !== undefined && acceptPartial !== expected) {
            r.invalid(
                "restore.acceptPartial",
                acceptPartial,
                `must be exactly ${JSON.stringify(expected)} to install Hopsworks on Velero restores of backup ${backupId ?? "<backupId>"} that ended PartiallyFailed; ` +
                    "the objects Velero could not restore stay missing",
            );
        }
    } else {
        for (const key of ["attempt", "acceptPartial"]) {
            if (o[key] !== undefined && o[key] !== null) r.problem(`restore.${key}`, "applies only to restore.mode: new-cluster (the Velero restores this stack runs)");
        }
    }
    return {
        mode, backupId, rondbBackupId, opensearchSnapshot, opensearchSkipIndices, veleroBackups, forceDataClear, confirm, attempt, acceptPartial,
        ...(latestVeleroBackups ? { latestVeleroBackups } : {}),
    };
}

/**
 * A restore names the Velero backups of its restore point: without them Velero restores each
 * schedule's newest Completed backup (a scheduleName restore), whatever backupId is, and an older
 * backup ID would get Kubernetes objects of another date than its RonDB, OpenSearch and HopsFS
 * data. Taking the newest on purpose is the typed opt-in restore.latestVeleroBackups: true.
 */
function checkVeleroBackups(r: ConfigReader, o: Record<string, unknown>, backupId: string | undefined, latest: boolean): void {
    const given = (o.veleroBackups ?? {}) as Record<string, unknown>;
    const named = (["main", "users"] as const).filter((key) => given[key] !== undefined && given[key] !== null);
    if (latest) {
        if (named.length > 0) {
            r.invalid(
                "restore.latestVeleroBackups",
                true,
                `contradicts ${named.map((k) => `restore.veleroBackups.${k}`).join(" and ")}, which name the Velero backups to restore: ` +
                    "remove restore.latestVeleroBackups to restore the named backups, or restore.veleroBackups to take each schedule's newest",
            );
        }
        return;
    }
    if (named.length === 2) return;
    const missing = named.length === 0 ? "restore.veleroBackups" : `restore.veleroBackups.${named[0] === "main" ? "users" : "main"}`;
    r.invalid(
        missing,
        null,
        `must name the Velero backups of restore point ${backupId ?? "<backupId>"}: restore.veleroBackups.main ` +
            `("${VELERO_SCHEDULES.main}-<time>") and restore.veleroBackups.users ("${VELERO_SCHEDULES.users}-<time>"). ` +
            "Without them Velero restores each schedule's newest Completed backup whatever restore.backupId is, so an older " +
            "backup ID would get Kubernetes objects of another date than its RonDB, OpenSearch and HopsFS data. Find them with " +
            "npx hopsworks-dr backups list, or without a catalogue aws s3 ls s3://<bucket>/k8s_backup/backups/ (the pair taken " +
            "minutes after the backup ID's time); to restore each schedule's newest Completed backup on purpose, set " +
            "restore.latestVeleroBackups: true",
    );
}
