import assert from "assert/strict";
import { renderStack } from "../render/render";
import { awsConfig, minioConfig, stackFile } from "./support/stacks";

/** The whole program (index.ts), as `pulumi up` would run it. */
async function program(values: Record<string, any>) {
    const { resources, outputs } = await renderStack(stackFile(values));
    const nameOf = (urn: string) => resources.find((r) => r.urn === urn)?.name ?? urn;
    const find = (type: string) => {
        const r = resources.find((x) => x.type === type);
        assert.ok(r, `no ${type} declared`);
        return r;
    };
    return { resources, outputs, nameOf, find };
}

describe("the program (index.ts)", () => {
    it("declares bucket, Velero, location and Hopsworks in the manual's order, each waiting for the one before", async () => {
        const { resources, nameOf, find } = await program(minioConfig());
        assert.deepEqual(
            resources.filter((r) => !r.custom).map((r) => r.type),
            [
                "hopsworks-dr:index:BackupBucket",
                "hopsworks-dr:index:Velero",
                "hopsworks-dr:index:BackupLocation",
                "hopsworks-dr:index:Hopsworks",
            ],
        );
        const location = find("kubernetes:velero.io/v1:BackupStorageLocation");
        const secret = find("kubernetes:core/v1:Secret");
        const hopsworks = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "hopsworks")!;
        // The location's Secret waits for Velero (its CRD) and the bucket; the location for the Secret.
        assert.ok(secret.dependencies.map(nameOf).includes("velero"), "Secret waits for the Velero release");
        assert.ok(secret.dependencies.map(nameOf).includes("backup-bucket-versioning"), "Secret waits for the bucket's versioning");
        assert.deepEqual(location.dependencies.map(nameOf), ["backup-location-credentials"]);
        assert.ok(hopsworks.dependencies.map(nameOf).includes("backup-location"), "Hopsworks waits for the location");
    });

    it("feeds the role it creates for irsa into Velero's service account", async () => {
        const c = awsConfig();
        delete c.storage.iamRoleArn;
        c.storage.irsa = {
            oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-north-1.amazonaws.com/id/ABC",
            oidcProviderUrl: "oidc.eks.eu-north-1.amazonaws.com/id/ABC",
        };
        const { resources, nameOf, outputs } = await program(c);
        const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "velero")!;
        assert.equal(
            release.inputs.values.serviceAccount.server.annotations["eks.amazonaws.com/role-arn"],
            "<ARN of IAM role test-velero: known after deployment>",
        );
        assert.ok(release.dependencies.map(nameOf).includes("velero-iam-role"));
        assert.equal(outputs.veleroRoleArn, "<ARN of IAM role test-velero: known after deployment>");
    });

    it("exports the mode, bucket, location and release", async () => {
        const { outputs } = await program(awsConfig());
        assert.equal(outputs.mode, "none");
        assert.equal(outputs.restore, null);
        assert.equal(outputs.backupLocationAccessMode, "ReadWrite");
        assert.equal(outputs.bucketName, "hopsworks-backups");
        assert.equal(outputs.backupLocation, "hopsworks-bsl");
        assert.equal(outputs.veleroNamespace, "velero");
        assert.equal(outputs.veleroRoleArn, "arn:aws:iam::123456789012:role/velero");
    });

    it("refuses invalid config before declaring anything, with every problem and no stack trace", async () => {
        const c = minioConfig();
        c.storage.bucket = "Bad_Bucket";
        c.backup = { ttl: "2w" };
        await assert.rejects(renderStack(stackFile(c)), (error: Error) => {
            assert.equal(
                error.message,
                "Invalid stack config (2 problems):\n" +
                    '  - hopsworks-dr:storage.bucket = "Bad_Bucket": must be an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit\n' +
                    '  - hopsworks-dr:backup.ttl = "2w": must be a whole number of days or hours such as "60d" or "720h" (the chart\'s pattern ^\\d+[dh]$)',
            );
            return true;
        });
    });
});
