import { ConfigReader } from "./reader";
import { setSecretCommand } from "./secret";
import { isAwsS3, StorageConfig } from "./storage";

const given = (o: Record<string, unknown> | undefined, key: string) => o?.[key] !== undefined && o?.[key] !== null;

/**
 * On an S3-compatible store the provider's keys (storage.accessKeyId) can suspend versioning or set a
 * one-day lifecycle and purge every version; the keys Velero's in-cluster Secret holds must not be
 * those. When the stack manages such a bucket, Velero's own pair is required, and never equal to the
 * provider's. On AWS Velero uses its IAM role, so the keys are refused.
 */
export function checkVeleroKeys(r: ConfigReader, storage: StorageConfig | undefined): void {
    const raw = r.source.values.storage as Record<string, unknown> | undefined;
    if (!raw || typeof raw !== "object") return;
    if (isAwsS3(raw)) {
        for (const key of ["veleroAccessKeyId", "veleroSecretAccessKey"]) {
            if (given(raw, key)) r.problem(`storage.${key}`, "applies only to S3-compatible stores (storage.endpoint); on AWS S3 Velero uses storage.iamRoleArn or storage.irsa");
        }
        return;
    }
    if (given(raw, "veleroAccessKeyId") !== given(raw, "veleroSecretAccessKey")) {
        r.problem(
            given(raw, "veleroAccessKeyId") ? "storage.veleroSecretAccessKey" : "storage.veleroAccessKeyId",
            "is required with the other key of Velero's pair: give both storage.veleroAccessKeyId and storage.veleroSecretAccessKey",
        );
    }
    if (storage?.manage && !given(raw, "veleroAccessKeyId") && !given(raw, "veleroSecretAccessKey")) {
        for (const key of ["veleroAccessKeyId", "veleroSecretAccessKey"]) {
            r.problem(
                `storage.${key}`,
                "is required when the stack manages a bucket on an S3-compatible store (storage.manage: true): Velero gets its own keys, " +
                    "never storage.accessKeyId and storage.secretAccessKey, which can suspend versioning or set a lifecycle that purges every " +
                    "version. Create a store identity for Velero with the policy in docs/security.md (objects under k8s_backup/ only) and set its keys: " +
                    setSecretCommand(`storage.${key}`, r.source.stack),
            );
        }
    }
    const velKeys = storage?.veleroCredentials;
    const storeKeys = storage?.credentials;
    if (velKeys && storeKeys && velKeys.accessKeyId.reveal() === storeKeys.accessKeyId.reveal()) {
        // Never the value: it is a credential.
        r.problem(
            "storage.veleroAccessKeyId",
            "is storage.accessKeyId: Velero's keys must belong to another store identity than the provider's, or anyone with the cluster's " +
                "Velero Secret can change the bucket's settings and purge its versions; create a store identity for Velero (docs/security.md) and set its keys",
        );
    }
}
