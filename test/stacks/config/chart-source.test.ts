import assert from "assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CHART_SOURCE_FORMS, chartSourceKind, chartSourceWarning, checkChartSource, releaseChart } from "../../../stacks/config/chart-source";
import { PROJECT_DIR } from "../../support/stacks";

const HOPSWORKS = { name: "hopsworks", version: "4.8.0", login: "give the login as hopsworks.repoUsername and hopsworks.repoPassword" };
const problemOf = (value: string, projectDir = PROJECT_DIR) => {
    const checked = checkChartSource(value, projectDir, HOPSWORKS);
    assert.ok("problem" in checked, `accepted: ${JSON.stringify(checked)}`);
    return checked.problem;
};
const sourceOf = (value: string, projectDir = PROJECT_DIR) => {
    const checked = checkChartSource(value, projectDir, HOPSWORKS);
    assert.ok("source" in checked, `refused: ${JSON.stringify(checked)}`);
    return checked.source;
};

describe("chart sources (velero.repo, hopsworks.repo)", () => {
    describe("releaseChart: what a kubernetes.helm.v3.Release gets", () => {
        it("a chart repository: the chart's name, and the URL as repositoryOpts.repo", () => {
            assert.deepEqual(releaseChart("https://vmware-tanzu.github.io/helm-charts", "velero"), { chart: "velero", repo: "https://vmware-tanzu.github.io/helm-charts" });
            assert.deepEqual(releaseChart("http://charts.internal:8080/stable", "hopsworks"), { chart: "hopsworks", repo: "http://charts.internal:8080/stable" });
        });

        it("an OCI registry path: the full oci:// chart reference, the name appended, and no repository (the provider would look for an index.yaml)", () => {
            assert.deepEqual(releaseChart("oci://registry.example.com/charts", "hopsworks"), { chart: "oci://registry.example.com/charts/hopsworks" });
            assert.deepEqual(releaseChart("oci://registry.example.com:5000/a/b/", "velero"), { chart: "oci://registry.example.com:5000/a/b/velero" });
        });

        it("a local chart: its absolute path, and no repository", () => {
            assert.deepEqual(releaseChart("/charts/hopsworks-4.8.0.tgz", "hopsworks"), { chart: "/charts/hopsworks-4.8.0.tgz" });
            assert.deepEqual(releaseChart("/charts/velero", "velero"), { chart: "/charts/velero" });
        });

        it("tells the kinds apart by scheme, case-insensitively", () => {
            assert.deepEqual(
                ["HTTPS://x", "http://x", "OCI://x/y", "/abs/dir", "relative/chart.tgz"].map(chartSourceKind),
                ["repository", "repository", "oci", "local", "local"],
            );
        });
    });

    describe("checkChartSource: what config may give", () => {
        let tmp: string;
        beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-charts-"))));
        afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

        it("accepts repository URLs as given and OCI registry paths without a trailing slash", () => {
            assert.equal(sourceOf("https://charts.example.com/hopsworks"), "https://charts.example.com/hopsworks");
            assert.equal(sourceOf("oci://registry.example.com/charts/"), "oci://registry.example.com/charts");
        });

        it("makes a local chart directory absolute, relative to the project folder", () => {
            assert.equal(sourceOf("test/fixtures/charts/hopsworks"), path.join(PROJECT_DIR, "test/fixtures/charts/hopsworks"));
            assert.equal(sourceOf("./hopsworks", path.join(PROJECT_DIR, "test/fixtures/charts")), path.join(PROJECT_DIR, "test/fixtures/charts/hopsworks"));
        });

        it("accepts a packaged .tgz chart, relative or absolute", () => {
            fs.writeFileSync(path.join(tmp, "hopsworks-4.8.0.tgz"), "");
            assert.equal(sourceOf("hopsworks-4.8.0.tgz", tmp), path.join(tmp, "hopsworks-4.8.0.tgz"));
            assert.equal(sourceOf(path.join(tmp, "hopsworks-4.8.0.tgz")), path.join(tmp, "hopsworks-4.8.0.tgz"));
        });

        it("refuses a local path that does not exist, naming where it looked and the accepted forms", () => {
            assert.equal(
                problemOf("charts/hopsworks", tmp),
                `"charts/hopsworks": no such chart directory or file (looked for ${path.join(tmp, "charts/hopsworks")}); give ${CHART_SOURCE_FORMS}`,
            );
        });

        it("refuses a directory without Chart.yaml, a file that is not a .tgz, and a Chart.yaml of another version", () => {
            fs.mkdirSync(path.join(tmp, "empty"));
            assert.match(problemOf("empty", tmp), new RegExp(`^"empty": the directory ${tmp}/empty has no Chart.yaml, so it is not a chart; give an https://`));
            fs.writeFileSync(path.join(tmp, "values.yaml"), "a: 1\n");
            assert.match(problemOf("values.yaml", tmp), /^"values.yaml": .*values\.yaml is a file but not a packaged chart \(\.tgz\); give an https:\/\//);
            fs.mkdirSync(path.join(tmp, "old"));
            fs.writeFileSync(path.join(tmp, "old", "Chart.yaml"), "name: hopsworks\nversion: 4.7.1\n");
            assert.match(problemOf("old", tmp), /Chart\.yaml is version "4\.7\.1", but the stack deploys chart version "4\.8\.0"/);
        });

        it("refuses credentials in a URL without echoing them, saying where a login goes", () => {
            for (const value of ["https://user:s3cret@charts.example.com/hopsworks", "oci://user:s3cret@registry.example.com/charts"]) {
                const problem = problemOf(value);
                assert.ok(!problem.includes("s3cret") && !problem.includes("user"), problem);
                assert.match(problem, /:\/\/\*\*\*:\*\*\*@.*: must not carry credentials \(they would be stored and shown in plain text\); give the login as hopsworks\.repoUsername/);
            }
        });

        it("refuses an oci:// reference with a tag or digest: the version is chartVersion", () => {
            assert.match(problemOf("oci://registry.example.com/charts/hopsworks:4.8.0"), /names the registry path without a tag or digest; the chart's version is the chartVersion key/);
            assert.match(problemOf(`oci://registry.example.com/charts/hopsworks@sha256:${"a".repeat(64)}`), /without a tag or digest/);
        });

        it("refuses other schemes, listing the accepted forms", () => {
            assert.equal(problemOf("s3://bucket/charts"), `"s3://bucket/charts": s3:// is not a chart source; give ${CHART_SOURCE_FORMS}`);
        });
    });

    it("warns when an oci:// path already ends with the chart name, which is appended once more", () => {
        assert.equal(
            chartSourceWarning("hopsworks.repo", "oci://registry.example.com/charts/hopsworks", "hopsworks"),
            "hopsworks.repo oci://registry.example.com/charts/hopsworks ends with the chart name, which is appended: the chart is pulled from " +
                "oci://registry.example.com/charts/hopsworks/hopsworks. If oci://registry.example.com/charts/hopsworks is the chart itself, " +
                "set hopsworks.repo to oci://registry.example.com/charts",
        );
        assert.equal(chartSourceWarning("hopsworks.repo", "oci://registry.example.com/charts", "hopsworks"), undefined);
        assert.equal(chartSourceWarning("hopsworks.repo", "https://example.com/hopsworks", "hopsworks"), undefined);
    });
});
