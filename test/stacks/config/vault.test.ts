import assert from "assert/strict";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { Case, refusals } from "../../support/config";
import { awsConfig, minioConfig, source, vaultConfig } from "../../support/stacks";

const invalid: Case[] = [
    ["a retention shorter than the backup ttl", vaultConfig, (c) => (c.vault.objectLock.days = 30), "vault.objectLock.days", /^hopsworks-dr:vault\.objectLock\.days = 30: must be at least the backup ttl in days \(60, backup\.ttl "60d"\): .*set vault\.objectLock\.days to 60 or more$/],
    ["a vault in the primary's region", vaultConfig, (c) => (c.vault.region = "eu-north-1"), "vault.region", /^hopsworks-dr:vault\.region = "eu-north-1": is storage\.region: a vault in the primary's region is lost with it; choose another region \(e\.g\. "eu-west-1" for a primary in "eu-north-1"\)$/],
    ["a vault that is the primary bucket", vaultConfig, (c) => (c.vault.bucket = "hopsworks-backups"), "vault.bucket", /^hopsworks-dr:vault\.bucket = "hopsworks-backups": is storage\.bucket, the primary bucket itself: .*name the vault's own bucket$/],
    ["Object Lock off", vaultConfig, (c) => (c.vault.objectLock.enabled = false), "vault.objectLock.enabled", /^hopsworks-dr:vault\.objectLock\.enabled = false: must be true: without Object Lock .*remove vault\.objectLock\.enabled, or remove vault$/],
    ["a vault without Object Lock", vaultConfig, (c) => delete c.vault.objectLock, "vault.objectLock", /is required: \{mode: GOVERNANCE or COMPLIANCE, days: at least the backup ttl in days \(backup\.ttl "60d" is 60 days\)\}/],
    ["a replication of delete markers", vaultConfig, (c) => (c.vault.replication = { deleteMarkerReplication: "Enabled" }), "vault.replication.deleteMarkerReplication", /^hopsworks-dr:vault\.replication\.deleteMarkerReplication = "Enabled": must be "Disabled" \(the default\): replicated delete markers would hide every backup in the vault .*remove the key$/],
    ["an unknown Object Lock mode", vaultConfig, (c) => (c.vault.objectLock.mode = "STRICT"), "vault.objectLock.mode", /= "STRICT": must be GOVERNANCE .* or COMPLIANCE/],
    ["a vault without a region", vaultConfig, (c) => delete c.vault.region, "vault.region", /is required/],
    ["an unknown vault key", vaultConfig, (c) => (c.vault.retention = 3), "vault.retention", /is not a known key; valid keys of vault are bucket/],
    ["an S3-compatible vault without keys", vaultConfig, (c) => (c.vault.endpoint = "https://minio.dr.example.com"), "vault.accessKeyId", /is required for a vault on an S3-compatible store/],
    ["half a vault key pair", vaultConfig, (c) => (c.vault.accessKeyId = "AKIAVAULT"), "vault.secretAccessKey", /is required with the other key of the pair/],
    ["a timeControl that is not a boolean", vaultConfig, (c) => (c.vault.replication = { timeControl: "sometimes" }), "vault.replication.timeControl", /./],
    ["both a replication role name and ARN", vaultConfig, (c) => (c.vault.replication = { roleName: "r", roleArn: "arn:aws:iam::123456789012:role/r" }), "vault.replication", /sets both roleName and roleArn/],
];

describe("vault config (stacks/config/vault.ts)", () => {
    refusals(invalid);

    it("reads a vault with its defaults: manage true, delete markers not replicated, the retention the ttl unless given", () => {
        const c = vaultConfig();
        delete c.vault.objectLock.days;
        const { vault } = readStackConfig(source(c));
        assert.deepEqual(vault, {
            bucket: "hopsworks-vault",
            region: "eu-west-1",
            endpoint: undefined,
            forcePathStyle: false,
            manage: true,
            objectLock: { mode: "COMPLIANCE", days: 60 },
            replication: { deleteMarkerReplication: "Disabled", timeControl: true },
        });
    });

    it("has no vault when the section is absent or empty", () => {
        assert.equal(readStackConfig(source(awsConfig())).vault, undefined);
        assert.equal(readStackConfig(source({ ...awsConfig(), vault: {} })).vault, undefined);
    });

    it("accepts an explicit Disabled delete-marker replication, and a vault with the primary's bucket name on another store", () => {
        const c = minioConfig();
        c.storage.manage = false;
        c.vault = { bucket: "hopsworks-test", region: "dr", endpoint: "https://minio.dr.example.com", accessKeyId: "AKIAVAULT", secretAccessKey: "vault-secret", objectLock: { mode: "GOVERNANCE" }, replication: { deleteMarkerReplication: "Disabled" } };
        const { vault } = readStackConfig(source(c));
        assert.equal(vault?.bucket, "hopsworks-test");
        assert.equal(vault?.forcePathStyle, true);
        assert.equal(vault?.credentials?.accessKeyId.reveal(), "AKIAVAULT");
    });
});
