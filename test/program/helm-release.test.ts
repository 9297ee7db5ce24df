import assert from "assert/strict";
import { gzipSync } from "zlib";
import { readReleaseFirstDeployed } from "../../program/helm-release";
import { renderStack, RenderError } from "../../render/render";
import { firstDeployedOf, HelmReleaseSecret } from "../../stacks/plan/helm-release";
import { FakeCluster, KubeObject, startFakeCluster } from "../cli/fake-cluster";
import { minioConfig, stackFile } from "../support/stacks";

/** A release Secret as Helm's storage driver writes it: gzip, base64 (Helm's), in data (base64 again, the API's). */
function helmSecret(name: string, version: number, firstDeployed: string, namespace = "hopsworks"): KubeObject {
    const record = { name, namespace, version, info: { first_deployed: firstDeployed, last_deployed: "2026-11-01T00:00:00Z", status: "deployed" } };
    const helm = gzipSync(Buffer.from(JSON.stringify(record))).toString("base64");
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: `sh.helm.release.v1.${name}.v${version}`, namespace, labels: { name, owner: "helm", status: "deployed", version: String(version) } },
        type: "helm.sh/release.v1",
        data: { release: Buffer.from(helm).toString("base64") },
    };
}

const asRead = (o: KubeObject): HelmReleaseSecret => ({ labels: o.metadata.labels, release: (o.data as Record<string, string>).release });

