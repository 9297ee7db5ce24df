import assert from "assert/strict";
import { Hopsworks } from "../../components/hopsworks";
import { REDACTED } from "../../stacks/config/secret";
import { record, StubResource } from "../support/record";

const base = {
    releaseName: "hopsworks",
    namespace: "hopsworks",
    chart: "hopsworks",
    version: "4.8.0",
    timeoutSeconds: 1200,
    values: {},
};

describe("Hopsworks component", () => {
    it("pulls from an OCI registry as oci://<path>/hopsworks: the login kept (secret), no repository", async () => {
        const { byName } = await record(() => {
            new Hopsworks("hopsworks", { ...base, repo: "oci://registry.example.com/hopsworks-charts", repoCredentials: { username: "user", password: "licence-password" } });
        });
        const release = byName("hopsworks", "kubernetes:helm.sh/v3:Release");
        assert.equal(release.inputs.chart, "oci://registry.example.com/hopsworks-charts/hopsworks");
        assert.deepEqual(release.inputs.repositoryOpts, { username: "user", password: REDACTED });
        assert.deepEqual(release.secretPaths, ["repositoryOpts.password"]);
    });

    it("atomic: Helm's --atomic and --cleanup-on-fail on the release; without it, neither input at all", async () => {
        const { byName } = await record(() => {
            new Hopsworks("hopsworks", { ...base, repo: "/srv/charts/hopsworks", atomic: true });
        });
        const release = byName("hopsworks", "kubernetes:helm.sh/v3:Release");
        assert.deepEqual([release.inputs.atomic, release.inputs.cleanupOnFail], [true, true]);
        for (const atomic of [false, undefined]) {
            const plain = await record(() => {
                new Hopsworks("hopsworks", { ...base, repo: "/srv/charts/hopsworks", atomic });
            });
            const inputs = plain.byName("hopsworks", "kubernetes:helm.sh/v3:Release").inputs;
            assert.ok(!("atomic" in inputs) && !("cleanupOnFail" in inputs), JSON.stringify(inputs));
        }
    });

    it("installs a local chart from its absolute path with no repositoryOpts at all", async () => {
        const { byName } = await record(() => {
            new Hopsworks("hopsworks", { ...base, repo: "/srv/charts/hopsworks" });
        });
        const release = byName("hopsworks", "kubernetes:helm.sh/v3:Release");
        assert.equal(release.inputs.chart, "/srv/charts/hopsworks");
        assert.equal(release.inputs.repositoryOpts, undefined);
    });

    it("installs release hopsworks with its values, timeout and repository login, the password secret", async () => {
        const values = { global: { _hopsworks: { backups: { enabled: true } } } };
        const { resources, byName, nameOf } = await record(() => {
            const location = new StubResource("hopsworks-bsl");
            new Hopsworks(
                "hopsworks",
                {
                    releaseName: "hopsworks",
                    namespace: "hopsworks",
                    chart: "hopsworks",
                    repo: "https://charts.example.com/hopsworks",
                    version: "4.8.0",
                    timeoutSeconds: 1200,
                    values,
                    repoCredentials: { username: "user", password: "licence-password" },
                },
                { dependsOn: [location] },
            );
        });
        const release = byName("hopsworks", "kubernetes:helm.sh/v3:Release");
        assert.deepEqual(
            { name: release.inputs.name, chart: release.inputs.chart, version: release.inputs.version, ns: release.inputs.namespace, timeout: release.inputs.timeout },
            { name: "hopsworks", chart: "hopsworks", version: "4.8.0", ns: "hopsworks", timeout: 1200 },
        );
        assert.deepEqual(release.inputs.values, values);
        // [] and null in values files reach the chart as with helm -f (pulumi-kubernetes 4.25.0 drops them otherwise).
        assert.equal(release.inputs.allowNullValues, true);
        assert.deepEqual(release.inputs.repositoryOpts, { repo: "https://charts.example.com/hopsworks", username: "user", password: REDACTED });
        assert.deepEqual(release.secretPaths, ["repositoryOpts.password"]);
        assert.deepEqual(release.dependencies.map(nameOf), ["hopsworks-bsl"]);
        assert.ok(!JSON.stringify(resources).includes("licence-password"));
    });
});
