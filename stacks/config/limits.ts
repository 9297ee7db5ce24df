import type { Limit } from "./reader";

/**
 * The longest value of each config string, and the largest of each number, with the reason a
 * refusal states. Each follows from what S3, IAM, Kubernetes, Helm, Velero or the operating
 * system accept; where the format itself is short (a region, a version), the bound is well above
 * any real value, so that only a mistake (a pasted file, a runaway script) reaches it. A regular
 * expression that bounds its own length (bucket names, namespaces) keeps its bound, stated here too.
 */
export const LIMITS = {
    bucket: { max: 63, why: "S3 bucket names have at most 63 characters" },
    region: {
        max: 64,
        why: "AWS region names have at most 14 characters (ap-southeast-5), S3-compatible stores use names of the same form, and the region is part of every request's signature",
    },
    url: { max: 2048, why: "the longest URL that HTTP clients, servers and proxies commonly accept" },
    oidcProviderUrl: { max: 255, why: "IAM's CreateOpenIDConnectProvider takes an issuer URL of at most 255 characters" },
    arn: { max: 2048, why: "IAM and KMS take ARNs of at most 2048 characters" },
    caCert: {
        max: 262_144,
        why:
            "it is written base64-encoded, a third longer, into the BackupStorageLocation, a Kubernetes object that must stay under etcd's " +
            "1.5 MiB request limit; the whole Mozilla CA bundle is about 220 KB",
    },
    credential: {
        max: 8192,
        why: "longer than any key, password or token S3 stores and chart registries issue; HTTP servers cap a request header, where credentials travel, at 8 KiB",
    },
    schedule: {
        max: 512,
        why: "a cron expression listing every minute, hour, day, month and weekday one by one has 356 characters",
    },
    ttl: { max: 32, why: "the longest ttl accepted, \"87600h\", has 6 characters, and the chart's values take the ttl as written" },
    namespace: { max: 63, why: "Kubernetes namespace names are DNS labels of at most 63 characters" },
    chartName: {
        max: 63,
        why: "charts label their objects with the chart's name (app.kubernetes.io/name, helm.sh/chart), and Kubernetes label values have at most 63 characters",
    },
    version: {
        max: 64,
        why: "SemVer versions in use are far shorter, and charts write <chart>-<version> into the helm.sh/chart label, which Kubernetes caps at 63 characters",
    },
    imageRepository: { max: 255, why: "the image reference grammar (distribution/reference) caps a repository name at 255 characters" },
    image: {
        max: 384,
        why: "the image reference grammar (distribution/reference) caps a repository name at 255 characters and a tag at 128",
    },
    imageTag: { max: 128, why: "image tags have at most 128 characters" },
    path: { max: 4096, why: "Linux's PATH_MAX: no longer path can be opened" },
    objectName: { max: 253, why: "Kubernetes object names are DNS subdomains of at most 253 characters" },
    cronJobName: { max: 52, why: "Kubernetes CronJob names have at most 52 characters, so that the Jobs they create (name + 11 digits) stay valid" },
    backupId: { max: 9, why: "a backup ID has 9 digits" },
    opensearchName: { max: 255, why: "OpenSearch index names have at most 255 bytes; snapshot names are held to the same" },
    /** restore.confirm and restore.acceptPartial: "<stack>/<backupId>". */
    confirmation: {
        max: 136,
        why: "\"<stack>/<backupId>\" is a stack name of at most 100 characters, a slash and a 9-digit backup ID or a Superset backup ID of at most 35 characters",
    },
    utcTime: { max: 32, why: "a UTC time such as \"2026-03-02T04:00:00.000Z\" has 24 characters" },
    supersetBackupId: { max: 35, why: "a Superset backup ID is a 14-digit time, a dash and at most 20 digits" },
    initiatedBy: { max: 256, why: "it is recorded in each entry of the chart's Superset restore audit trail, a ConfigMap of at most 1 MiB kept for many restores" },
    duration: { max: 32, why: "a duration such as \"1d12h\" or \"3650d\" has a few characters" },
    timeoutSeconds: {
        max: 86_400,
        why: "a day: Helm waits that long for the release's resources, and a longer wait is taken for a typo (a CI job is stopped long before)",
    },
    iamRoleName: { max: 64, why: "IAM role names have at most 64 characters" },
    attempt: { max: 1000, why: "each attempt recreates the Velero restores once the cause of a failure is fixed; a higher count is taken for a typo" },
    noncurrentVersionDays: { max: 2_147_483_647, why: "S3's NoncurrentDays is a 32-bit integer" },
} satisfies Record<string, Limit>;

/** The bound of a key that takes one of a few values: the longest of them. */
export function oneOf(values: readonly string[]): Limit {
    return { max: Math.max(...values.map((v) => v.length)), why: `the longest of ${values.map((v) => JSON.stringify(v)).join(", ")}` };
}
