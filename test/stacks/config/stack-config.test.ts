import assert from "assert/strict";
import { readStackConfig, TOP_LEVEL_KEYS } from "../../../stacks/config/stack-config";
import { ConfigError } from "../../../stacks/config/reader";
import { REDACTED } from "../../../stacks/config/secret";
import { awsConfig, minioConfig, source } from "../../support/stacks";

function problemsOf(values: Record<string, any>, opts?: Parameters<typeof source>[1]) {
    try {
        readStackConfig(source(values, opts));
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
        return error.problems;
    }
    assert.fail("the config was accepted");
}

type Case = [title: string, base: () => Record<string, any>, change: (c: Record<string, any>) => void, key: string, says: RegExp];

const irsa = {
    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-north-1.amazonaws.com/id/ABC",
    oidcProviderUrl: "https://oidc.eks.eu-north-1.amazonaws.com/id/ABC",
};

const invalid: Case[] = [
    ["a missing storage section", minioConfig, (c) => delete c.storage, "storage", /is required/],
    ["an unknown top-level key", minioConfig, (c) => (c.storrage = {}), "storrage", /valid keys are hopsworks-dr:storage/],
    ["an unknown storage key", minioConfig, (c) => (c.storage.bucketName = "x"), "storage.bucketName", /valid keys of storage are bucket/],
    ["a bucket name with capitals", minioConfig, (c) => (c.storage.bucket = "My_Bucket"), "storage.bucket", /"My_Bucket": must be an S3 bucket name/],
    ["a bucket name shaped like an IP", minioConfig, (c) => (c.storage.bucket = "10.0.0.1"), "storage.bucket", /must be an S3 bucket name/],
    ["no region", minioConfig, (c) => delete c.storage.region, "storage.region", /is required/],
    ["an AWS region that is not one", awsConfig, (c) => (c.storage.region = "north"), "storage.region", /"north": must be an AWS region/],
    ["an endpoint that is not a URL", minioConfig, (c) => (c.storage.endpoint = "minio:9000"), "storage.endpoint", /must be the http\(s\) URL/],
    ["an adopted AWS bucket without the lifecycle acknowledgement", awsConfig, (c) => (c.storage.create = false), "storage.replaceLifecycleRules", /^hopsworks-dr:storage\.replaceLifecycleRules = null: must be true to adopt bucket hopsworks-backups \(storage\.create: false\): the stack declares its lifecycle configuration \(BucketLifecycleConfiguration\), which replaces the bucket's whole lifecycle configuration: every rule it has now is removed and only HopsFSBlocksRetentionPolicy is left\. Set storage\.replaceLifecycleRules: true to accept that, or storage\.manage: false to leave the bucket's settings alone; the stack then only checks its versioning and lifecycle/],
    ["an adopted S3-compatible bucket without the lifecycle acknowledgement", minioConfig, (c) => (c.storage.create = "false"), "storage.replaceLifecycleRules", /must be true to adopt bucket hopsworks-test \(storage\.create: false\)/],
    ["an adopted bucket whose acknowledgement is false", awsConfig, (c) => Object.assign(c.storage, { create: false, replaceLifecycleRules: false }), "storage.replaceLifecycleRules", /= false: must be true to adopt bucket/],
    ["replaceLifecycleRules on a bucket the stack creates", awsConfig, (c) => (c.storage.replaceLifecycleRules = true), "storage.replaceLifecycleRules", /applies only to an adopted bucket \(storage\.create: false\): a bucket the stack creates has no other lifecycle rules; remove it/],
    ["replaceLifecycleRules with manage false", minioConfig, (c) => Object.assign(c.storage, { manage: false, replaceLifecycleRules: true }), "storage.replaceLifecycleRules", /applies only when the stack manages the bucket/],
    ["replaceLifecycleRules that is not a boolean", awsConfig, (c) => Object.assign(c.storage, { create: false, replaceLifecycleRules: "yes" }), "storage.replaceLifecycleRules", /= "yes": must be true or false/],
    ["create that is not a boolean", minioConfig, (c) => (c.storage.create = "yes"), "storage.create", /"yes": must be true or false/],
    ["an unknown checksum algorithm", minioConfig, (c) => (c.storage.checksumAlgorithm = "MD5"), "storage.checksumAlgorithm", /"MD5": must be one of "", "CRC32"/],
    ["a caCert that is not PEM", minioConfig, (c) => (c.storage.caCert = "abc"), "storage.caCert", /must be a PEM certificate bundle/],
    ["S3 keys missing on an S3-compatible store", minioConfig, (c) => delete c.storage.secretAccessKey, "storage.secretAccessKey", /is required for an S3-compatible store: pulumi config set --secret/],
    ["an S3 key in plain text", minioConfig, () => {}, "storage.secretAccessKey", /is stored in plain text; it must be a Pulumi secret/],
    ["an IAM role on an S3-compatible store", minioConfig, (c) => (c.storage.iamRoleArn = "arn:aws:iam::123456789012:role/velero"), "storage.iamRoleArn", /applies only to AWS S3/],
    ["neither role nor irsa on AWS", awsConfig, (c) => delete c.storage.iamRoleArn, "storage", /needs Velero's AWS access/],
    ["both role and irsa on AWS", awsConfig, (c) => (c.storage.irsa = irsa), "storage", /sets both iamRoleArn and irsa/],
    ["an apiEndpoint on AWS", awsConfig, (c) => (c.storage.apiEndpoint = "https://s3.example.com"), "storage.apiEndpoint", /applies only to S3-compatible stores \(storage\.endpoint\)/],
    ["an apiEndpoint that is not a URL", minioConfig, (c) => (c.storage.apiEndpoint = "minio.ci:9000"), "storage.apiEndpoint", /= "minio\.ci:9000": must be the http\(s\) URL at which the machine running pulumi reaches the store/],
    ["create with manage false", minioConfig, (c) => Object.assign(c.storage, { manage: false, create: false }), "storage.create", /applies only when the stack manages the bucket; storage\.manage: false leaves the bucket to its owners outside the stack: remove it/],
    ["serverSideEncryption with manage false", awsConfig, (c) => Object.assign(c.storage, { manage: "false", serverSideEncryption: "AES256" }), "storage.serverSideEncryption", /applies only when the stack manages the bucket/],
    ["a KMS key with manage false", awsConfig, (c) => Object.assign(c.storage, { manage: false, kmsKeyArn: "arn:aws:kms:eu-north-1:123456789012:key/1234" }), "storage.kmsKeyArn", /applies only when the stack manages the bucket/],
    ["irsa with manage false", awsConfig, (c) => { delete c.storage.iamRoleArn; Object.assign(c.storage, { manage: false, irsa }); }, "storage.irsa", /makes the stack create Velero's IAM role, an AWS resource, and storage\.manage: false .* declares none .* give it as storage\.iamRoleArn, or set storage\.manage: true/],
    ["noncurrentVersionDays with manage false", minioConfig, (c) => { c.storage.manage = false; c.backup = { noncurrentVersionDays: 90 }; }, "backup.noncurrentVersionDays", /sets the lifecycle rule the stack declares, and storage\.manage: false declares none; the bucket's own rules are checked against backup\.ttl instead/],
    ["manage that is not a boolean", minioConfig, (c) => (c.storage.manage = "outside"), "storage.manage", /"outside": must be true or false/],
    ["S3 keys on AWS", awsConfig, (c) => (c.storage.accessKeyId = "AKIA"), "storage.accessKeyId", /applies only to S3-compatible stores/],
    ["a malformed role ARN", awsConfig, (c) => (c.storage.iamRoleArn = "velero-role"), "storage.iamRoleArn", /"velero-role": must be an IAM role ARN/],
    ["an OIDC issuer that is not the provider's", awsConfig, (c) => { delete c.storage.iamRoleArn; c.storage.irsa = { ...irsa, oidcProviderUrl: "https://oidc.eks.eu-north-1.amazonaws.com/id/XYZ" }; }, "storage.irsa.oidcProviderUrl", /must be the issuer the provider ARN names \(oidc.eks.eu-north-1.amazonaws.com\/id\/ABC\)/],
    ["irsa without its provider ARN", awsConfig, (c) => { delete c.storage.iamRoleArn; c.storage.irsa = { oidcProviderUrl: irsa.oidcProviderUrl }; }, "storage.irsa.oidcProviderArn", /is required/],
    ["a malformed KMS key", awsConfig, (c) => (c.storage.kmsKeyArn = "alias/backups"), "storage.kmsKeyArn", /must be a KMS key or alias ARN/],
    ["aws:kms without a key", awsConfig, (c) => (c.storage.serverSideEncryption = "aws:kms"), "storage.serverSideEncryption", /needs storage.kmsKeyArn/],
    ["an unknown encryption", awsConfig, (c) => (c.storage.serverSideEncryption = "SSE-C"), "storage.serverSideEncryption", /must be one of AES256, aws:kms, none/],
    ["a six-field cron schedule", minioConfig, (c) => (c.backup = { schedule: "0 0 3 * * 0" }), "backup.schedule", /must be a 5-field cron expression/],
    ["a cron schedule out of range, with the parser's reason", minioConfig, (c) => (c.backup = { schedule: "0 25 * * *" }), "backup.schedule", /= "0 25 \* \* \*": hour 25 is outside 0-23$/],
    ["a cron schedule with two fields out of range, both named", minioConfig, (c) => (c.backup = { schedule: "61 25 * * *" }), "backup.schedule", /^hopsworks-dr:backup\.schedule = "61 25 \* \* \*": minute 61 is outside 0-59; hour 25 is outside 0-23$/],
    ["a schedule that is not a string", minioConfig, (c) => (c.backup = { schedule: 7 }), "backup.schedule", /= 7: must be a string \(must be a 5-field cron expression/],
    ["an unknown macro", minioConfig, (c) => (c.backup = { schedule: "@fortnightly" }), "backup.schedule", /one of @yearly, @annually/],
    ["a ttl in weeks", minioConfig, (c) => (c.backup = { ttl: "8w" }), "backup.ttl", /"8w": must be a whole number of days or hours/],
    ["a ttl of zero", minioConfig, (c) => (c.backup = { ttl: "0d" }), "backup.ttl", /must be a whole number of days or hours/],
    ["a ttl shorter than the schedule's interval (each backup expires before the next)", minioConfig, (c) => (c.backup = { schedule: "@weekly", ttl: "1h" }), "backup.ttl", /^hopsworks-dr:backup\.ttl = "1h": must be at least the longest interval between two scheduled backups \(7d, backup\.schedule "@weekly"\): each backup would expire before the next one is taken/],
    ["a ttl shorter than a monthly schedule's longest interval (31 days)", minioConfig, (c) => (c.backup = { schedule: "@monthly", ttl: "30d" }), "backup.ttl", /= "30d": must be at least the longest interval between two scheduled backups \(31d, backup\.schedule "@monthly"\)/],
    ["a ttl shorter than the weekend gap of a weekday schedule", minioConfig, (c) => (c.backup = { schedule: "0 3 * * 1-5", ttl: "48h" }), "backup.ttl", /= "48h": must be at least the longest interval between two scheduled backups \(3d, backup\.schedule "0 3 \* \* 1-5"\)/],
    ["a ttl of more than 10 years", minioConfig, (c) => (c.backup = { ttl: "3651d" }), "backup.ttl", /^hopsworks-dr:backup\.ttl = "3651d": must be at most 3650 days \("3650d" or "87600h"\)/],
    ["a ttl in hours of more than 10 years", minioConfig, (c) => (c.backup = { ttl: "87601h" }), "backup.ttl", /= "87601h": must be at most 3650 days/],
    ["a ttl beyond a Go duration (Velero's ttl)", minioConfig, (c) => (c.backup = { ttl: "99999999999999999999d" }), "backup.ttl", /must be at most 3650 days/],
    ["noncurrentVersionDays beyond the S3 API's 32-bit integer", minioConfig, (c) => (c.backup = { noncurrentVersionDays: 2147483648 }), "backup.noncurrentVersionDays", /= 2147483648: must be at most 2147483647/],
    ["noncurrent versions kept shorter than the ttl", minioConfig, (c) => (c.backup = { ttl: "60d", noncurrentVersionDays: 30 }), "backup.noncurrentVersionDays", /= 30: must be at least the backup ttl in days \(60/],
    ["noncurrent versions shorter than a ttl in hours", minioConfig, (c) => (c.backup = { ttl: "721h", noncurrentVersionDays: 30 }), "backup.noncurrentVersionDays", /at least the backup ttl in days \(31/],
    ["noncurrentVersionDays that is not a number", minioConfig, (c) => (c.backup = { noncurrentVersionDays: "many" }), "backup.noncurrentVersionDays", /must be a whole number of at least 1/],
    ["a namespace with capitals", minioConfig, (c) => (c.velero = { namespace: "Velero" }), "velero.namespace", /must be a Kubernetes namespace name/],
    ["a chart version that is not semver", minioConfig, (c) => (c.velero = { chartVersion: "latest" }), "velero.chartVersion", /must be a chart version such as "11.2.0"/],
    ["a plugin image without a tag", minioConfig, (c) => (c.velero = { pluginImage: "velero/velero-plugin-for-aws" }), "velero.pluginImage", /with a tag or digest/],
    ["an unknown velero key", minioConfig, (c) => (c.velero = { version: "1.17" }), "velero.version", /valid keys of velero are namespace/],
    ["a kubectl tag above 1.33 for bitnamilegacy/kubectl (the chart's default)", minioConfig, (c) => (c.velero = { kubectlImageTag: "1.34" }), "velero.kubectlImageTag", /^hopsworks-dr:velero\.kubectlImageTag = "1\.34": docker\.io\/bitnamilegacy\/kubectl, the kubectl image of the chart's CRD-upgrade job, has no tag above 1\.33 .*velero\.kubectlImageRepository "registry\.k8s\.io\/kubectl" with velero\.kubectlImageTag such as "v1\.34\.2"; or set velero\.upgradeCRDs: false/],
    ["a kubectl tag v1.35.0 for bitnamilegacy/kubectl named explicitly", minioConfig, (c) => (c.velero = { kubectlImageRepository: "bitnamilegacy/kubectl", kubectlImageTag: "v1.35.0" }), "velero.kubectlImageTag", /"v1\.35\.0": docker\.io\/bitnamilegacy\/kubectl, .* has no tag above 1\.33/],
    ["a kubectl repository with a tag in it", minioConfig, (c) => (c.velero = { kubectlImageRepository: "registry.k8s.io/kubectl:v1.34.2" }), "velero.kubectlImageRepository", /must be an image repository without a tag or digest/],
    ["a kubectl tag with upgradeCRDs false", minioConfig, (c) => (c.velero = { upgradeCRDs: false, kubectlImageTag: "1.33" }), "velero.kubectlImageTag", /applies only while velero\.upgradeCRDs is true/],
    ["a kubectl repository with upgradeCRDs false", minioConfig, (c) => (c.velero = { upgradeCRDs: false, kubectlImageRepository: "registry.k8s.io/kubectl" }), "velero.kubectlImageRepository", /applies only while velero\.upgradeCRDs is true/],
    ["adoptLocation that is not a boolean", minioConfig, (c) => (c.storage.adoptLocation = "please"), "storage.adoptLocation", /^hopsworks-dr:storage\.adoptLocation = "please": must be true or false$/],
    ["upgradeCRDs that is not a boolean", minioConfig, (c) => (c.velero = { upgradeCRDs: "no" }), "velero.upgradeCRDs", /"no": must be true or false/],
    ["no Hopsworks chart repository", minioConfig, (c) => delete c.hopsworks.repo, "hopsworks.repo", /is required: the Hopsworks chart source given with your licence, an https:\/\/ or http:\/\/ chart repository URL, an oci:\/\/<registry>\/<path> registry path/],
    ["a repository that is neither a URL nor a local chart", minioConfig, (c) => (c.hopsworks.repo = "hopsworks"), "hopsworks.repo", /= "hopsworks": no such chart directory or file \(looked for .*\/hopsworks\); give an https:\/\/ or http:\/\/ chart repository URL, an oci:\/\/<registry>\/<path> registry path \(the chart name is appended\), or a local chart directory or \.tgz file/],
    ["a repository URL with credentials", minioConfig, (c) => (c.hopsworks.repo = "https://me:pw@charts.example.com/hopsworks"), "hopsworks.repo", /= "https:\/\/\*\*\*:\*\*\*@charts\.example\.com\/hopsworks": must not carry credentials .* hopsworks\.repoUsername and hopsworks\.repoPassword/],
    ["an oci:// repository with the chart's tag", minioConfig, (c) => (c.hopsworks.repo = "oci://registry.example.com/charts/hopsworks:4.8.0"), "hopsworks.repo", /without a tag or digest/],
    ["a chart name with a local chart", minioConfig, (c) => Object.assign(c.hopsworks, { repo: "test/fixtures/charts/hopsworks", chart: "hopsworks" }), "hopsworks.chart", /applies only to a chart repository or registry; hopsworks\.repo is the local chart \/.*\/test\/fixtures\/charts\/hopsworks: remove it/],
    ["a repository login with a local chart", minioConfig, (c) => Object.assign(c.hopsworks, { repo: "test/fixtures/charts/hopsworks", repoUsername: "u", repoPassword: "p" }), "hopsworks.repoPassword", /applies only to a chart repository or registry/],
    ["a local Hopsworks chart of another version", minioConfig, (c) => Object.assign(c.hopsworks, { repo: "test/fixtures/charts/hopsworks", chartVersion: "4.8.1" }), "hopsworks.repo", /Chart\.yaml is version "4\.8\.0", but the stack deploys chart version "4\.8\.1"/],
    ["a Velero chart source that does not exist", minioConfig, (c) => (c.velero = { repo: "charts/velero-11.2.0.tgz" }), "velero.repo", /= "charts\/velero-11\.2\.0\.tgz": no such chart directory or file \(looked for \/.*\/charts\/velero-11\.2\.0\.tgz\)/],
    ["a Velero chart URL with credentials", minioConfig, (c) => (c.velero = { repo: "https://me:pw@mirror.example.com/charts" }), "velero.repo", /must not carry credentials .*; the Velero chart source must be reachable without a login/],
    ["a repository password without a user", minioConfig, (c) => (c.hopsworks.repoPassword = "pw"), "hopsworks", /sets only one of repoUsername and repoPassword/],
    ["no Hopsworks version", minioConfig, (c) => delete c.hopsworks.version, "hopsworks.version", /is required/],
    ["a Hopsworks version that is not x.y.z", minioConfig, (c) => (c.hopsworks.version = "4.8"), "hopsworks.version", /"4.8": the Hopsworks version/],
    ["a timeout below a minute", minioConfig, (c) => (c.hopsworks.timeoutSeconds = 30), "hopsworks.timeoutSeconds", /= 30: must be a whole number of at least 60/],
    ["valuesFiles that is not a list", minioConfig, (c) => (c.hopsworks.valuesFiles = "values/dev.yaml"), "hopsworks.valuesFiles", /must be a list of strings/],
    ["a values file that does not exist", minioConfig, (c) => (c.hopsworks.valuesFiles = ["values/nope.yaml"]), "hopsworks.valuesFiles[0]", /"values\/nope.yaml": cannot be read/],
    ["a values file that is not a mapping", minioConfig, (c) => (c.hopsworks.valuesFiles = ["test/fixtures/values-list.yaml"]), "hopsworks.valuesFiles[0]", /must hold a YAML mapping/],
    ["a values file with credentials in plain text", minioConfig, (c) => (c.hopsworks.valuesFiles = ["values/dev.yaml", "test/fixtures/values-secrets.yaml"]), "hopsworks.valuesFiles[1]", /^hopsworks-dr:hopsworks\.valuesFiles\[1\] = "test\/fixtures\/values-secrets\.yaml": holds recognisable secrets in plain text at global\._hopsworks\.minio\.password \(a key named password\), hopsworks\.extra\[0\]\.value \(an AWS access key ID\): values files reach the Pulumi state and the pull-request comment unencrypted\. Remove them from the file: put each in a Kubernetes Secret the chart references, and give the credentials this stack's config takes \(storage\.accessKeyId, storage\.secretAccessKey, hopsworks\.repoUsername, hopsworks\.repoPassword\) as secret config: pulumi config set --secret --path <key> <value> -s test$/],
    ["a values file that is not YAML", minioConfig, (c) => (c.hopsworks.valuesFiles = ["test/fixtures/values-broken.yaml"]), "hopsworks.valuesFiles[0]", /is not valid YAML/],
];

describe("stack config validation", () => {
    it("accepts the minimal S3-compatible and AWS configs, applying the documented defaults", () => {
        const minio = readStackConfig(source(minioConfig()));
        assert.deepEqual(
            { ...minio.storage, credentials: undefined },
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
            },
        );
        assert.equal(minio.storage.credentials?.accessKeyId.reveal(), "AKIATESTKEY");
        assert.deepEqual(minio.backup, { enabled: true, schedule: "@weekly", ttl: "60d", ttlDays: 60, noncurrentVersionDays: 60 });
        assert.deepEqual(minio.velero, {
            namespace: "velero",
            repo: "https://vmware-tanzu.github.io/helm-charts",
            chartVersion: "11.2.0",
            pluginImage: "velero/velero-plugin-for-aws:v1.13.0",
            image: undefined,
            kubectlImageRepository: undefined,
            kubectlImageTag: undefined,
            upgradeCRDs: true,
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

    it("accepts kubectl tags that exist: 1.33 of bitnamilegacy/kubectl, v1.34.2 of registry.k8s.io/kubectl, non-version tags", () => {
        for (const velero of [
            { kubectlImageTag: "1.33" },
            { kubectlImageTag: "1.33.4" },
            { kubectlImageTag: "latest" },
            { kubectlImageRepository: "registry.k8s.io/kubectl", kubectlImageTag: "v1.34.2" },
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

    for (const [title, base, change, key, says] of invalid) {
        it(`refuses ${title}, naming ${key}`, () => {
            const config = base();
            change(config);
            const plaintext = title === "an S3 key in plain text" ? ["storage.secretAccessKey"] : [];
            const problems = problemsOf(config, { plaintext });
            const problem = problems.find((p) => p.key === key);
            assert.ok(problem, `no problem names ${key}; got: ${problems.map((p) => p.message).join(" | ")}`);
            assert.match(problem.message, new RegExp(`^hopsworks-dr:${key.replace(/[[\].]/g, "\\$&")} `));
            assert.match(problem.message, says);
        });
    }

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
        assert.ok(printed.includes(REDACTED));
    });
});
