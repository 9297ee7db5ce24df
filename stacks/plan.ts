import { BucketPlan, planBucket } from "./bucket";
import { ConfigError } from "./config-reader";
import { StackConfig } from "./config";
import { HopsworksPlan, generatedHopsworksValues, planHopsworks } from "./hopsworks";
import { planVeleroIam, VeleroIamPlan } from "./iam";
import { LocationPlan, planLocation } from "./location";
import { SecretValue } from "./secret";
import { planVelero, VeleroPlan, VELERO_SERVICE_ACCOUNT } from "./velero";

export type Mode = "backup";

/**
 * Everything a stack deploys, as plain data: the components turn it into resources, the
 * render into files. Secrets travel as SecretValue, which prints as redacted.
 */
export interface StackPlan {
    stack: string;
    mode: Mode;
    bucket: BucketPlan;
    /** Credentials for an S3-compatible store, used by the bucket's provider and Velero's location. */
    storeCredentials?: { accessKeyId: SecretValue; secretAccessKey: SecretValue };
    veleroIam?: VeleroIamPlan;
    velero: VeleroPlan;
    location: LocationPlan;
    hopsworks: HopsworksPlan;
    warnings: string[];
}

export function planStack(config: StackConfig): StackPlan {
    const hopsworks = planHopsworks(config, generatedHopsworksValues(config));
    if (hopsworks.problems.length > 0) throw new ConfigError(hopsworks.problems);
    return {
        stack: config.stack,
        mode: "backup",
        bucket: planBucket(config),
        storeCredentials: config.storage.credentials,
        veleroIam: planVeleroIam(config, VELERO_SERVICE_ACCOUNT),
        velero: planVelero(config),
        location: planLocation(config, "ReadWrite"),
        hopsworks: hopsworks.plan,
        warnings: hopsworks.warnings,
    };
}
