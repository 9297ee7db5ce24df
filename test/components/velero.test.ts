import assert from "assert/strict";
import { Velero } from "../../components/velero";
import { record } from "../support/record";

const args = {
    releaseName: "velero",
    namespace: "velero",
    chart: "velero",
    repo: "https://vmware-tanzu.github.io/helm-charts",
    version: "11.2.0",
    values: { snapshotsEnabled: false },
};

describe("Velero component", () => {
    it("installs the chart as a named Helm release in its own namespace", async () => {
        const { resources, byName } = await record(() => {
            new Velero("velero", args);
        });
        assert.deepEqual(resources.map((r) => r.type), ["hopsworks-dr:index:Velero", "kubernetes:helm.sh/v3:Release"]);
        const release = byName("velero", "kubernetes:helm.sh/v3:Release");
        assert.equal(release.inputs.name, "velero");
        assert.equal(release.inputs.chart, "velero");
        assert.equal(release.inputs.version, "11.2.0");
        assert.equal(release.inputs.namespace, "velero");
        assert.equal(release.inputs.createNamespace, true);
        // Else the provider drops configuration.backupStorageLocation: [] and the chart makes its default location.
        assert.equal(release.inputs.allowNullValues, true);
        assert.deepEqual(release.inputs.repositoryOpts, { repo: "https://vmware-tanzu.github.io/helm-charts" });
        assert.deepEqual(release.inputs.values, { snapshotsEnabled: false });
    });

    it("pulls the chart from an OCI registry as oci://<path>/velero, with no repository (no index.yaml lookup)", async () => {
        const { byName } = await record(() => {
            new Velero("velero", { ...args, repo: "oci://registry.example.com/vmware-tanzu" });
        });
        const release = byName("velero", "kubernetes:helm.sh/v3:Release");
        assert.equal(release.inputs.chart, "oci://registry.example.com/vmware-tanzu/velero");
        assert.equal(release.inputs.repositoryOpts, undefined);
        assert.equal(release.inputs.version, "11.2.0");
    });

    it("installs a local chart from its absolute path, with no repository", async () => {
        const { byName } = await record(() => {
            new Velero("velero", { ...args, repo: "/srv/charts/velero-11.2.0.tgz" });
        });
        const release = byName("velero", "kubernetes:helm.sh/v3:Release");
        assert.equal(release.inputs.chart, "/srv/charts/velero-11.2.0.tgz");
        assert.equal(release.inputs.repositoryOpts, undefined);
    });

    it("annotates Velero's service account with the role ARN when one is given", async () => {
        const { byName } = await record(() => {
            new Velero("velero", { ...args, serviceAccountRoleArn: "arn:aws:iam::123456789012:role/velero" });
        });
        assert.deepEqual(byName("velero", "kubernetes:helm.sh/v3:Release").inputs.values.serviceAccount, {
            server: { name: "velero-server", annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/velero" } },
        });
    });
});
