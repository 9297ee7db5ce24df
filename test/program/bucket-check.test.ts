import assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { checkExternalBucket } from "../../program/bucket-check";
import { BucketCheckPlan } from "../../stacks/plan/bucket-check";
import { FakeS3, manualRuleXml, startFakeS3 } from "../support/fake-s3";

const KEYS = { accessKeyId: "AKIATESTKEY", secretAccessKey: "test-secret-key" };

describe("checkExternalBucket (program/bucket-check.ts): the real S3 client against a store on 127.0.0.1", () => {
    let store: FakeS3;
    let plan: BucketCheckPlan;
    before(async () => {
        store = await startFakeS3({
            good: { versioning: "Enabled", lifecycleRules: [manualRuleXml(60)] },
            short: { versioning: "Enabled", lifecycleRules: [manualRuleXml(14)] },
            suspended: { versioning: "Suspended", lifecycleRules: [manualRuleXml(60)] },
            bare: { lifecycleRules: null },
            locked: { denied: true, lifecycleRules: null },
        });
    });
    after(() => store.close());
    beforeEach(() => {
        store.requests.length = 0;
        plan = { bucket: "good", region: "us-east-1", endpoint: store.url, forcePathStyle: true, insecureSkipTLSVerify: false, ttl: "60d", ttlDays: 60, requirement: "-" };
    });

    it("reads versioning and lifecycle path-style with the stack's own keys, and accepts a fit bucket", async () => {
        const result = await checkExternalBucket(plan, KEYS);
        assert.deepEqual(result.problems, []);
        assert.equal(result.found, 'versioning Enabled; lifecycle rule "HopsFSBlocksRetentionPolicy" for the whole bucket keeps noncurrent versions 60 days');
        const asked = store.requests.map((r) => {
            const url = new URL(r.url, "http://x");
            return [r.method, `${url.pathname.replace(/\/$/, "")}?${[...url.searchParams.keys()].join("&")}`, r.accessKeyId];
        });
        assert.deepEqual(asked, [
            ["GET", "/good?versioning", "AKIATESTKEY"],
            ["GET", "/good?lifecycle", "AKIATESTKEY"],
            // Object Lock: a locked bucket refuses Velero's uploads without a checksum (storage.checksumAlgorithm "").
            ["GET", "/good?object-lock", "AKIATESTKEY"],
        ]);
    });

    it("refuses a bucket whose rule keeps noncurrent versions shorter than the ttl", async () => {
        const { problems } = await checkExternalBucket({ ...plan, bucket: "short" }, KEYS);
        assert.equal(problems.length, 1);
        assert.match(problems[0].message, /^hopsworks-dr:storage\.bucket = "short" \(storage\.manage: false\): its lifecycle rule "HopsFSBlocksRetentionPolicy" applies to the whole bucket and keeps noncurrent versions 14 days/);
    });

    it("refuses suspended versioning, and warns of the cost of NoSuchLifecycleConfiguration", async () => {
        assert.match((await checkExternalBucket({ ...plan, bucket: "suspended" }, KEYS)).problems[0].message, /its versioning is "Suspended"/);
        const bare = await checkExternalBucket({ ...plan, bucket: "bare" }, KEYS);
        assert.deepEqual(bare.problems.map((p) => p.message).length, 1);
        assert.match(bare.problems[0].message, /its versioning is not enabled \(never turned on\)/);
        assert.match(bare.warnings[0], /has no lifecycle configuration \(NoSuchLifecycleConfiguration\): every noncurrent version .* kept forever/);
    });

    it("refuses a bucket it cannot read, saying why", async () => {
        const denied = await checkExternalBucket({ ...plan, bucket: "locked" }, KEYS);
        assert.equal(denied.problems.length, 1);
        assert.match(denied.problems[0].message, new RegExp(`could not read the bucket's versioning at ${store.url}: AccessDenied: Access Denied\\. It reads it with the stack's storage\\.accessKeyId`));
        const missing = await checkExternalBucket({ ...plan, bucket: "nope" }, KEYS);
        assert.match(missing.problems[0].message, /could not read the bucket's versioning at .*: NoSuchBucket: The specified bucket does not exist/);
    });

    it("refuses an unreachable store, within its timeouts", async () => {
        const closed = await startFakeS3({});
        await closed.close();
        const { problems } = await checkExternalBucket({ ...plan, endpoint: closed.url }, KEYS);
        assert.match(problems[0].message, new RegExp(`could not read the bucket's versioning at ${closed.url}: .*ECONNREFUSED`));
    });

    describe("over TLS with a private CA", () => {
        const TLS_DIR = path.join(__dirname, "..", "fixtures", "tls");
        const cert = fs.readFileSync(path.join(TLS_DIR, "store.crt"), "utf8");
        let secure: FakeS3;
        before(async () => {
            secure = await startFakeS3({ good: { versioning: "Enabled", lifecycleRules: [manualRuleXml(60)] } }, { key: fs.readFileSync(path.join(TLS_DIR, "store.key"), "utf8"), cert });
        });
        after(() => secure.close());

        it("trusts the store's certificate through storage.caCert", async () => {
            const { problems } = await checkExternalBucket({ ...plan, endpoint: secure.url, caCert: cert }, KEYS);
            assert.deepEqual(problems, []);
        });

        it("refuses a certificate it cannot verify without caCert, and accepts it with insecureSkipTLSVerify", async () => {
            const untrusted = await checkExternalBucket({ ...plan, endpoint: secure.url }, KEYS);
            assert.match(untrusted.problems[0].message, /could not read the bucket's versioning at https:\/\/127\.0\.0\.1:\d+: .*self[- ]signed certificate/i);
            const skipped = await checkExternalBucket({ ...plan, endpoint: secure.url, insecureSkipTLSVerify: true }, KEYS);
            assert.deepEqual(skipped.problems, []);
        });
    });

    describe("on AWS S3, with the machine's default credential chain", () => {
        const saved: Record<string, string | undefined> = {};
        const ISOLATED: Record<string, string | undefined> = {
            AWS_ACCESS_KEY_ID: undefined,
            AWS_SECRET_ACCESS_KEY: undefined,
            AWS_SESSION_TOKEN: undefined,
            AWS_PROFILE: undefined,
            AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
            AWS_ROLE_ARN: undefined,
            AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
            AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
            // No instance metadata probe: this test sends nothing off the machine.
            AWS_EC2_METADATA_DISABLED: "true",
            AWS_CONFIG_FILE: "/nonexistent/hopsworks-dr/aws-config",
            AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/hopsworks-dr/aws-credentials",
        };
        before(() => {
            for (const [key, value] of Object.entries(ISOLATED)) {
                saved[key] = process.env[key];
                if (value === undefined) delete process.env[key];
                else process.env[key] = value;
            }
        });
        after(() => {
            for (const [key, value] of Object.entries(saved)) {
                if (value === undefined) delete process.env[key];
                else process.env[key] = value;
            }
        });

        it("refuses when no credentials are available, saying the check could not read the bucket and why", async () => {
            const { problems } = await checkExternalBucket({ ...plan, endpoint: undefined, forcePathStyle: false, region: "eu-north-1" }, KEYS);
            assert.equal(problems.length, 1);
            assert.match(
                problems[0].message,
                /^hopsworks-dr:storage\.bucket = "good" \(storage\.manage: false\): the check could not read the bucket's versioning on AWS S3 in eu-north-1: CredentialsProviderError: .*It reads it with the AWS credentials of the machine running pulumi/,
            );
            assert.equal(store.requests.length, 0);
        });
    });
});
