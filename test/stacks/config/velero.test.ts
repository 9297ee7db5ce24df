import assert from "assert/strict";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { Case, problemsOf, refusals } from "../../support/config";
import { minioConfig, source } from "../../support/stacks";

const invalid: Case[] = [
    ["a namespace with capitals", minioConfig, (c) => (c.velero = { namespace: "Velero" }), "velero.namespace", /must be a Kubernetes namespace name/],
    ["a chart version that is not semver", minioConfig, (c) => (c.velero = { chartVersion: "latest" }), "velero.chartVersion", /must be a chart version such as "11.2.0"/],
    ["a plugin image without a tag", minioConfig, (c) => (c.velero = { pluginImage: "velero/velero-plugin-for-aws" }), "velero.pluginImage", /with a tag or digest/],
    ["an unknown velero key", minioConfig, (c) => (c.velero = { version: "1.17" }), "velero.version", /valid keys of velero are namespace/],
    ["a kubectl tag above 1.33 for bitnamilegacy/kubectl (the chart's default)", minioConfig, (c) => (c.velero = { kubectlImageTag: "1.34" }), "velero.kubectlImageTag", /^hopsworks-dr:velero\.kubectlImageTag = "1\.34": docker\.io\/bitnamilegacy\/kubectl, the kubectl image of the chart's CRD-upgrade job, has no tag above 1\.33 .*Remove velero\.kubectlImageTag for 1\.33, which kubectl's skew policy allows against a Kubernetes 1\.32 to 1\.34 API.*another image with \/bin\/sh, which and kubectl .*or set velero\.upgradeCRDs: false/],
    ["registry.k8s.io/kubectl (no shell) with chart 11.2.0, whose CRD-upgrade job needs one", minioConfig, (c) => (c.velero = { kubectlImageRepository: "registry.k8s.io/kubectl", kubectlImageTag: "v1.34.2" }), "velero.kubectlImageRepository", /^hopsworks-dr:velero\.kubectlImageRepository = "registry\.k8s\.io\/kubectl": has no shell, and the CRD-upgrade job of Velero chart 11\.2\.0 \(any chart before 12\.0\.0\) runs `\/bin\/sh -c .*the job fails, and the Velero release with it\. .*the default docker\.io\/bitnamilegacy\/kubectl:1\.33 .*velero\.chartVersion 12\.0\.0 or later.*velero\.upgradeCRDs: false/],
    ["k8s.gcr.io/kubectl (no shell) with chart 11.0.0", minioConfig, (c) => (c.velero = { chartVersion: "11.0.0", kubectlImageRepository: "k8s.gcr.io/kubectl" }), "velero.kubectlImageRepository", /has no shell, and the CRD-upgrade job of Velero chart 11\.0\.0/],
    ["a kubectl tag v1.35.0 for bitnamilegacy/kubectl named explicitly", minioConfig, (c) => (c.velero = { kubectlImageRepository: "bitnamilegacy/kubectl", kubectlImageTag: "v1.35.0" }), "velero.kubectlImageTag", /"v1\.35\.0": docker\.io\/bitnamilegacy\/kubectl, .* has no tag above 1\.33/],
    ["a kubectl repository with a tag in it", minioConfig, (c) => (c.velero = { kubectlImageRepository: "alpine/k8s:1.34.2" }), "velero.kubectlImageRepository", /must be an image repository without a tag or digest/],
    ["a kubectl tag with upgradeCRDs false", minioConfig, (c) => (c.velero = { upgradeCRDs: false, kubectlImageTag: "1.33" }), "velero.kubectlImageTag", /applies only while velero\.upgradeCRDs is true/],
    ["a kubectl repository with upgradeCRDs false", minioConfig, (c) => (c.velero = { upgradeCRDs: false, kubectlImageRepository: "registry.k8s.io/kubectl" }), "velero.kubectlImageRepository", /applies only while velero\.upgradeCRDs is true/],
    ["upgradeCRDs that is not a boolean", minioConfig, (c) => (c.velero = { upgradeCRDs: "no" }), "velero.upgradeCRDs", /"no": must be true or false/],
    ["a Velero chart source that does not exist", minioConfig, (c) => (c.velero = { repo: "charts/velero-11.2.0.tgz" }), "velero.repo", /= "charts\/velero-11\.2\.0\.tgz": no such chart directory or file \(looked for \/.*\/charts\/velero-11\.2\.0\.tgz\)/],
    ["a Velero chart URL with credentials", minioConfig, (c) => (c.velero = { repo: "https://me:pw@mirror.example.com/charts" }), "velero.repo", /must not carry credentials .*; the Velero chart source must be reachable without a login/],
    ["velero.valuesFiles that is not a list", minioConfig, (c) => (c.velero = { valuesFiles: "velero.yaml" }), "velero.valuesFiles", /must be a list of strings/],
    ["a Velero values file that does not exist", minioConfig, (c) => (c.velero = { valuesFiles: ["values/nope.yaml"] }), "velero.valuesFiles[0]", /^hopsworks-dr:velero\.valuesFiles\[0\] = "values\/nope\.yaml": cannot be read/],
    ["a Velero values file outside the project", minioConfig, (c) => (c.velero = { valuesFiles: ["/etc/hostname"] }), "velero.valuesFiles[0]", /^hopsworks-dr:velero\.valuesFiles\[0\] = "\/etc\/hostname": is outside the project folder /],
    ["a Velero values file with a credential", minioConfig, (c) => (c.velero = { valuesFiles: ["test/fixtures/values-secrets.yaml"] }), "velero.valuesFiles[0]", /holds recognisable secrets in plain text at global\._hopsworks\.minio\.password \(a key named password\)/],
    ["a Velero values file with a __proto__ key", minioConfig, (c) => (c.velero = { valuesFiles: ["test/fixtures/values-proto-restore.yaml"] }), "velero.valuesFiles[0]", /has a key JavaScript reserves at __proto__/],
    [
        "a Velero values file setting the keys this stack owns",
        minioConfig,
        (c) => (c.velero = { valuesFiles: ["test/fixtures/velero-values.yaml", "test/fixtures/velero-values-owned.yaml"] }),
        "velero.valuesFiles[1]",
        new RegExp(
            '^hopsworks-dr:velero\\.valuesFiles\\[1\\] = "test/fixtures/velero-values-owned\\.yaml": sets ' +
                "initContainers \\(which velero\\.pluginImage owns .*\\), configuration\\.backupStorageLocation \\(which hopsworks-dr:storage owns .*\\), " +
                "credentials \\(which .*\\), schedules \\(which backup\\.schedule owns .*\\), upgradeCRDs \\(which velero\\.upgradeCRDs owns\\), " +
                "kubectl \\(which velero\\.kubectlImageRepository and velero\\.kubectlImageTag own\\): this stack sets those values itself; remove them from the file and use the stack config$",
        ),
    ],
];

describe("velero config (stacks/config/velero.ts)", () => {
    refusals(invalid);

    it("reads velero.valuesFiles in order, and refuses an owned key at or above its path (a map replaced whole)", () => {
        const c = minioConfig();
        c.velero = { valuesFiles: ["test/fixtures/velero-values.yaml"] };
        const config = readStackConfig(source(c));
        assert.deepEqual(config.velero.valuesFiles.map((f) => f.path), ["test/fixtures/velero-values.yaml"]);
        assert.deepEqual(config.velero.valuesFiles[0].values.tolerations, [{ key: "dedicated", operator: "Equal", value: "backup", effect: "NoSchedule" }]);
        assert.deepEqual(readStackConfig(source(minioConfig())).velero.valuesFiles, []);
        c.velero = { valuesFiles: ["test/fixtures/velero-values-replaces.yaml"] };
        const problem = problemsOf(c).find((p) => p.key === "velero.valuesFiles[0]");
        assert.match(problem?.message ?? "", /sets configuration \(which hopsworks-dr:storage owns .*\), serviceAccount\.server \(which storage\.irsa and storage\.iamRoleArn own .*\): this stack sets/);
        assert.doesNotMatch(problem!.message, /configuration \(.*configuration \(/, "each path named once");
    });
});