describe("the Hopsworks release's first deployment (Helm's release record)", () => {
    describe("decoding (stacks/plan/helm-release.ts)", () => {
        it("reads info.first_deployed from the newest revision's record, as an ISO time", () => {
            const secrets = [helmSecret("hopsworks", 1, "2024-03-01T10:00:00.123456789Z"), helmSecret("hopsworks", 12, "2024-03-01T10:00:00.123456789Z")];
            assert.equal(firstDeployedOf(secrets.map(asRead)), "2024-03-01T10:00:00.123Z");
        });

        it("reads a Go time with an offset, and a record Helm did not gzip", () => {
            const plain = helmSecret("hopsworks", 2, "x");
            const record = { info: { first_deployed: "2024-03-01T12:00:00+02:00" } };
            (plain.data as Record<string, string>).release = Buffer.from(Buffer.from(JSON.stringify(record)).toString("base64")).toString("base64");
            assert.equal(firstDeployedOf([asRead(plain)]), "2024-03-01T10:00:00.000Z");
        });

        it("has nothing to say without a record, or with one it cannot read", () => {
            assert.equal(firstDeployedOf([]), undefined);
            assert.equal(firstDeployedOf([{ labels: { version: "1" }, release: "bm90IGEgcmVjb3Jk" }]), undefined);
        });
    });

    describe("reading the cluster (helm-release.ts)", () => {
        let cluster: FakeCluster;
        beforeEach(async () => (cluster = await startFakeCluster()));
        afterEach(() => cluster.close());

        it("lists the release's Secrets by Helm's labels in the release namespace", async () => {
            cluster.put("/api/v1/namespaces/hopsworks/secrets", helmSecret("hopsworks", 3, "2024-03-01T10:00:00Z"));
            cluster.put("/api/v1/namespaces/hopsworks/secrets", helmSecret("other", 1, "2020-01-01T00:00:00Z"));
            const found = await readReleaseFirstDeployed("hopsworks", "hopsworks", { kubeconfig: cluster.kubeconfig });
            assert.deepEqual(found, { firstDeployed: "2024-03-01T10:00:00.000Z" });
            assert.ok(cluster.requests.some((r) => r.startsWith("GET /api/v1/namespaces/hopsworks/secrets?") && r.includes("labelSelector=owner%3Dhelm%2Cname%3Dhopsworks")), cluster.requests.join("\n"));
        });

        it("finds no record for a release that does not exist yet", async () => {
            assert.deepEqual(await readReleaseFirstDeployed("hopsworks", "hopsworks", { kubeconfig: cluster.kubeconfig }), {});
        });

        it("says why when the Secrets cannot be read", async () => {
            cluster.forbid = () => true;
            const found = await readReleaseFirstDeployed("hopsworks", "hopsworks", { kubeconfig: cluster.kubeconfig });
            assert.match(found.problem ?? "", /^cannot list the Helm release Secrets of hopsworks\/hopsworks: .*403/);
        });
    });

    describe("the program (index.ts)", () => {
        const VELERO = { main: "k8s-backups-main-20250707120012", users: "k8s-backups-users-resources-20250707120013" };
        const IN_PLACE = { mode: "in-place", backupId: "252811200", backupHopsworksVersion: "4.8.0", forceDataClear: true, confirm: "test/252811200", veleroBackups: VELERO };
        const adopted = { "hopsworks/hopsworks": "2024-03-01T10:00:00.000Z" };

        it("records an adopted release's first deployment as the install time, not the first pulumi up", async () => {
            const { outputs } = await renderStack(stackFile(minioConfig()), { previousOutputs: {}, helmReleases: adopted });
            assert.equal(outputs.hopsworksInstalledAt, "2024-03-01T10:00:00.000Z");
        });

        it("lets an in-place restore of a backup taken after that first deployment through, though the stack recorded a later install", async () => {
            // 252811200: 2025-07-07, after the release's first deployment, before the first pulumi up recorded below.
            const previous = { hopsworksInstalledAt: "2026-01-10T00:00:00.000Z", installedFromBackup: null, activeRestore: null, restoreHistory: [] };
            const { outputs } = await renderStack(stackFile({ ...minioConfig(), restore: IN_PLACE }), { previousOutputs: previous, helmReleases: adopted });
            assert.equal(outputs.hopsworksInstalledAt, "2024-03-01T10:00:00.000Z");
            await assert.rejects(renderStack(stackFile({ ...minioConfig(), restore: IN_PLACE }), { previousOutputs: previous }), (error: RenderError) => {
                assert.match(error.message, /before this cluster's fresh install at 2026-01-10T00:00:00\.000Z/, "without a release record, as before");
                return true;
            });
        });

        it("records that it compared the install time, and reads Helm's record no more once a deployment has", async () => {
            const { outputs } = await renderStack(stackFile(minioConfig()), { previousOutputs: {}, helmReleases: adopted });
            assert.equal(outputs.hopsworksInstallTimeChecked, true);
            const compared = { hopsworksInstalledAt: "2025-01-10T00:00:00.000Z", installedFromBackup: null, activeRestore: null, restoreHistory: [], hopsworksInstallTimeChecked: true };
            // An earlier first deployment in Helm's record would be taken if it were read: it is not.
            const next = await renderStack(stackFile(minioConfig()), { previousOutputs: compared, helmReleases: adopted });
            assert.equal(next.outputs.hopsworksInstalledAt, "2025-01-10T00:00:00.000Z");
            assert.equal(next.outputs.hopsworksInstallTimeChecked, true);
            // Without a release record yet (a first install), the next deployment compares again.
            const first = await renderStack(stackFile(minioConfig()), { previousOutputs: {} });
            assert.equal(first.outputs.hopsworksInstallTimeChecked, false);
        });

        it("keeps today's time when the release is newer (installed by the stack) or absent, and for a new-cluster restore", async () => {
            const recorded = { hopsworksInstalledAt: "2025-01-10T00:00:00.000Z", installedFromBackup: null, activeRestore: null, restoreHistory: [] };
            const newer = await renderStack(stackFile(minioConfig()), { previousOutputs: recorded, helmReleases: { "hopsworks/hopsworks": "2025-01-10T00:00:05.000Z" } });
            assert.equal(newer.outputs.hopsworksInstalledAt, "2025-01-10T00:00:00.000Z");
            const absent = await renderStack(stackFile(minioConfig()), { previousOutputs: {} });
            assert.match(String(absent.outputs.hopsworksInstalledAt), /^\d{4}-\d\d-\d\dT/);
            assert.notEqual(absent.outputs.hopsworksInstalledAt, "2024-03-01T10:00:00.000Z");
            const restore = { mode: "new-cluster", backupId: "254811200", backupHopsworksVersion: "4.8.0", latestVeleroBackups: true };
            const fresh = await renderStack(stackFile({ ...minioConfig(), restore }), { previousOutputs: recorded, helmReleases: adopted });
            assert.notEqual(fresh.outputs.hopsworksInstalledAt, "2024-03-01T10:00:00.000Z", "a new-cluster restore installs afresh");
        });
    });
});
