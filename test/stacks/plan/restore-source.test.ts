import assert from "assert/strict";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { ConfigError } from "../../../stacks/config/reader";
import { planStack, locationKeysOf } from "../../../stacks/plan/stack-plan";
import { minioConfig, source, vaultConfig } from "../../support/stacks";
import { Case, refusals } from "../../support/config";

/** 254811200 is 2025-11-24 12:00 UTC; its Velero backups were taken seconds later. */
const VELERO = { main: "k8s-backups-main-20251124120012", users: "k8s-backups-users-resources-20251124120013" };
const NOW = new Date("2026-01-06T12:00:00Z");

/** vaultConfig (primary hopsworks-backups in eu-north-1, vault hopsworks-vault in eu-west-1) restoring into a new cluster. */
function restoring(restoreSource?: string): Record<string, any> {
    const c = vaultConfig();
    c.restore = { mode: "new-cluster", backupId: "254811200", backupHopsworksVersion: c.hopsworks.version, veleroBackups: VELERO, ...(restoreSource ? { source: restoreSource } : {}) };
    return c;
}

const plan = (values: Record<string, any>) => planStack(readStackConfig(source(values, { now: NOW })));
const s3Of = (values: Record<string, any>) => (values as any).global?._hopsworks?.managedObjectStorage?.s3;

describe("restore.source: a new-cluster restore from the vault", () => {
    it("does not read the primary, whose region may be gone: no check of a primary managed outside the stack", () => {
        const primaryChecked = restoring("primary");
        primaryChecked.storage.manage = false;
        assert.equal(plan(primaryChecked).bucketCheck?.bucket, "hopsworks-backups");
        const fromVault = restoring("vault");
        fromVault.storage.manage = false;
        assert.equal(plan(fromVault).bucketCheck, undefined);
    });

    describe("config", () => {
        const cases: Case[] = [
            ["an unknown source", () => restoring("backup"), () => {}, "restore.source", /^hopsworks-dr:restore\.source = "backup": must be one of primary, vault$/],
            ["the vault as source without a vault", () => restoring("vault"), (c) => delete c.vault, "restore.source", /^hopsworks-dr:restore\.source = "vault": needs a vault to restore from: configure hopsworks-dr:vault .*or set restore\.source to "primary"$/],
            [
                "the vault as source outside a new-cluster restore",
                () => restoring("vault"),
                (c) => (c.restore = { mode: "none", source: "vault" }),
                "restore.source",
                /^hopsworks-dr:restore\.source = "vault": applies only to restore\.mode: new-cluster \(restore\.mode is "none"\): .*remove restore\.source, or set it to "primary"$/,
            ],
        ];
        refusals(cases.map(([title, base, change, key, says]) => [title, () => { const c = base(); change(c); return c; }, () => {}, key, says]));

        it("defaults to the primary", () => {
            assert.equal(readStackConfig(source(restoring(), { now: NOW })).restore.source, "primary");
            assert.equal(readStackConfig(source(restoring("vault"), { now: NOW })).restore.source, "vault");
        });
    });

    describe("plan", () => {
        it("points the ReadOnly location at the vault's bucket and region with source vault", () => {
            const { location } = plan(restoring("vault"));
            assert.deepEqual(location.location.spec, {
                provider: "aws",
                config: { region: "eu-west-1" },
                objectStorage: { bucket: "hopsworks-vault", prefix: "k8s_backup" },
                accessMode: "ReadOnly",
            });
        });

        it("points the location at the primary otherwise", () => {
            const spec = plan(restoring()).location.location.spec as any;
            assert.deepEqual([spec.objectStorage.bucket, spec.config.region, spec.accessMode], ["hopsworks-backups", "eu-north-1", "ReadOnly"]);
        });

        it("gives an S3-compatible vault's location its URL, path style and the vault's own keys in the Secret", () => {
            const c = restoring("vault");
            c.storage = minioConfig().storage;
            c.vault = { bucket: "hopsworks-vault", region: "site-b", endpoint: "https://vault.example.com:9000", accessKeyId: "VAULTKEY", secretAccessKey: "vault-secret", objectLock: { mode: "COMPLIANCE", days: 60 } };
            const p = planStack(readStackConfig(source(c, { now: NOW, plaintext: [] })));
            const spec = p.location.location.spec as any;
            assert.deepEqual(spec.config, { region: "site-b", s3Url: "https://vault.example.com:9000", s3ForcePathStyle: "true" });
            assert.equal(spec.objectStorage.bucket, "hopsworks-vault");
            assert.deepEqual(spec.credential, { key: "cloud", name: "hopsworks-bsl-credentials" });
            const keys = locationKeysOf(p)!;
            assert.equal(keys.accessKeyId.reveal(), "VAULTKEY");
            assert.equal(keys.secretAccessKey.reveal(), "vault-secret");
            assert.equal(keys.hashKey, p.storeCredentials!.hashKey, "the location's hash is keyed with storage.credentialsHashKey");
        });

        it("points the Hopsworks release's object storage at the vault with source vault, and leaves it to the values files otherwise", () => {
            assert.deepEqual(s3Of(plan(restoring("vault")).hopsworks.values), { bucket: { name: "hopsworks-vault" }, region: "eu-west-1" });
            assert.equal(s3Of(plan(restoring()).hopsworks.values), undefined);
            assert.equal(s3Of(plan(vaultConfig()).hopsworks.values), undefined);
        });

        it("replaces the primary bucket a values file names with the vault during the restore", () => {
            const c = restoring("vault");
            c.hopsworks.valuesFiles = ["test/fixtures/values-primary-bucket.yaml"];
            assert.deepEqual(s3Of(plan(c).hopsworks.values), { bucket: { name: "hopsworks-vault" }, region: "eu-west-1" });
        });

        it("states the source in the restore's overrides (plan.txt)", () => {
            assert.deepEqual(plan(restoring("vault")).restore!.overrides, [
                "every backup is read from the vault, bucket hopsworks-vault in eu-west-1 (restore.source: vault), not the primary hopsworks-backups: " +
                    "the location and the Hopsworks release's object storage point at it",
            ]);
            assert.deepEqual(plan(restoring()).restore!.overrides, []);
        });
    });

    describe("a values file naming another HopsFS bucket", () => {
        for (const [title, values] of [["in normal operation", vaultConfig], ["during a restore from the vault", () => restoring("vault")]] as const) {
            it(`is refused ${title}`, () => {
                const c = values();
                c.hopsworks.valuesFiles = ["test/fixtures/values-other-bucket.yaml"];
                assert.throws(() => plan(c), (error: unknown) => {
                    assert.ok(error instanceof ConfigError);
                    assert.deepEqual(error.problems.map((p) => p.message), [
                        'hopsworks-dr:hopsworks.valuesFiles[0] = "test/fixtures/values-other-bucket.yaml": sets global._hopsworks.managedObjectStorage.s3.bucket.name ' +
                            'to "someone-elses-bucket", but the backups are in hopsworks-dr:storage.bucket "hopsworks-backups", and RonDB, OpenSearch and HopsFS ' +
                            "back up to and restore from the HopsFS bucket: set it to storage.bucket, or remove it from the file",
                    ]);
                    return true;
                });
            });
        }

        it("is accepted when it names storage.bucket", () => {
            const c = vaultConfig();
            c.hopsworks.valuesFiles = ["test/fixtures/values-primary-bucket.yaml"];
            assert.equal(s3Of(plan(c).hopsworks.values).bucket.name, "hopsworks-backups");
        });
    });
});
