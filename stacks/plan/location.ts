import { createHmac } from "crypto";
import { StackConfig } from "../config/stack-config";
import { CREDENTIALS_HMAC_ANNOTATION, CREDENTIALS_KEY, CREDENTIALS_SECRET, LOCATION_NAME, LOCATION_PREFIX, LOCATION_WAIT_SECONDS, Manifest } from "../names";

export { CREDENTIALS_HMAC_ANNOTATION };
/** Makes pulumi-kubernetes apply with force: the update takes over fields Helm or kubectl own. */
export const PATCH_FORCE_ANNOTATION = "pulumi.com/patchForce";
/** Helm leaves an object with it when the release stops rendering it (helm.sh/resource-policy: keep). */
export const HELM_RESOURCE_POLICY_ANNOTATION = "helm.sh/resource-policy";

export type AccessMode = "ReadWrite" | "ReadOnly";

export interface LocationPlan {
    location: Manifest;
    /** The credentials Secret without its data, for S3-compatible stores. */
    credentialsSecret?: Manifest;
    /**
     * What replaces the location rather than updating it: its spec, and the keyed hash of its
     * credentials (CREDENTIALS_HMAC_ANNOTATION, filled in by the component). Velero's status has no
     * observedGeneration, so after an update in place the wait for Available would pass on the old
     * status; a new location starts with none, and the wait proves the new settings.
     */
    replaceOnChanges: string[];
}

/**
 * The manual's hopsworks-bsl location (provider aws, prefix k8s_backup) plus what an
 * S3-compatible store needs (path style, checksum, TLS). Plugin config values are strings.
 */
export function planLocation(config: StackConfig, accessMode: AccessMode): LocationPlan {
    const { velero } = config;
    const storage = locationStore(config);
    const locationConfig: Record<string, string> = { region: storage.region };
    if (storage.endpoint) locationConfig.s3Url = storage.endpoint;
    if (storage.forcePathStyle) locationConfig.s3ForcePathStyle = "true";
    if (storage.checksumAlgorithm !== undefined) locationConfig.checksumAlgorithm = storage.checksumAlgorithm;
    if (storage.insecureSkipTLSVerify) locationConfig.insecureSkipTLSVerify = "true";

    const objectStorage: Record<string, string> = { bucket: storage.bucket, prefix: LOCATION_PREFIX };
    if (storage.caCert) objectStorage.caCert = Buffer.from(storage.caCert.trim() + "\n").toString("base64");

    const spec: Record<string, unknown> = { provider: "aws", config: locationConfig, objectStorage, accessMode };
    if (storage.credentials) spec.credential = { key: CREDENTIALS_KEY, name: CREDENTIALS_SECRET };
    // Adopting a location the chart (or a person) made: take over the fields Helm or kubectl own, and
    // keep Helm from deleting the location once the chart stops rendering it (storageLocation.create:
    // false), even after a replacement, whose new object has no annotation from kubectl.
    const adopt: Record<string, string> = storage.adoptLocation ? { [PATCH_FORCE_ANNOTATION]: "true" } : {};
    const keep: Record<string, string> = storage.adoptLocation ? { [HELM_RESOURCE_POLICY_ANNOTATION]: "keep" } : {};

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
                    ...adopt,
                    ...keep,
                },
            },
            spec,
        },
        credentialsSecret: storage.credentials
            ? {
                  apiVersion: "v1",
                  kind: "Secret",
                  metadata: { name: CREDENTIALS_SECRET, namespace: velero.namespace, ...(storage.adoptLocation ? { annotations: adopt } : {}) },
                  type: "Opaque",
              }
            : undefined,
        replaceOnChanges: ["spec", ...(storage.credentials ? [`metadata.annotations["${CREDENTIALS_HMAC_ANNOTATION}"]`] : [])],
    };
}

/** The store the location (and the Hopsworks release) reads: the vault's settings during a restore from it, else storage's. */
interface LocationStore {
    bucket: string;
    region: string;
    endpoint?: string;
    forcePathStyle?: boolean;
    checksumAlgorithm?: string;
    insecureSkipTLSVerify?: boolean;
    caCert?: string;
    credentials?: unknown;
    adoptLocation?: boolean;
}

/** A new-cluster restore with restore.source: vault (config-checked: a vault is configured). */
export function restoresFromVault(config: StackConfig): boolean {
    return config.restore.mode === "new-cluster" && config.restore.source === "vault" && config.vault !== undefined;
}

/** The bucket, region and endpoint backups are read from and written to: the vault's during a restore from it. */
export function locationStore(config: StackConfig): LocationStore {
    if (!restoresFromVault(config)) return config.storage;
    const vault = config.vault!;
    return {
        bucket: vault.bucket,
        region: vault.region,
        endpoint: vault.endpoint,
        forcePathStyle: vault.endpoint !== undefined && vault.forcePathStyle,
        credentials: vault.credentials,
        adoptLocation: config.storage.adoptLocation,
    };
}

/**
 * What the location's CREDENTIALS_HMAC_ANNOTATION holds: the HMAC-SHA256 of the credentials file
 * keyed with storage.credentialsHashKey, so new keys change it (and replace the location), while
 * no one without the stack's secrets can test guessed keys against it. Called only by the
 * component, inside an apply over the secret inputs; the result stays a Pulumi secret.
 */
export function credentialsHmac(hashKey: string, accessKeyId: string, secretAccessKey: string): string {
    return createHmac("sha256", hashKey).update(credentialsFile(accessKeyId, secretAccessKey)).digest("hex");
}

/** The AWS shared-credentials file the plugin reads from the Secret's `cloud` key. */
export function credentialsFile(accessKeyId: string, secretAccessKey: string): string {
    return `[default]\naws_access_key_id=${accessKeyId}\naws_secret_access_key=${secretAccessKey}\n`;
}
