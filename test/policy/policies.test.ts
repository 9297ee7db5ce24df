import * as assert from "assert";
import { renderStack } from "../../render/render";
import type { RecordedResource } from "../../render/recorder";
import {
    bucketLifecycleKeepsBackups,
    bucketProtected,
    bucketVersioningEnabled,
    helmValuesCarryNoPlainSecrets,
    inPlaceRestoreForcesDataClear,
    locationReadOnlyDuringRestore,
    policies,
    restoreInFlight,
    restoreModeOf,
    restoreValuesNeedARestore,
    replicationKeepsDeleteMarkersOut,
    ttlInDays,
    TYPES,
    veleroReleaseOwnsNoLocationOrSecret,
} from "../../policy/policies";
import { awsConfig, minioConfig, stackFile, vaultConfig } from "../support/stacks";
import { copyOf, only, stackArgs, violationsOf } from "./adapter";

const VELERO = { main: "k8s-backups-main-20251124120012", users: "k8s-backups-users-resources-20251124120013" };
const NEW_CLUSTER = { mode: "new-cluster", backupId: "254811200", backupHopsworksVersion: "4.8.0", veleroBackups: VELERO };
const IN_PLACE = { mode: "in-place", backupId: "254811200", backupHopsworksVersion: "4.8.0", forceDataClear: true, confirm: "test/254811200", veleroBackups: VELERO };

type Mode = "none" | "new-cluster" | "in-place";

/** The program's own resources for each restore mode (S3-compatible store: it has the credentials Secret). */
const rendered: Record<Mode, RecordedResource[]> = { none: [], "new-cluster": [], "in-place": [] };
/** The AWS variant (IAM role, no Secret), in normal operation. */
let awsNone: RecordedResource[] = [];

const hopsworksRelease = (resources: RecordedResource[]) => only(resources, TYPES.release, "hopsworks");
const veleroRelease = (resources: RecordedResource[]) => only(resources, TYPES.release, "velero");
const restoreBlock = (resources: RecordedResource[]) => hopsworksRelease(resources).inputs.values.global._hopsworks.restoreFromBackup;

async function messages(policy: Parameters<typeof violationsOf>[0], resources: RecordedResource[]): Promise<string[]> {
    return (await violationsOf(policy, resources)).map((v) => v.message);
}

