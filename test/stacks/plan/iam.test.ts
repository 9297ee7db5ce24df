import assert from "assert/strict";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { planVeleroIam, veleroS3Policy } from "../../../stacks/plan/iam";
import { awsConfig, source, vaultConfig } from "../../support/stacks";

const irsa = {
    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-north-1.amazonaws.com/id/ABC",
    oidcProviderUrl: "https://oidc.eks.eu-north-1.amazonaws.com/id/ABC",
};

describe("Velero's IAM role", () => {
    it("may touch objects only under the location's prefix k8s_backup/, not the HopsFS data beside it", () => {
        const policy = veleroS3Policy("hopsworks-hopsfs");
        const objects = policy.Statement.find((s) => (s.Action as string[]).includes("s3:DeleteObject"))!;
        assert.deepEqual(objects.Resource, ["arn:aws:s3:::hopsworks-hopsfs/k8s_backup/*"]);
        const everything = JSON.stringify(policy.Statement.map((s) => s.Resource));
        assert.ok(!everything.includes("hopsworks-hopsfs/*"), everything);
    });

    it("may list the bucket only under that prefix", () => {
        const list = veleroS3Policy("hopsworks-hopsfs").Statement.find((s) => (s.Action as string[]).includes("s3:ListBucket"))!;
        assert.deepEqual(list, {
            Effect: "Allow",
            Action: ["s3:ListBucket"],
            Resource: ["arn:aws:s3:::hopsworks-hopsfs"],
            Condition: { StringLike: { "s3:prefix": ["k8s_backup", "k8s_backup/*"] } },
        });
    });

    it("is granted the KMS key's use when the bucket is encrypted with one", () => {
        const policy = veleroS3Policy("b", "arn:aws:kms:eu-north-1:123456789012:key/1234");
        assert.deepEqual(policy.Statement.at(-1), { Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: ["arn:aws:kms:eu-north-1:123456789012:key/1234"] });
    });

    it("grants an SSE-KMS key given as an alias through kms:ResourceAliases on the account's keys, never the alias ARN as Resource", () => {
        const policy = veleroS3Policy("b", "arn:aws:kms:eu-north-1:123456789012:alias/hopsworks-backups");
        assert.deepEqual(policy.Statement.at(-1), {
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: ["arn:aws:kms:eu-north-1:123456789012:key/*"],
            Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/hopsworks-backups" } },
        });
        assert.ok(!JSON.stringify(policy).includes(":alias/hopsworks-backups\""), "no alias ARN anywhere in the policy");
    });

    it("names the role after the project, the stack and the region, so two deployments in one account do not collide", () => {
        const withIrsa = (change: (c: Record<string, any>) => void, project?: string) => {
            const c = awsConfig();
            delete c.storage.iamRoleArn;
            c.storage.irsa = { ...irsa };
            change(c);
            return planVeleroIam(readStackConfig({ ...source(c), ...(project ? { project } : {}) }), "velero-server")!;
        };
        const names = [
            withIrsa(() => {}),
            withIrsa(() => {}, "hopsworks-dr-eu"),
            withIrsa((c) => (c.storage.region = "us-east-1")),
        ].map((p) => [p.roleName, p.policyName]);
        assert.deepEqual(names, [
            ["hopsworks-dr-test-eu-north-1-velero", "hopsworks-dr-test-eu-north-1-velero-s3"],
            ["hopsworks-dr-eu-test-eu-north-1-velero", "hopsworks-dr-eu-test-eu-north-1-velero-s3"],
            ["hopsworks-dr-test-us-east-1-velero", "hopsworks-dr-test-us-east-1-velero-s3"],
        ]);
    });

    it("keeps an IAM role name within 64 characters: a long one is cut and ends in a hash of the whole", () => {
        const c = awsConfig();
        delete c.storage.iamRoleArn;
        c.storage.irsa = irsa;
        const long = (stack: string) => planVeleroIam(readStackConfig(source(c, { stack })), "velero-server")!.roleName;
        const a = long(`production-${"a".repeat(40)}`);
        const b = long(`production-${"a".repeat(39)}b`);
        assert.equal(a.length, 64);
        assert.match(a, /^hopsworks-dr-production-a+-[0-9a-f]{8}$/);
        assert.notEqual(a, b);
    });

    it("takes storage.irsa.roleName as given, e.g. an earlier version's <stack>-velero to keep that role", () => {
        const c = awsConfig();
        delete c.storage.iamRoleArn;
        c.storage.irsa = { ...irsa, roleName: "prod-velero" };
        const plan = planVeleroIam(readStackConfig(source(c)), "velero-server")!;
        assert.deepEqual([plan.roleName, plan.policyName], ["prod-velero", "prod-velero-s3"]);
    });

    it("lets the role read an AWS vault under the location's prefix (a restore after region loss), never write or delete there", () => {
        const c = vaultConfig();
        delete c.storage.iamRoleArn;
        c.storage.irsa = irsa;
        const plan = planVeleroIam(readStackConfig(source(c)), "velero-server")!;
        assert.deepEqual(plan.policy.Statement.slice(2), [
            { Sid: "ReadTheVaultForARestore", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::hopsworks-vault/k8s_backup/*"] },
            {
                Sid: "ListTheVaultForARestore",
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: ["arn:aws:s3:::hopsworks-vault"],
                Condition: { StringLike: { "s3:prefix": ["k8s_backup", "k8s_backup/*"] } },
            },
        ]);
        c.vault.endpoint = "https://vault.store.example.com";
        c.vault.accessKeyId = "VAULTKEY";
        c.vault.secretAccessKey = "vault-secret";
        assert.equal(planVeleroIam(readStackConfig(source(c)), "velero-server")!.policy.Statement.length, 2, "an S3-compatible vault: its own keys, nothing in the role");
    });

    it("is planned only with storage.irsa, trusting Velero's service account in velero.namespace", () => {
        assert.equal(planVeleroIam(readStackConfig(source(awsConfig())), "velero-server"), undefined);
        const c = awsConfig();
        delete c.storage.iamRoleArn;
        c.storage.irsa = irsa;
        c.velero = { namespace: "backup-system" };
        const plan = planVeleroIam(readStackConfig(source(c)), "velero-server")!;
        assert.equal(plan.roleName, "hopsworks-dr-test-eu-north-1-velero");
        assert.deepEqual(plan.trustPolicy.Statement[0].Condition, {
            StringEquals: {
                "oidc.eks.eu-north-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:backup-system:velero-server",
                "oidc.eks.eu-north-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
            },
        });
    });
});
