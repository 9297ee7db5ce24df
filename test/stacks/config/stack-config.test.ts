import assert from "assert/strict";
import { readStackConfig, TOP_LEVEL_KEYS } from "../../../stacks/config/stack-config";
import { ConfigError } from "../../../stacks/config/reader";
import { REDACTED } from "../../../stacks/config/secret";
import { awsConfig, minioConfig, source } from "../../support/stacks";
import { Case, problemsOf, refusals } from "../../support/config";

const invalid: Case[] = [
    ["an unknown top-level key", minioConfig, (c) => (c.storrage = {}), "storrage", /valid keys are hopsworks-dr:storage/],
];

describe("stack config validation", () => {
    it("accepts the minimal S3-compatible and AWS configs, applying the documented defaults", () => {
        const minio = readStackConfig(source(minioConfig()));
        assert.deepEqual(
            { ...minio.storage, credentials: undefined, veleroCredentials: undefined },
            {
                bucket: "hopsworks-test",
                manage: true,
                create: true,
                replaceLifecycleRules: false,
                region: "us-east-1",
                endpoint: "https://minio.example.com:9000",
                apiEndpoint: "https://minio.example.com:9000",
                forcePathStyle: true,
                insecureSkipTLSVerify: false,
                caCert: undefined,
                checksumAlgorithm: "",
                serverSideEncryption: "none",
                credentials: undefined,
                iamRoleArn: undefined,
                irsa: undefined,
                kmsKeyArn: undefined,
                adoptLocation: false,
                bucketPolicy: { breakGlassPrincipals: ["arn:aws:iam::123456789012:role/break-glass"], declared: true },
                veleroCredentials: undefined,
            },
        );
        assert.equal(minio.storage.credentials?.accessKeyId.reveal(), "AKIATESTKEY");
        assert.equal(minio.storage.veleroCredentials?.accessKeyId.reveal(), "AKIAVELEROKEY");
        assert.deepEqual(minio.backup, { enabled: true, schedule: "@weekly", ttl: "60d", ttlDays: 60, noncurrentVersionDays: 60 });
        assert.deepEqual(minio.velero, {
            namespace: "velero",
            repo: "https://vmware-tanzu.github.io/helm-charts",
            chartVersion: "11.2.0",
            pluginImage: "velero/velero-plugin-for-aws:v1.13.2",
            image: undefined,
            kubectlImageRepository: "docker.io/bitnamilegacy/kubectl",
            kubectlImageTag: "1.33",
            upgradeCRDs: true,
            valuesFiles: [],
        });
        assert.equal(minio.hopsworks.timeoutSeconds, 1200);
        assert.equal(minio.hopsworks.namespace, "hopsworks");

        const aws = readStackConfig(source(awsConfig()));
        assert.equal(aws.storage.forcePathStyle, false);
        assert.equal(aws.storage.checksumAlgorithm, undefined);
        assert.equal(aws.storage.serverSideEncryption, "AES256");
    });

    it("treats an empty section {} exactly like an absent one, as the CLI hands {} for each section a stack file leaves out", () => {
        const outcome = (values: Record<string, any>) => {
            try {
                return { config: JSON.stringify(readStackConfig(source(values))) };
            } catch (error) {
                return { problems: (error as ConfigError).problems };
            }
        };
        for (const base of [minioConfig, awsConfig]) {
            for (const section of TOP_LEVEL_KEYS) {
                const absent = base();
                delete absent[section];
                const empty = base();
                empty[section] = {};
                assert.deepEqual(outcome(empty), outcome(absent), `hopsworks-dr:${section}: {}`);
            }
        }
        const problems = problemsOf({ ...minioConfig(), storage: {} });
        assert.ok(problems.some((p) => p.message === "hopsworks-dr:storage is required: set it in Pulumi.test.yaml"), JSON.stringify(problems));
    });

    it("takes strings for booleans and numbers, as `pulumi config set --path` stores them", () => {
        const c = minioConfig();
        c.storage.create = "false";
        c.storage.replaceLifecycleRules = "true";
        c.backup = { enabled: "false", noncurrentVersionDays: "90" };
        const config = readStackConfig(source(c));
        assert.equal(config.storage.create, false);
        assert.equal(config.backup.enabled, false);
        assert.equal(config.backup.noncurrentVersionDays, 90);
    });

    it("accepts kubectl tags that exist: 1.33 of bitnamilegacy/kubectl, 1.34.2 of alpine/k8s, non-version tags, registry.k8s.io/kubectl with chart 12", () => {
        for (const velero of [
            { kubectlImageTag: "1.33" },
            { kubectlImageTag: "1.33.4" },
            { kubectlImageTag: "latest" },
            { kubectlImageRepository: "alpine/k8s", kubectlImageTag: "1.34.2" },
            { chartVersion: "12.0.0", kubectlImageRepository: "registry.k8s.io/kubectl", kubectlImageTag: "v1.34.2" },
            { kubectlImageRepository: "registry.example.com:5000/mirror/kubectl", kubectlImageTag: "1.35" },
            { upgradeCRDs: false },
        ]) {
            assert.doesNotThrow(() => readStackConfig(source({ ...minioConfig(), velero })), JSON.stringify(velero));
        }
    });

    it("takes chart sources from repositories, OCI registries and local charts, a local path made absolute", () => {
        const c = minioConfig();
        c.velero = { repo: "oci://registry.example.com/vmware-tanzu/" };
        c.hopsworks.repo = "test/fixtures/charts/hopsworks";
        const config = readStackConfig(source(c));
        assert.equal(config.velero.repo, "oci://registry.example.com/vmware-tanzu");
        assert.equal(config.hopsworks.repo, require("path").join(source(c).projectDir, "test/fixtures/charts/hopsworks"));
    });

    it("accepts a bucket managed outside the stack on an S3-compatible store and on AWS with an existing role", () => {
        const minio = minioConfig();
        minio.storage.manage = false;
        assert.equal(readStackConfig(source(minio)).storage.manage, false);
        const aws = awsConfig();
        aws.storage.manage = "false";
        assert.equal(readStackConfig(source(aws)).storage.manage, false);
    });

    it("accepts a ttl as long as the schedule's longest interval, and the 10-year maximum", () => {
        for (const backup of [
            { schedule: "@weekly", ttl: "7d" },
            { schedule: "@weekly", ttl: "168h" },
            { schedule: "0 3 * * 1-5", ttl: "72h" },
            { schedule: "@monthly", ttl: "31d" },
            { schedule: "@hourly", ttl: "1h" },
            { schedule: "@yearly", ttl: "366d" },
            { ttl: "3650d" },
            { ttl: "87600h", noncurrentVersionDays: 2147483647 },
        ]) {
            assert.doesNotThrow(() => readStackConfig(source({ ...minioConfig(), backup })), JSON.stringify(backup));
        }
    });

    it("derives noncurrent-version retention from a ttl in hours, rounded up to whole days", () => {
        const c = minioConfig();
        c.backup = { ttl: "721h" };
        assert.equal(readStackConfig(source(c)).backup.noncurrentVersionDays, 31);
    });

    it("adopts a bucket with the lifecycle acknowledgement, keeping its encryption unless serverSideEncryption is set", () => {
        const adopted = (storage: Record<string, unknown>) => {
            const c = awsConfig();
            Object.assign(c.storage, { create: false, replaceLifecycleRules: true }, storage);
            return readStackConfig(source(c)).storage;
        };
        assert.equal(adopted({}).serverSideEncryption, "none", "no default encryption: the bucket's own (SSE-KMS, say) stays");
        assert.equal(adopted({}).replaceLifecycleRules, true);
        assert.equal(adopted({ kmsKeyArn: "arn:aws:kms:eu-north-1:123456789012:key/1234" }).serverSideEncryption, "none", "the key alone only grants Velero's role its use");
        assert.equal(adopted({ serverSideEncryption: "AES256" }).serverSideEncryption, "AES256");
        assert.equal(adopted({ serverSideEncryption: "aws:kms", kmsKeyArn: "arn:aws:kms:eu-north-1:123456789012:key/1234" }).serverSideEncryption, "aws:kms");
        const minio = minioConfig();
        Object.assign(minio.storage, { create: "false", replaceLifecycleRules: "true" });
        assert.equal(readStackConfig(source(minio)).storage.replaceLifecycleRules, true);
    });

    it("defaults to aws:kms encryption when a KMS key is given", () => {
        const c = awsConfig();
        c.storage.kmsKeyArn = "arn:aws:kms:eu-north-1:123456789012:key/1234";
        assert.equal(readStackConfig(source(c)).storage.serverSideEncryption, "aws:kms");
    });

    refusals(invalid);

    it("reports every problem at once, not just the first", () => {
        const c = minioConfig();
        c.storage.bucket = "BAD";
        c.backup = { ttl: "1w", schedule: "daily" };
        c.velero = { namespace: "_" };
        assert.deepEqual(
            problemsOf(c).map((p) => p.key).sort(),
            ["backup.schedule", "backup.ttl", "storage.bucket", "velero.namespace"],
        );
    });

    it("refuses __proto__, constructor and prototype keys anywhere in the stack config, each by its path (issue 18, item 1)", () => {
        const c = JSON.parse('{"__proto__": {"restore": {"mode": "in-place"}}}');
        Object.assign(c, minioConfig());
        c.storage.constructor = { x: 1 };
        c.backup = JSON.parse('{"ttl": "720h", "schedule": "@weekly", "__proto__": {"enabled": false}}');
        const problems = problemsOf(c);
        assert.deepEqual(problems.map((p) => p.key), ["__proto__", "storage.constructor", "backup.__proto__"]);
        assert.match(problems[0].message, /^hopsworks-dr:__proto__ in Pulumi\.test\.yaml is a key JavaScript reserves \(__proto__, constructor, prototype\): .*remove it$/);
    });

    it("never echoes a credential found in a values file", () => {
        const c = minioConfig();
        c.hopsworks.valuesFiles = ["test/fixtures/values-secrets.yaml"];
        const text = problemsOf(c).map((p) => p.message).join("\n");
        assert.ok(!text.includes("minioadmin") && !text.includes("AKIAIOSFODNN7EXAMPLE"), text);
    });

    it("never echoes a plain-text credential in its message", () => {
        const c = minioConfig();
        const problems = problemsOf(c, { plaintext: ["storage.accessKeyId", "storage.secretAccessKey"] });
        const text = problems.map((p) => p.message).join("\n");
        assert.ok(!text.includes("AKIATESTKEY") && !text.includes("test-secret-key"), text);
        assert.match(text, /storage\.accessKeyId is stored in plain text/);
    });

    it("accepts a credential when its whole top-level key is secret (as the Pulumi CLI reports it)", () => {
        const c = minioConfig();
        const config = readStackConfig({ stack: "test", values: c, secretPaths: ["storage"], projectDir: source(c).projectDir });
        assert.equal(config.storage.credentials?.secretAccessKey.reveal(), "test-secret-key");
    });

    it("keeps secrets redacted when the config is printed or serialised", () => {
        const config = readStackConfig(source(minioConfig()));
        const printed = JSON.stringify(config) + require("util").inspect(config, { depth: 10 }) + String(config.storage.credentials?.secretAccessKey);
        assert.ok(!printed.includes("test-secret-key"));
        assert.ok(!printed.includes("test-credentials-hash-key"), "the credentials hash key is a secret too");
        assert.equal(config.storage.credentials?.hashKey.reveal(), "test-credentials-hash-key");
        assert.ok(printed.includes(REDACTED));
    });
});
