import assert from "assert/strict";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { planVelero, withServiceAccountRole } from "../../../stacks/plan/velero";
import { planVeleroIam, veleroS3Policy } from "../../../stacks/plan/iam";
import { awsConfig, minioConfig, source } from "../../support/stacks";

const config = (values: Record<string, any>) => readStackConfig(source(values));

describe("Velero plan", () => {
    it("installs chart velero 11.2.0 from the vmware-tanzu repository into velero", () => {
        const p = planVelero(config(minioConfig()));
        assert.deepEqual(
            { release: p.releaseName, namespace: p.namespace, chart: p.chart, repo: p.repo, version: p.version, role: p.role },
            { release: "velero", namespace: "velero", chart: "velero", repo: "https://vmware-tanzu.github.io/helm-charts", version: "11.2.0", role: { kind: "none" } },
        );
    });

    it("sets the image, digest and kubectl tag overrides only when asked", () => {
        const c = minioConfig();
        c.velero = { image: "registry.example.com/velero/velero:v1.17.1", kubectlImageTag: "1.33" };
        const values = planVelero(config(c)).values;
        assert.deepEqual(values.image, { repository: "registry.example.com/velero/velero", tag: "v1.17.1" });
        assert.deepEqual(values.kubectl, { image: { repository: "docker.io/bitnamilegacy/kubectl", tag: "1.33" } });
        c.velero = { image: `velero/velero@sha256:${"a".repeat(64)}` };
        assert.deepEqual(planVelero(config(c)).values.image, { repository: "velero/velero", digest: `sha256:${"a".repeat(64)}` });
        const defaults = planVelero(config(minioConfig()));
        assert.equal(defaults.values.upgradeCRDs, undefined, "the chart's default (true) is left alone");
        assert.deepEqual(defaults.warnings, []);
    });

    it("gives chart 11.x's CRD-upgrade job bitnamilegacy/kubectl:1.33 by default: the chart's own tag (the cluster's 1.34) does not exist", () => {
        const p = planVelero(config(minioConfig()));
        assert.deepEqual(p.values.kubectl, { image: { repository: "docker.io/bitnamilegacy/kubectl", tag: "1.33" } });
        const c = minioConfig();
        c.velero = { chartVersion: "12.0.0" };
        assert.equal(planVelero(config(c)).values.kubectl, undefined, "chart 12's own default (registry.k8s.io/kubectl) works");
    });

    it("takes the CRD-upgrade job's kubectl from another repository with a shell, e.g. alpine/k8s 1.34.2", () => {
        const c = minioConfig();
        c.velero = { kubectlImageRepository: "alpine/k8s", kubectlImageTag: "1.34.2" };
        const p = planVelero(config(c));
        assert.deepEqual(p.values.kubectl, { image: { repository: "alpine/k8s", tag: "1.34.2" } });
        assert.deepEqual(p.warnings, []);
    });

    it("warns when a kubectl repository has no tag: the chart would tag it with the cluster's <major>.<minor>", () => {
        const c = minioConfig();
        c.velero = { kubectlImageRepository: "alpine/k8s" };
        const p = planVelero(config(c));
        assert.deepEqual(p.values.kubectl, { image: { repository: "alpine/k8s" } });
        assert.equal(p.warnings.length, 1);
        assert.match(p.warnings[0], /^velero\.kubectlImageRepository alpine\/k8s has no velero\.kubectlImageTag: .*"1\.34\.2"/);
    });

    it("upgradeCRDs: false turns the chart's CRD-upgrade job off, and sets no kubectl image", () => {
        const c = minioConfig();
        c.velero = { upgradeCRDs: "false" };
        const p = planVelero(config(c));
        assert.equal(p.values.upgradeCRDs, false);
        assert.equal(p.values.kubectl, undefined);
    });

    it("gives the pod the fsGroup and the account the role annotation when Velero uses an IAM role", () => {
        const p = planVelero(config(awsConfig()));
        assert.deepEqual(p.role, { kind: "existing", arn: "arn:aws:iam::123456789012:role/velero" });
        assert.deepEqual(p.values.podSecurityContext, { fsGroup: 65534 });
        assert.deepEqual(withServiceAccountRole(p.values, "arn:aws:iam::123456789012:role/velero").serviceAccount, {
            server: { name: "velero-server", annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/velero" } },
        });
        assert.equal(withServiceAccountRole(p.values, undefined).serviceAccount, undefined);
    });

    it("merges velero.valuesFiles under the values it generates, keeping the file's other keys (issue 17, item 6)", () => {
        const c = awsConfig();
        c.velero = { valuesFiles: ["test/fixtures/velero-values.yaml"] };
        const p = planVelero(config(c));
        assert.deepEqual(p.values.metrics, { serviceMonitor: { enabled: true } });
        assert.deepEqual(p.values.nodeSelector, { "kubernetes.io/os": "linux" });
        assert.deepEqual(p.values.imagePullSecrets, ["regcred"]);
        assert.deepEqual(p.values.resources, { requests: { cpu: "500m", memory: "128Mi" } });
        assert.deepEqual(p.values.configuration, { logLevel: "debug", backupStorageLocation: [] });
        assert.deepEqual(p.values.credentials, { useSecret: false });
        assert.deepEqual(p.values.podSecurityContext, { fsGroup: 65534 });
        assert.deepEqual(withServiceAccountRole(p.values, "arn:aws:iam::123456789012:role/velero").serviceAccount, {
            server: { labels: { team: "platform" }, name: "velero-server", annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/velero" } },
        });
        const without = planVelero(config(awsConfig())).values;
        assert.deepEqual(Object.keys(p.values).filter((k) => !(k in without)).sort(), ["imagePullSecrets", "metrics", "nodeSelector", "resources", "serviceAccount", "tolerations"]);
    });
});

describe("Velero IAM plan", () => {
    it("is only planned for irsa", () => {
        assert.equal(planVeleroIam(config(awsConfig()), "velero-server"), undefined);
    });

    it("trusts the cluster's OIDC provider for velero/velero-server only, with the plugin's S3 policy", () => {
        const c = awsConfig();
        delete c.storage.iamRoleArn;
        c.storage.irsa = {
            oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-north-1.amazonaws.com/id/ABC",
            oidcProviderUrl: "https://oidc.eks.eu-north-1.amazonaws.com/id/ABC",
        };
        const iam = planVeleroIam(config(c), "velero-server")!;
        assert.equal(iam.roleName, "hopsworks-dr-test-eu-north-1-velero");
        assert.deepEqual(iam.trustPolicy.Statement, [
            {
                Effect: "Allow",
                Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-north-1.amazonaws.com/id/ABC" },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        "oidc.eks.eu-north-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:velero:velero-server",
                        "oidc.eks.eu-north-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
                    },
                },
            },
        ]);
        assert.deepEqual(iam.policy, veleroS3Policy("hopsworks-backups"));
        assert.deepEqual(planVelero(config(c)).role, { kind: "created" });
    });

    it("grants exactly the plugin's S3 actions under the location's prefix, plus the KMS key when encrypting with one", () => {
        assert.deepEqual(veleroS3Policy("b").Statement, [
            {
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:DeleteObject", "s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                Resource: ["arn:aws:s3:::b/k8s_backup/*"],
            },
            { Effect: "Allow", Action: ["s3:ListBucket"], Resource: ["arn:aws:s3:::b"], Condition: { StringLike: { "s3:prefix": ["k8s_backup", "k8s_backup/*"] } } },
        ]);
        assert.deepEqual(veleroS3Policy("b", "arn:aws:kms:eu-north-1:1:key/k").Statement[2], {
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: ["arn:aws:kms:eu-north-1:1:key/k"],
        });
    });
});