describe("policy pack", () => {
    // renderStack runs the program under global mocks: one at a time, never in parallel.
    before(async () => {
        rendered.none = (await renderStack(stackFile(minioConfig()))).resources;
        rendered["new-cluster"] = (await renderStack(stackFile({ ...minioConfig(), restore: NEW_CLUSTER }))).resources;
        rendered["in-place"] = (await renderStack(stackFile({ ...minioConfig(), restore: IN_PLACE }))).resources;
        awsNone = (await renderStack(stackFile(awsConfig()))).resources;
    });

    describe("on the program's own output", () => {
        for (const mode of ["none", "new-cluster", "in-place"] as const) {
            it(`reports no mandatory violation in restore mode ${mode}`, async () => {
                for (const policy of policies.filter((p) => p.enforcementLevel === "mandatory")) {
                    assert.deepStrictEqual(await messages(policy, rendered[mode]), [], policy.name);
                }
            });
        }

        it("reports no mandatory violation on AWS with an IAM role", async () => {
            for (const policy of policies.filter((p) => p.enforcementLevel === "mandatory")) {
                assert.deepStrictEqual(await messages(policy, awsNone), [], policy.name);
            }
        });

        it("derives the restore mode from the resources alone", () => {
            assert.strictEqual(restoreModeOf(stackArgs(rendered.none).resources), "none");
            assert.strictEqual(restoreModeOf(stackArgs(rendered["new-cluster"]).resources), "new-cluster");
            assert.strictEqual(restoreModeOf(stackArgs(rendered["in-place"]).resources), "in-place");
        });

        it("sees the recorded secret paths of the credentials Secret", () => {
            assert.deepStrictEqual(only(rendered.none, TYPES.secret).secretPaths, ["stringData"]);
        });

        it("names every policy once, each with a description", () => {
            const names = policies.map((p) => p.name);
            assert.strictEqual(new Set(names).size, names.length);
            for (const policy of policies) assert.ok(policy.description.length > 20, policy.name);
        });
    });

    describe("ttlInDays", () => {
        it("reads days and rounds hours up", () => {
            assert.strictEqual(ttlInDays("60d"), 60);
            assert.strictEqual(ttlInDays("720h"), 30);
            assert.strictEqual(ttlInDays("721h"), 31);
            assert.strictEqual(ttlInDays("2w"), undefined);
            assert.strictEqual(ttlInDays(undefined), undefined);
        });
    });

    describe("backup-bucket-versioning-enabled", () => {
        it("refuses suspended versioning", async () => {
            const resources = copyOf(rendered.none);
            only(resources, TYPES.bucketVersioning).inputs.versioningConfiguration.status = "Suspended";
            assert.deepStrictEqual(await messages(bucketVersioningEnabled, resources), [
                'Versioning of bucket hopsworks-test is Suspended: HopsFS backups need it. Set versioningConfiguration.status to "Enabled".',
            ]);
        });

        it("refuses a versioning resource with no status", async () => {
            const resources = copyOf(rendered.none);
            delete only(resources, TYPES.bucketVersioning).inputs.versioningConfiguration;
            assert.deepStrictEqual(await messages(bucketVersioningEnabled, resources), [
                'Versioning of bucket hopsworks-test is not set: HopsFS backups need it. Set versioningConfiguration.status to "Enabled".',
            ]);
        });
    });

    describe("backup-bucket-lifecycle-keeps-backups", () => {
        const rule = (resources: RecordedResource[]) => only(resources, TYPES.bucketLifecycle).inputs.rules[0];

        it("refuses noncurrent versions kept less than the ttl", async () => {
            const resources = copyOf(rendered.none);
            rule(resources).noncurrentVersionExpiration.noncurrentDays = 30;
            const violations = await violationsOf(bucketLifecycleKeepsBackups, resources);
            assert.deepStrictEqual(violations, [
                {
                    message:
                        "Lifecycle rule HopsFSBlocksRetentionPolicy of bucket hopsworks-test keeps noncurrent versions 30 days, less than the backup ttl 60d (60 days): " +
                        "backups older than 30 days would lose their HopsFS blocks. Set hopsworks-dr:backup.noncurrentVersionDays to at least 60, or unset it.",
                    urn: only(resources, TYPES.bucketLifecycle).urn,
                },
            ]);
        });

        it("compares with an hour ttl rounded up to days", async () => {
            const resources = copyOf(rendered.none);
            hopsworksRelease(resources).inputs.values.global._hopsworks.backups.ttl = "1465h";
            assert.deepStrictEqual(await messages(bucketLifecycleKeepsBackups, resources), [
                "Lifecycle rule HopsFSBlocksRetentionPolicy of bucket hopsworks-test keeps noncurrent versions 60 days, less than the backup ttl 1465h (62 days): " +
                    "backups older than 60 days would lose their HopsFS blocks. Set hopsworks-dr:backup.noncurrentVersionDays to at least 62, or unset it.",
            ]);
        });

        it("refuses expiring current objects", async () => {
            const resources = copyOf(rendered.none);
            rule(resources).expiration.days = 90;
            assert.deepStrictEqual(await messages(bucketLifecycleKeepsBackups, resources), [
                "Lifecycle rule HopsFSBlocksRetentionPolicy of bucket hopsworks-test expires current objects (expiration days 90): " +
                    "that deletes live HopsFS blocks. Remove expiration.days and expiration.date; keep only expiredObjectDeleteMarker.",
            ]);
        });

        it("refuses newerNoncurrentVersions", async () => {
            const resources = copyOf(rendered.none);
            rule(resources).noncurrentVersionExpiration.newerNoncurrentVersions = 3;
            assert.deepStrictEqual(await messages(bucketLifecycleKeepsBackups, resources), [
                "Lifecycle rule HopsFSBlocksRetentionPolicy of bucket hopsworks-test sets noncurrentVersionExpiration.newerNoncurrentVersions 3: " +
                    "it deletes versions by count, whatever their age, so backups within the ttl lose their blocks. Remove it.",
            ]);
        });

        it("ignores a disabled rule", async () => {
            const resources = copyOf(rendered.none);
            rule(resources).status = "Disabled";
            rule(resources).expiration.days = 1;
            assert.deepStrictEqual(await messages(bucketLifecycleKeepsBackups, resources), []);
        });

        it("refuses a release without a usable ttl", async () => {
            const resources = copyOf(rendered.none);
            delete hopsworksRelease(resources).inputs.values.global._hopsworks.backups.ttl;
            assert.deepStrictEqual(await messages(bucketLifecycleKeepsBackups, resources), [
                "The Hopsworks release has no backup ttl in global._hopsworks.backups.ttl (found undefined), " +
                    'so the lifecycle cannot be checked against it. Set hopsworks-dr:backup.ttl, e.g. "60d".',
            ]);
        });
    });

    describe("vault-replication-keeps-delete-markers-out", () => {
        it("accepts the program's replication and refuses one that replicates delete markers, or a V1 rule without a filter", async () => {
            const resources = (await renderStack(stackFile(vaultConfig()))).resources;
            assert.deepStrictEqual(await messages(replicationKeepsDeleteMarkersOut, resources), []);
            const enabled = copyOf(resources);
            only(enabled, TYPES.bucketReplication).inputs.rules[0].deleteMarkerReplication = { status: "Enabled" };
            assert.deepStrictEqual(await messages(replicationKeepsDeleteMarkersOut, enabled), [
                "Replication rule hopsworks-dr-vault of bucket hopsworks-backups replicates delete markers (deleteMarkerReplication.status Enabled): " +
                    "a deletion in the primary would hide the backup in the vault too. Give it filter { prefix: \"\" } and deleteMarkerReplication.status \"Disabled\" (stacks/plan/vault.ts).",
            ]);
            const v1 = copyOf(resources);
            delete only(v1, TYPES.bucketReplication).inputs.rules[0].filter;
            assert.match((await messages(replicationKeepsDeleteMarkersOut, v1))[0], /\(no filter: S3's V1 rule schema\)/);
        });
    });

    describe("backup-bucket-protected", () => {
        it("refuses an unprotected bucket", async () => {
            const resources = copyOf(awsNone);
            only(resources, TYPES.bucket).protect = false;
            assert.deepStrictEqual(await violationsOf(bucketProtected, resources), [
                {
                    message:
                        "Bucket hopsworks-backups (backup-bucket) is not protected: deleting it deletes every backup. " +
                        "Declare it with the resource option protect: true (components/backup-bucket.ts).",
                    urn: only(resources, TYPES.bucket).urn,
                },
            ]);
        });

        it("does not apply to an adopted bucket (storage.create false declares no bucket)", async () => {
            const resources = copyOf(awsNone).filter((r) => r.type !== TYPES.bucket);
            assert.deepStrictEqual(await messages(bucketProtected, resources), []);
        });
    });

    describe("velero-release-owns-no-location-or-secret", () => {
        it("refuses snapshots", async () => {
            const resources = copyOf(rendered.none);
            veleroRelease(resources).inputs.values.snapshotsEnabled = true;
            assert.deepStrictEqual(await messages(veleroReleaseOwnsNoLocationOrSecret, resources), [
                "Velero values set snapshotsEnabled true: the chart then renders a VolumeSnapshotLocation with no provider. Set snapshotsEnabled: false.",
            ]);
        });

        it("refuses the chart's default snapshots when the key is missing", async () => {
            const resources = copyOf(rendered.none);
            delete veleroRelease(resources).inputs.values.snapshotsEnabled;
            assert.deepStrictEqual(await messages(veleroReleaseOwnsNoLocationOrSecret, resources), [
                'Velero values set snapshotsEnabled "unset (chart default true)": the chart then renders a VolumeSnapshotLocation with no provider. Set snapshotsEnabled: false.',
            ]);
        });

        it("refuses a backup location in the values", async () => {
            const resources = copyOf(rendered.none);
            veleroRelease(resources).inputs.values.configuration.backupStorageLocation = [{ name: "default", provider: "aws", bucket: "x" }];
            assert.deepStrictEqual(await messages(veleroReleaseOwnsNoLocationOrSecret, resources), [
                "Velero values declare configuration.backupStorageLocation: the chart would create a location beside the stack's hopsworks-bsl. " +
                    "Set configuration.backupStorageLocation: [].",
            ]);
        });

        it("refuses values that leave the backup location list unset (the chart's default location then appears)", async () => {
            const resources = copyOf(rendered.none);
            delete veleroRelease(resources).inputs.values.configuration.backupStorageLocation;
            assert.deepStrictEqual(await messages(veleroReleaseOwnsNoLocationOrSecret, resources), [
                `Velero values leave configuration.backupStorageLocation unset: the chart then creates its default location "default", ` +
                    `with no provider, beside hopsworks-bsl. Set configuration.backupStorageLocation: [] (and allowNullValues: true on the release, ` +
                    `or the provider drops the empty list).`,
            ]);
        });

        it("refuses a volume snapshot location in the values", async () => {
            const resources = copyOf(awsNone);
            veleroRelease(resources).inputs.values.configuration.volumeSnapshotLocation = [{ name: "default", provider: "aws" }];
            assert.deepStrictEqual(await messages(veleroReleaseOwnsNoLocationOrSecret, resources), [
                "Velero values declare configuration.volumeSnapshotLocation: snapshots are off. Remove it.",
            ]);
        });

        it("refuses a credentials Secret of the chart's own", async () => {
            const resources = copyOf(awsNone);
            veleroRelease(resources).inputs.values.credentials.useSecret = true;
            assert.deepStrictEqual(await messages(veleroReleaseOwnsNoLocationOrSecret, resources), [
                "Velero values set credentials.useSecret true: the chart would create a credentials Secret of its own. " +
                    "Set credentials.useSecret: false; the location's credentials Secret belongs to the stack.",
            ]);
        });

        it("recognises the Velero release whether its chart comes from a repository, an OCI registry or a local chart", async () => {
            for (const chart of ["velero", "oci://registry.example.com/vmware-tanzu/velero", "/srv/charts/velero", "/srv/charts/velero/", "/srv/charts/velero-11.2.0.tgz"]) {
                const resources = copyOf(rendered.none);
                veleroRelease(resources).inputs.chart = chart;
                veleroRelease(resources).inputs.values.snapshotsEnabled = true;
                assert.equal((await messages(veleroReleaseOwnsNoLocationOrSecret, resources)).length, 1, chart);
            }
            for (const chart of ["hopsworks", "/srv/charts/velero-tools", "oci://registry.example.com/velero/other"]) {
                const resources = copyOf(rendered.none);
                veleroRelease(resources).inputs.chart = chart;
                veleroRelease(resources).inputs.values.snapshotsEnabled = true;
                assert.deepEqual(await messages(veleroReleaseOwnsNoLocationOrSecret, resources), [], chart);
            }
        });

        it("leaves the Hopsworks release alone", async () => {
            const resources = copyOf(rendered.none).filter((r) => r.name !== "velero");
            assert.deepStrictEqual(await messages(veleroReleaseOwnsNoLocationOrSecret, resources), []);
        });
    });

    describe("helm-values-carry-no-plain-secrets", () => {
        it("accepts the program's own releases (the location's keys go to a Secret, the repository login to repositoryOpts)", async () => {
            for (const resources of [rendered.none, rendered["in-place"], awsNone]) {
                assert.deepStrictEqual(await messages(helmValuesCarryNoPlainSecrets, copyOf(resources)), []);
            }
        });

        it("refuses a password under a credential's key name, naming the release and the path, not the value", async () => {
            const resources = copyOf(rendered.none);
            const values = hopsworksRelease(resources).inputs.values;
            values.global._hopsworks.minio = { enabled: false, password: "minioadmin" };
            values.hopsworks.ldap = { bindPassword: "hunter2", token: "", passwordSecretName: "ldap-bind" };
            const violations = await violationsOf(helmValuesCarryNoPlainSecrets, resources);
            assert.deepStrictEqual(violations, [
                {
                    message:
                        "Helm release hopsworks/hopsworks carries recognisable secrets in its values, stored in plain text in the state and shown in " +
                        "the pull-request diff: global._hopsworks.minio.password (a key named password), hopsworks.ldap.bindPassword (a key named bindPassword). " +
                        "Remove them from the values files; put them in a Kubernetes Secret the chart references, or in secret config " +
                        "(`pulumi config set --secret`) for the credentials the stack's config takes.",
                    urn: hopsworksRelease(resources).urn,
                },
            ]);
            assert.ok(!JSON.stringify(violations).includes("minioadmin") && !JSON.stringify(violations).includes("hunter2"));
        });

        it("refuses an AWS access key ID or a private key anywhere in the values, the Velero release's too", async () => {
            const resources = copyOf(rendered.none);
            veleroRelease(resources).inputs.values.extraEnvVars = [{ name: "AWS_ACCESS_KEY_ID", value: "AKIAIOSFODNN7EXAMPLE" }];
            hopsworksRelease(resources).inputs.values.tls = { key: "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----" };
            assert.deepStrictEqual((await messages(helmValuesCarryNoPlainSecrets, resources)).map((m) => m.split(": ")[1].split(". Remove")[0]), [
                "extraEnvVars[0].value (an AWS access key ID)",
                "tls.key (a PEM private key)",
            ]);
        });

        it("leaves references to credentials alone: Secret names and keys, empty values", async () => {
            const resources = copyOf(rendered.none);
            hopsworksRelease(resources).inputs.values.global._hopsworks.managedObjectStorage = {
                s3: { secret: { name: "hopsfs-s3", access_key_id: "access-key-id", secret_key_id: "secret-key" } },
            };
            hopsworksRelease(resources).inputs.values.rondb = { rondb: { restoreFromBackup: { s3: { keyCredentialsSecret: { key: "key", name: "s3" } } } }, password: "" };
            assert.deepStrictEqual(await messages(helmValuesCarryNoPlainSecrets, resources), []);
        });
    });

    describe("in-place-restore-forces-data-clear", () => {
        it("refuses inPlace without forceDataClear", async () => {
            const resources = copyOf(rendered["in-place"]);
            delete restoreBlock(resources).forceDataClear;
            assert.deepStrictEqual(await messages(inPlaceRestoreForcesDataClear, resources), [
                'The Hopsworks release restores backup 254811200 in place without forceDataClear: true (found "unset"). ' +
                    "Set hopsworks-dr:restore.forceDataClear true and restore.confirm <stack>/254811200.",
            ]);
        });

        it("refuses forceDataClear false", async () => {
            const resources = copyOf(rendered["in-place"]);
            restoreBlock(resources).forceDataClear = false;
            assert.deepStrictEqual(await messages(inPlaceRestoreForcesDataClear, resources), [
                "The Hopsworks release restores backup 254811200 in place without forceDataClear: true (found false). " +
                    "Set hopsworks-dr:restore.forceDataClear true and restore.confirm <stack>/254811200.",
            ]);
        });
    });

    describe("restore-values-need-a-restore", () => {
        it("refuses restoreFromBackup with no restore in flight", async () => {
            const resources = copyOf(rendered["new-cluster"]).filter((r) => r.type !== TYPES.veleroRestore);
            only(resources, TYPES.backupLocation).inputs.spec.accessMode = "ReadWrite";
            const violations = await violationsOf(restoreValuesNeedARestore, resources);
            assert.deepStrictEqual(violations, [
                {
                    message:
                        "The Hopsworks release carries restoreFromBackup (backup 254811200) but the stack's restore mode is none " +
                        "(no Velero Restore and no inPlace: true): the chart would fail this and every later upgrade. " +
                        "Remove restoreFromBackup from the values (it comes only from hopsworks-dr:restore), or set restore.mode new-cluster or in-place to restore.",
                    urn: hopsworksRelease(resources).urn,
                },
            ]);
        });

        it("refuses a left-over block in normal operation", async () => {
            const resources = copyOf(rendered.none);
            hopsworksRelease(resources).inputs.values.global._hopsworks.restoreFromBackup = { backupId: "254811200" };
            assert.strictEqual((await messages(restoreValuesNeedARestore, resources)).length, 1);
        });
    });

    describe("backup-location-read-only-during-restore", () => {
        it("refuses a ReadOnly location with no restore declared", async () => {
            const resources = copyOf(rendered.none);
            only(resources, TYPES.backupLocation).inputs.spec.accessMode = "ReadOnly";
            assert.deepStrictEqual(await violationsOf(locationReadOnlyDuringRestore, resources), [
                {
                    message:
                        "Backup location velero/hopsworks-bsl is ReadOnly but no Velero restore is declared: scheduled backups would fail. " +
                        "Set spec.accessMode: ReadWrite (it is ReadOnly only during a new-cluster restore).",
                    urn: only(resources, TYPES.backupLocation).urn,
                },
            ]);
        });

        it("refuses a ReadWrite location while restores are declared", async () => {
            const resources = copyOf(rendered["new-cluster"]);
            only(resources, TYPES.backupLocation).inputs.spec.accessMode = "ReadWrite";
            assert.deepStrictEqual(await messages(locationReadOnlyDuringRestore, resources), [
                "Backup location velero/hopsworks-bsl is ReadWrite while Velero restores k8s-backups-main, k8s-backups-users-resources are declared: " +
                    "the new cluster could prune or overwrite the backups it restores from. Set spec.accessMode: ReadOnly until restore.mode is none again.",
            ]);
        });

        it("takes a location with no accessMode as ReadWrite, Velero's default", async () => {
            const resources = copyOf(rendered["new-cluster"]);
            delete only(resources, TYPES.backupLocation).inputs.spec.accessMode;
            assert.strictEqual((await messages(locationReadOnlyDuringRestore, resources)).length, 1);
        });
    });

    describe("restore-in-flight (advisory)", () => {
        it("is advisory", () => {
            assert.strictEqual(restoreInFlight.enforcementLevel, "advisory");
        });

        it("says nothing in normal operation", async () => {
            assert.deepStrictEqual(await messages(restoreInFlight, rendered.none), []);
        });

        it("announces a new-cluster restore", async () => {
            assert.deepStrictEqual(await messages(restoreInFlight, rendered["new-cluster"]), [
                "This stack deploys a new-cluster restore of backup 254811200: it installs Hopsworks from it after the Velero restores, with the backup location ReadOnly. " +
                    "Check the backup ID and the stack before approving; once it has completed, set hopsworks-dr:restore.mode none and deploy again.",
            ]);
        });

        it("announces a Superset-only restore (Hopsworks 5.2), which no mandatory policy refuses", async () => {
            const c = minioConfig();
            c.hopsworks = { ...c.hopsworks, chartVersion: "5.2.0", version: "5.2.0" };
            const id = "20260722215632-2116913658";
            const resources = (await renderStack(stackFile({ ...c, restore: { mode: "superset", confirm: `test/${id}`, superset: { backupId: id } } }))).resources;
            assert.strictEqual(restoreModeOf(stackArgs(resources).resources), "superset");
            assert.deepStrictEqual(await messages(restoreInFlight, resources), [
                `This stack deploys a superset restore of backup ${id}: it REPLACES the running Superset database (dashboards, charts, connections, users) with it. ` +
                    "Check the backup ID and the stack before approving; once it has completed, set hopsworks-dr:restore.mode none and deploy again.",
            ]);
            for (const policy of policies.filter((p) => p.enforcementLevel === "mandatory")) {
                assert.deepStrictEqual(await messages(policy, resources), [], policy.name);
            }
        });

        it("announces an in-place restore", async () => {
            assert.deepStrictEqual(await messages(restoreInFlight, rendered["in-place"]), [
                "This stack deploys an in-place restore of backup 254811200: it REPLACES the running installation's data with it. " +
                    "Check the backup ID and the stack before approving; once it has completed, set hopsworks-dr:restore.mode none and deploy again.",
            ]);
        });
    });
});
