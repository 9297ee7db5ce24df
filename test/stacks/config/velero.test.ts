import { Case, refusals } from "../../support/config";
import { minioConfig } from "../../support/stacks";

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
];

describe("velero config (stacks/config/velero.ts)", () => {
    refusals(invalid);
});
