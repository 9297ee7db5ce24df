import { StackConfig } from "./config";

export const LOCATION_NAME = "hopsworks-bsl";
/** The Hopsworks chart's Velero schedules (mainScheduleName, usersScheduleName); restores are named after them. */
export const VELERO_SCHEDULES = { main: "k8s-backups-main", users: "k8s-backups-users-resources" } as const;
export const LOCATION_PREFIX = "k8s_backup";
export const CREDENTIALS_SECRET = "hopsworks-bsl-credentials";
export const CREDENTIALS_KEY = "cloud";
/** How long `pulumi up` waits for the location to turn Available before failing. */
export const LOCATION_WAIT_SECONDS = 600;

export type AccessMode = "ReadWrite" | "ReadOnly";

export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string; annotations?: Record<string, string>; labels?: Record<string, string> };
    [field: string]: unknown;
}

export interface LocationPlan {
    location: Manifest;
    /** The credentials Secret without its data, for S3-compatible stores. */
    credentialsSecret?: Manifest;
}

/**
 * The manual's hopsworks-bsl location (provider aws, prefix k8s_backup) plus what an
 * S3-compatible store needs (path style, checksum, TLS). Plugin config values are strings.
 */
export function planLocation(config: StackConfig, accessMode: AccessMode): LocationPlan {
    const { storage, velero } = config;
    const locationConfig: Record<string, string> = { region: storage.region };
    if (storage.endpoint) locationConfig.s3Url = storage.endpoint;
    if (storage.forcePathStyle) locationConfig.s3ForcePathStyle = "true";
    if (storage.checksumAlgorithm !== undefined) locationConfig.checksumAlgorithm = storage.checksumAlgorithm;
    if (storage.insecureSkipTLSVerify) locationConfig.insecureSkipTLSVerify = "true";

    const objectStorage: Record<string, string> = { bucket: storage.bucket, prefix: LOCATION_PREFIX };
    if (storage.caCert) objectStorage.caCert = Buffer.from(storage.caCert.trim() + "\n").toString("base64");

    const spec: Record<string, unknown> = { provider: "aws", config: locationConfig, objectStorage, accessMode };
    if (storage.credentials) spec.credential = { key: CREDENTIALS_KEY, name: CREDENTIALS_SECRET };

    return {
        location: {
            apiVersion: "velero.io/v1",
            kind: "BackupStorageLocation",
            metadata: {
                name: LOCATION_NAME,
                namespace: velero.namespace,
                annotations: {
                    // Restoring from it needs the backups synced too, not just a reachable bucket.
                    "pulumi.com/waitFor":
                        accessMode === "ReadOnly"
                            ? JSON.stringify(["jsonpath={.status.phase}=Available", "jsonpath={.status.lastSyncedTime}"])
                            : "jsonpath={.status.phase}=Available",
                    "pulumi.com/timeoutSeconds": String(LOCATION_WAIT_SECONDS),
                },
            },
            spec,
        },
        credentialsSecret: storage.credentials
            ? {
                  apiVersion: "v1",
                  kind: "Secret",
                  metadata: { name: CREDENTIALS_SECRET, namespace: velero.namespace },
                  type: "Opaque",
              }
            : undefined,
    };
}

/** The AWS shared-credentials file the plugin reads from the Secret's `cloud` key. */
export function credentialsFile(accessKeyId: string, secretAccessKey: string): string {
    return `[default]\naws_access_key_id=${accessKeyId}\naws_secret_access_key=${secretAccessKey}\n`;
}
