/**
 * Issue 11, item 12: every config string and number has a bound, stated with its reason, and no
 * message echoes more than ECHO_LIMIT characters of a value.
 */
import assert from "assert/strict";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { ConfigError, ConfigReader, ECHO_LIMIT, show } from "../../../stacks/config/reader";
import { LIMITS } from "../../../stacks/config/limits";
import { awsConfig, minioConfig, source } from "../../support/stacks";

function problemsOf(values: Record<string, any>): { key: string; message: string }[] {
    try {
        readStackConfig(source(values));
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
        return error.problems;
    }
    assert.fail("the config was accepted");
}

function messageFor(values: Record<string, any>, key: string): string {
    const problems = problemsOf(values);
    const problem = problems.find((p) => p.key === key);
    assert.ok(problem, `no problem names ${key}; got: ${problems.map((p) => p.message.slice(0, 300)).join(" | ")}`);
    return problem.message;
}

const MB = 1024 * 1024;
const irsa = (url: string, arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-north-1.amazonaws.com/id/ABC") => (c: Record<string, any>) => {
    delete c.storage.iamRoleArn;
    c.storage.irsa = { oidcProviderArn: arn, oidcProviderUrl: url };
};

type Case = [key: string, base: () => Record<string, any>, change: (c: Record<string, any>) => void, bound: number, reason: RegExp];

