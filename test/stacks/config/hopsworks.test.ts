import { Case, refusals } from "../../support/config";
import { minioConfig } from "../../support/stacks";

const invalid: Case[] = [
    ["no Hopsworks chart repository", minioConfig, (c) => delete c.hopsworks.repo, "hopsworks.repo", /is required: the Hopsworks chart source given with your licence, an https:\/\/ or http:\/\/ chart repository URL, an oci:\/\/<registry>\/<path> registry path/],
    ["a repository that is neither a URL nor a local chart", minioConfig, (c) => (c.hopsworks.repo = "hopsworks"), "hopsworks.repo", /= "hopsworks": no such chart directory or file \(looked for .*\/hopsworks\); give an https:\/\/ or http:\/\/ chart repository URL, an oci:\/\/<registry>\/<path> registry path \(the chart name is appended\), or a local chart directory or \.tgz file/],
    ["a repository URL with credentials", minioConfig, (c) => (c.hopsworks.repo = "https://me:pw@charts.example.com/hopsworks"), "hopsworks.repo", /= "https:\/\/\*\*\*:\*\*\*@charts\.example\.com\/hopsworks": must not carry credentials .* hopsworks\.repoUsername and hopsworks\.repoPassword/],
    ["an oci:// repository with the chart's tag", minioConfig, (c) => (c.hopsworks.repo = "oci://registry.example.com/charts/hopsworks:4.8.0"), "hopsworks.repo", /without a tag or digest/],
    ["a chart name with a local chart", minioConfig, (c) => Object.assign(c.hopsworks, { repo: "test/fixtures/charts/hopsworks", chart: "hopsworks" }), "hopsworks.chart", /applies only to a chart repository or registry; hopsworks\.repo is the local chart \/.*\/test\/fixtures\/charts\/hopsworks: remove it/],
    ["a repository login with a local chart", minioConfig, (c) => Object.assign(c.hopsworks, { repo: "test/fixtures/charts/hopsworks", repoUsername: "u", repoPassword: "p" }), "hopsworks.repoPassword", /applies only to a chart repository or registry/],
    ["a local Hopsworks chart of another version", minioConfig, (c) => Object.assign(c.hopsworks, { repo: "test/fixtures/charts/hopsworks", chartVersion: "4.8.1" }), "hopsworks.repo", /Chart\.yaml is version "4\.8\.0", but the stack deploys chart version "4\.8\.1"/],
    ["a repository password without a user", minioConfig, (c) => (c.hopsworks.repoPassword = "pw"), "hopsworks", /sets only one of repoUsername and repoPassword/],
    ["no Hopsworks version", minioConfig, (c) => delete c.hopsworks.version, "hopsworks.version", /is required/],
    ["a Hopsworks version that is not x.y.z", minioConfig, (c) => (c.hopsworks.version = "4.8"), "hopsworks.version", /"4.8": the Hopsworks version/],
    ["a timeout below a minute", minioConfig, (c) => (c.hopsworks.timeoutSeconds = 30), "hopsworks.timeoutSeconds", /= 30: must be a whole number of at least 60/],
    ["a restore timeout below the manual's 1200 s", minioConfig, (c) => (c.hopsworks.restoreTimeoutSeconds = 600), "hopsworks.restoreTimeoutSeconds", /= 600: must be a whole number of at least 1200/],
    ["a restore timeout above a day", minioConfig, (c) => (c.hopsworks.restoreTimeoutSeconds = 86401), "hopsworks.restoreTimeoutSeconds", /86401/],
    ["a restore timeout that is not a number", minioConfig, (c) => (c.hopsworks.restoreTimeoutSeconds = "3h"), "hopsworks.restoreTimeoutSeconds", /"3h"/],
    ["valuesFiles that is not a list", minioConfig, (c) => (c.hopsworks.valuesFiles = "values/dev.yaml"), "hopsworks.valuesFiles", /must be a list of strings/],
    ["a values file that does not exist", minioConfig, (c) => (c.hopsworks.valuesFiles = ["values/nope.yaml"]), "hopsworks.valuesFiles[0]", /"values\/nope.yaml": cannot be read/],
    ["a values file that is not a mapping", minioConfig, (c) => (c.hopsworks.valuesFiles = ["test/fixtures/values-list.yaml"]), "hopsworks.valuesFiles[0]", /must hold a YAML mapping/],
    ["a values file with credentials in plain text", minioConfig, (c) => (c.hopsworks.valuesFiles = ["values/dev.yaml", "test/fixtures/values-secrets.yaml"]), "hopsworks.valuesFiles[1]", /^hopsworks-dr:hopsworks\.valuesFiles\[1\] = "test\/fixtures\/values-secrets\.yaml": holds recognisable secrets in plain text at global\._hopsworks\.minio\.password \(a key named password\), hopsworks\.extra\[0\]\.value \(an AWS access key ID\): values files reach the Pulumi state and the pull-request comment unencrypted\. Remove them from the file: put each in a Kubernetes Secret the chart references, and give the credentials this stack's config takes \(storage\.accessKeyId, storage\.secretAccessKey, hopsworks\.repoUsername, hopsworks\.repoPassword\) as secret config: pulumi config set --secret --path <key> -s test, which prompts for the value \(or reads it from a file: append < <file>\)$/],
    ["a values file that is not YAML", minioConfig, (c) => (c.hopsworks.valuesFiles = ["test/fixtures/values-broken.yaml"]), "hopsworks.valuesFiles[0]", /is not valid YAML/],
];

describe("hopsworks config (stacks/config/hopsworks.ts)", () => {
    refusals(invalid);
});
