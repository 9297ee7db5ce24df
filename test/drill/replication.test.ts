import assert from "assert/strict";
import {
    CreateBucketCommand,
    DeleteObjectCommand,
    GetObjectCommand,
    ListObjectVersionsCommand,
    PutBucketReplicationCommand,
    PutBucketVersioningCommand,
    PutObjectCommand,
    S3Client,
} from "@aws-sdk/client-s3";
import { replicationRule, StandInReplication, storeClient } from "../../drill/replication";
import { sharedMoto } from "../support/moto";

const KEYS = { accessKeyId: "test", secretAccessKey: "test" };
const rule = (deleteMarkers: "Enabled" | "Disabled", prefix = "") => ({
    Role: "arn:aws:iam::123456789012:role/replication",
    Rules: [{ ID: "hopsworks-dr-vault", Status: "Enabled" as const, Priority: 1, Filter: { Prefix: prefix }, DeleteMarkerReplication: { Status: deleteMarkers }, Destination: { Bucket: "arn:aws:s3:::vault" } }],
});

describe("the drill's stand-in replication: the rule it follows", () => {
    it("takes the one enabled rule's prefix, destination bucket and delete-marker setting", () => {
        assert.deepEqual(replicationRule(rule("Disabled", "k8s_backup/"), "primary"), { prefix: "k8s_backup/", destination: "vault", deleteMarkers: false });
        assert.deepEqual(replicationRule(rule("Enabled"), "primary"), { prefix: "", destination: "vault", deleteMarkers: true });
        assert.throws(() => replicationRule({ Role: "r", Rules: [] }, "primary"), /replicates one enabled rule; primary has 0/);
    });
});

describe("the drill's stand-in replication (against moto's S3 API, from one bucket to another)", function () {
    this.timeout(60_000);
    let primary: S3Client;
    let vault: S3Client;

    before(async function () {
        // Two buckets of one moto server: the stand-in replication copies between two clients, whatever the endpoints.
        const store = await sharedMoto(this);
        primary = storeClient({ endpoint: store.url, region: "us-east-1" }, KEYS);
        vault = storeClient({ endpoint: store.url, region: "us-west-2" }, KEYS);
        await primary.send(new CreateBucketCommand({ Bucket: "primary" }));
        await primary.send(new PutBucketVersioningCommand({ Bucket: "primary", VersioningConfiguration: { Status: "Enabled" } }));
        await vault.send(new CreateBucketCommand({ Bucket: "vault", ObjectLockEnabledForBucket: true, CreateBucketConfiguration: { LocationConstraint: "us-west-2" } }));
    });

    const body = async (client: S3Client, key: string, versionId?: string) =>
        (await client.send(new GetObjectCommand({ Bucket: key.startsWith("v:") ? "vault" : "primary", Key: key.replace(/^v:/, ""), VersionId: versionId }))).Body!.transformToString();

    it("copies every version under the rule's prefix, oldest first, once, and never a delete marker", async () => {
        await primary.send(new PutBucketReplicationCommand({ Bucket: "primary", ReplicationConfiguration: rule("Disabled") }));
        await primary.send(new PutObjectCommand({ Bucket: "primary", Key: "k8s_backup/a", Body: "one" }));
        await primary.send(new PutObjectCommand({ Bucket: "primary", Key: "k8s_backup/a", Body: "two" }));
        await primary.send(new PutObjectCommand({ Bucket: "primary", Key: "rondb_backup/1/x", Body: "x" }));
        const copier = new StandInReplication({ client: primary, bucket: "primary" }, { client: vault, bucket: "vault" });
        assert.deepEqual(await copier.pass(), { copied: 3, deleteMarkersSkipped: 0 });
        assert.equal(await body(vault, "v:k8s_backup/a"), "two");

        await primary.send(new DeleteObjectCommand({ Bucket: "primary", Key: "k8s_backup/a" }));
        assert.deepEqual(await copier.pass(), { copied: 0, deleteMarkersSkipped: 1 });
        // The deletion never reached the vault: its current version is still there.
        assert.equal(await body(vault, "v:k8s_backup/a"), "two");
        const versions = await vault.send(new ListObjectVersionsCommand({ Bucket: "vault" }));
        assert.equal(versions.Versions?.length, 3);
        assert.equal(versions.DeleteMarkers, undefined);
        assert.equal(copier.copied.size, 4);
    });

    it("refuses a rule that points at another bucket", async () => {
        const elsewhere = new StandInReplication({ client: primary, bucket: "primary" }, { client: vault, bucket: "other" });
        await assert.rejects(elsewhere.pass(), /replicates to vault, not to the vault other/);
    });
});