/** Each value is past its bound and otherwise of the key's form. */
const overLimit: Case[] = [
    ["storage.region", minioConfig, (c) => (c.storage.region = "r".repeat(65)), 64, /AWS region names have at most 14 characters/],
    ["storage.region", awsConfig, (c) => (c.storage.region = `eu-${"n".repeat(60)}-1`), 64, /region is part of every request's signature/],
    ["storage.endpoint", minioConfig, (c) => (c.storage.endpoint = `https://minio.example.com/${"p".repeat(2048)}`), 2048, /URL that HTTP clients, servers and proxies/],
    ["storage.apiEndpoint", minioConfig, (c) => (c.storage.apiEndpoint = `https://minio.example.com/${"p".repeat(2048)}`), 2048, /URL/],
    ["storage.caCert", minioConfig, (c) => (c.storage.caCert = `-----BEGIN CERTIFICATE-----\n${"A".repeat(262_144)}`), 262_144, /BackupStorageLocation, a Kubernetes object/],
    ["storage.iamRoleArn", awsConfig, (c) => (c.storage.iamRoleArn = `arn:aws:iam::123456789012:role/${"r".repeat(2048)}`), 2048, /IAM and KMS take ARNs of at most 2048/],
    ["storage.kmsKeyArn", awsConfig, (c) => (c.storage.kmsKeyArn = `arn:aws:kms:eu-north-1:123456789012:key/${"k".repeat(2048)}`), 2048, /ARNs/],
    ["storage.irsa.oidcProviderArn", awsConfig, irsa("oidc.eks.eu-north-1.amazonaws.com/id/ABC", `arn:aws:iam::123456789012:oidc-provider/${"o".repeat(2048)}`), 2048, /ARNs/],
    ["storage.irsa.oidcProviderUrl", awsConfig, irsa(`https://oidc.example.com/${"i".repeat(240)}`), 255, /CreateOpenIDConnectProvider/],
    ["backup.schedule", minioConfig, (c) => (c.backup = { schedule: `${Array(300).fill("0").join(",")} 3 * * *` }), 512, /every minute, hour, day, month and weekday/],
    ["backup.ttl", minioConfig, (c) => (c.backup = { ttl: `${"0".repeat(40)}60d` }), 32, /"87600h", has 6 characters/],
    ["velero.repo", minioConfig, (c) => (c.velero = { repo: `https://mirror.example.com/${"c".repeat(2048)}` }), 2048, /URL/],
    ["velero.repo", minioConfig, (c) => (c.velero = { repo: `charts/${"d".repeat(4096)}` }), 4096, /PATH_MAX/],
    ["velero.chartVersion", minioConfig, (c) => (c.velero = { chartVersion: `11.2.0-${"a".repeat(60)}` }), 64, /helm\.sh\/chart label/],
    ["velero.pluginImage", minioConfig, (c) => (c.velero = { pluginImage: `velero/${"p".repeat(380)}:v1` }), 384, /repository name at 255 characters and a tag at 128/],
    ["velero.image", minioConfig, (c) => (c.velero = { image: `velero/${"v".repeat(380)}:v1` }), 384, /distribution\/reference/],
    ["velero.kubectlImageRepository", minioConfig, (c) => (c.velero = { kubectlImageRepository: `registry.k8s.io/${"k".repeat(250)}` }), 255, /repository name at 255/],
    ["hopsworks.chart", minioConfig, (c) => (c.hopsworks.chart = "h".repeat(64)), 63, /label values have at most 63 characters/],
    ["hopsworks.repo", minioConfig, (c) => (c.hopsworks.repo = `oci://registry.example.com/${"c".repeat(2048)}`), 2048, /URL/],
    ["hopsworks.chartVersion", minioConfig, (c) => (c.hopsworks.chartVersion = `4.8.0-${"a".repeat(60)}`), 64, /SemVer/],
    ["hopsworks.version", minioConfig, (c) => (c.hopsworks.version = `4.8.0-${"a".repeat(60)}`), 64, /SemVer/],
    ["hopsworks.valuesFiles[0]", minioConfig, (c) => (c.hopsworks.valuesFiles = [`values/${"f".repeat(4096)}.yaml`]), 4096, /PATH_MAX/],
    ["restore.opensearchSnapshot", minioConfig, (c) => (c.restore = { opensearchSnapshot: "s".repeat(256) }), 255, /OpenSearch index names have at most 255 bytes/],
    ["restore.opensearchSkipIndices[1]", minioConfig, (c) => (c.restore = { opensearchSkipIndices: ["ok", "i".repeat(256)] }), 255, /OpenSearch/],
    ["restore.backupHopsworksVersion", minioConfig, (c) => (c.restore = { mode: "new-cluster", backupId: "254811200", backupHopsworksVersion: `4.8.0-${"a".repeat(60)}` }), 64, /SemVer/],
    ["restore.confirm", minioConfig, (c) => (c.restore = { mode: "in-place", backupId: "254811200", backupHopsworksVersion: "4.8.0", forceDataClear: true, confirm: `test/${"2".repeat(132)}` }), 136, /a stack name of at most 100 characters, a slash and a 9-digit backup ID or a Superset backup ID of at most 35 characters/],
    ["restore.acceptPartial", minioConfig, (c) => (c.restore = { mode: "new-cluster", backupId: "254811200", backupHopsworksVersion: "4.8.0", acceptPartial: "a".repeat(137) }), 136, /stack name/],
    ["restore.superset.backupId", minioConfig, (c) => ((c.hopsworks.version = "5.2.0"), (c.restore = { mode: "superset", superset: { backupId: `20260722215632-${"1".repeat(21)}` } })), 35, /a 14-digit time, a dash and at most 20 digits/],
    ["restore.superset.initiatedBy", minioConfig, (c) => ((c.hopsworks.version = "5.2.0"), (c.restore = { mode: "superset", superset: { backupId: "20260722215632-2116913658", initiatedBy: "a".repeat(257) } })), 256, /audit trail/],
    ["hopsworks.trinoBackupsSince", minioConfig, (c) => (c.hopsworks.trinoBackupsSince = "2".repeat(33)), 32, /has 24 characters/],
    ["monitoring.runbookBaseUrl", minioConfig, (c) => (c.monitoring = { runbookBaseUrl: `https://github.com/${"r".repeat(2048)}` }), 2048, /URL/],
    ["monitoring.recoveryPointObjective", minioConfig, (c) => (c.monitoring = { recoveryPointObjective: `${"0".repeat(40)}7d` }), 32, /a duration/],
];

describe("config limits", () => {
    for (const [key, base, change, bound, reason] of overLimit) {
        it(`refuses ${key} longer than ${bound} characters, stating the bound and why`, () => {
            const c = base();
            change(c);
            const message = messageFor(c, key);
            assert.match(message, new RegExp(`^hopsworks-dr:${key.replace(/[[\].]/g, "\\$&")} = `));
            assert.match(message, new RegExp(`at most ${bound} characters \\(it has \\d+\\): `), message.slice(0, 500));
            assert.match(message, reason);
        });
    }

    it("accepts each bounded value at its bound", () => {
        const c = minioConfig();
        c.storage.region = "r".repeat(64);
        c.hopsworks.chart = "h".repeat(63);
        c.hopsworks.chartVersion = `4.8.0-${"a".repeat(58)}`;
        c.backup = { ttl: `${"0".repeat(29)}60d` };
        assert.equal(c.hopsworks.chartVersion.length, 64);
        const config = readStackConfig(source(c));
        assert.equal(config.storage.region.length, 64);
        assert.equal(config.backup.ttlDays, 60);
    });

    it("bounds the numbers: timeoutSeconds at a day, attempt at 1000, noncurrentVersionDays at S3's 32 bits, the objective at the longest ttl", () => {
        assert.match(messageFor({ ...minioConfig(), hopsworks: { ...minioConfig().hopsworks, timeoutSeconds: 86_401 } }, "hopsworks.timeoutSeconds"),
            /^hopsworks-dr:hopsworks\.timeoutSeconds = 86401: must be at most 86400: a day: Helm waits that long/);
        assert.match(messageFor({ ...minioConfig(), hopsworks: { ...minioConfig().hopsworks, timeoutSeconds: "9".repeat(400) } }, "hopsworks.timeoutSeconds"),
            /^hopsworks-dr:hopsworks\.timeoutSeconds = "9{100}…" \(400 characters\): must be at most 86400/);
        assert.equal(readStackConfig(source({ ...minioConfig(), hopsworks: { ...minioConfig().hopsworks, timeoutSeconds: 86_400 } })).hopsworks.timeoutSeconds, 86_400);
        const restore = {
            mode: "new-cluster",
            backupId: "254811200",
            backupHopsworksVersion: "4.8.0",
            veleroBackups: { main: "k8s-backups-main-20251124120012", users: "k8s-backups-users-resources-20251124120013" },
        };
        assert.match(messageFor({ ...minioConfig(), restore: { ...restore, attempt: 1001 } }, "restore.attempt"), /= 1001: must be at most 1000: each attempt recreates the Velero restores/);
        assert.equal(readStackConfig(source({ ...minioConfig(), restore: { ...restore, attempt: 1000 } })).restore.attempt, 1000);
        assert.match(messageFor({ ...minioConfig(), backup: { noncurrentVersionDays: 1e300 } }, "backup.noncurrentVersionDays"), /must be at most 2147483647: S3's NoncurrentDays is a 32-bit integer/);
        assert.match(messageFor({ ...minioConfig(), monitoring: { recoveryPointObjective: "3651d" } }, "monitoring.recoveryPointObjective"),
            /^hopsworks-dr:monitoring\.recoveryPointObjective = "3651d": must be at most 3650d: no backup is kept longer/);
        assert.equal(readStackConfig(source({ ...minioConfig(), monitoring: { recoveryPointObjective: "3650d" } })).monitoring.recoveryPointObjectiveSeconds, 3650 * 86_400);
    });

    it("refuses a credential longer than its bound by its length alone, never echoing it", () => {
        const c = minioConfig();
        c.storage.secretAccessKey = "s".repeat(8193);
        const message = messageFor(c, "storage.secretAccessKey");
        assert.equal(message, `hopsworks-dr:storage.secretAccessKey = [secret]: must be at most 8192 characters (it has 8193): ${LIMITS.credential.why}`);
    });

    it("refuses a 1 MB region in a message of a few hundred characters, not a 1 MB manifest", () => {
        const c = minioConfig();
        c.storage.region = "r".repeat(MB);
        const message = messageFor(c, "storage.region");
        assert.ok(message.length < 600, `${message.length} characters`);
        assert.equal(
            message,
            `hopsworks-dr:storage.region = "${"r".repeat(ECHO_LIMIT)}…" (${MB} characters): must be the store's region name such as "us-east-1" (MinIO's default); ` +
                `at most 64 characters (it has ${MB}): ${LIMITS.region.why}`,
        );
    });

    it("echoes at most 100 characters of a 2 MB bucket name, an unknown key, a list or a value inside a path", () => {
        const huge = "b".repeat(2 * MB);
        const c = minioConfig();
        c.storage.bucket = huge;
        c.velero = { [`k${huge}`]: 1, repo: `charts/${"x".repeat(3000)}` };
        c.restore = { opensearchSkipIndices: Array(100_000).fill(1) };
        c.hopsworks.valuesFiles = [`values/${"v".repeat(3000)}.yaml`];
        let error: unknown;
        try {
            readStackConfig(source(c));
        } catch (e) {
            error = e;
        }
        assert.ok(error instanceof ConfigError);
        assert.ok(error.message.length < 6000, `the whole error has ${error.message.length} characters`);
        const byKey = Object.fromEntries(error.problems.map((p) => [p.key, p.message]));
        assert.match(byKey["storage.bucket"], new RegExp(`^hopsworks-dr:storage\\.bucket = "b{${ECHO_LIMIT}}…" \\(${2 * MB} characters\\): must be an S3 bucket name`));
        assert.match(byKey[`velero.k${huge}`], new RegExp(`^hopsworks-dr:velero\\.kb{${ECHO_LIMIT - 1}}… \\(${2 * MB + 1} characters\\) is not a known key`));
        // The local path the program looked for is built from the value: cut inside it too.
        assert.match(byKey["velero.repo"], /^hopsworks-dr:velero\.repo = "charts\/x+…" \(3007 characters\): no such chart directory or file \(looked for \/.*\/charts\/x+… \(3007 characters\)\)/);
        assert.match(byKey["hopsworks.valuesFiles[0]"], /cannot be read \(looked for \/.*\/values\/v+… \(3012 characters\)\)/);
        assert.match(byKey["restore.opensearchSkipIndices"], /^hopsworks-dr:restore\.opensearchSkipIndices = \[1,1,1,[1,]*… \(200001 characters\): must be a list of strings$/);
        assert.ok(Object.values(byKey).every((m) => m.length < 1000), Object.values(byKey).map((m) => m.length).join(", "));
    });

    it("shows values as JSON, cutting long strings and long JSON alike, and never a secret", () => {
        assert.equal(show("short"), '"short"');
        assert.equal(show("x".repeat(101)), `"${"x".repeat(100)}…" (101 characters)`);
        assert.equal(show("x".repeat(100)), `"${"x".repeat(100)}"`);
        assert.equal(show(Array(60).fill(1)), `[${Array(60).fill(1).join(",")}]`.slice(0, 100) + "… (121 characters)");
        assert.equal(show(7), "7");
        const r = new ConfigReader(source(minioConfig()));
        r.invalid("storage.region", "é".repeat(150), "must be a region");
        assert.equal(r.problems[0].message, `hopsworks-dr:storage.region = "${"é".repeat(100)}…" (150 characters): must be a region`);
    });
});
