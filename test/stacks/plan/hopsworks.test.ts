import assert from "assert/strict";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { ConfigError } from "../../../stacks/config/reader";
import { planStack } from "../../../stacks/plan/stack-plan";
import { minioConfig, otherWarnings, source } from "../../support/stacks";

const plan = (values: Record<string, any>) => planStack(readStackConfig(source(values)));

describe("Hopsworks plan", () => {
    it("generates the manual's backup values and tells the chart not to create hopsworks-bsl", () => {
        const c = minioConfig();
        c.backup = { schedule: "0 2 * * *", ttl: "720h" };
        assert.deepEqual(plan(c).hopsworks.generatedValues, {
            global: { _hopsworks: { backups: { enabled: true, schedule: "0 2 * * *", ttl: "720h" } } },
            hopsworks: { velero: { namespace: "velero", backup: { ttl: "720h0m0s", storageLocation: { create: false } } } },
        });
    });

    it("tells the chart where Velero runs (velero.namespace), for its prerequisite check and schedules", () => {
        const c = minioConfig();
        c.velero = { namespace: "backup-system" };
        assert.equal((plan(c).hopsworks.values.hopsworks as any).velero.namespace, "backup-system");
    });

    it("gives Velero's backups the backup ttl, as a Go duration (the chart's own default would be 30 days)", () => {
        const ttl = (backup: Record<string, string>) => (plan({ ...minioConfig(), backup }).hopsworks.values.hopsworks as any).velero.backup.ttl;
        assert.equal(ttl({}), "1440h0m0s", "60d, the default");
        assert.equal(ttl({ ttl: "90d" }), "2160h0m0s");
        assert.equal(ttl({ ttl: "36h", schedule: "@daily" }), "36h0m0s");
    });

    it("refuses a values file that sets Velero's namespace or backup ttl to another value, naming the owning key", () => {
        const c = minioConfig();
        c.hopsworks.valuesFiles = ["test/fixtures/values-velero-elsewhere.yaml"];
        assert.throws(
            () => plan(c),
            (error: unknown) => {
                assert.ok(error instanceof ConfigError);
                assert.deepEqual(error.problems.map((p) => p.message), [
                    'hopsworks-dr:hopsworks.valuesFiles[0] = "test/fixtures/values-velero-elsewhere.yaml": sets hopsworks.velero.namespace to "velero-system", ' +
                        'but hopsworks-dr:velero.namespace sets hopsworks.velero.namespace to "velero"; remove it from the file and set it in the stack config',
                    'hopsworks-dr:hopsworks.valuesFiles[0] = "test/fixtures/values-velero-elsewhere.yaml": sets hopsworks.velero.backup.ttl to "720h0m0s", ' +
                        'but hopsworks-dr:backup.ttl sets hopsworks.velero.backup.ttl to "1440h0m0s"; remove it from the file and set it in the stack config',
                ]);
                return true;
            },
        );
        c.velero = { namespace: "velero-system" };
        c.backup = { ttl: "30d" };
        const warnings = planStack(readStackConfig(source({ ...c, hopsworks: { ...c.hopsworks, valuesFiles: ["test/fixtures/values-velero-elsewhere.yaml"] } }))).warnings;
        assert.deepEqual(otherWarnings(warnings), [
            "test/fixtures/values-velero-elsewhere.yaml sets hopsworks.velero.namespace, which hopsworks-dr:velero.namespace already sets; remove it from the file",
            "test/fixtures/values-velero-elsewhere.yaml sets hopsworks.velero.backup.ttl, which hopsworks-dr:backup.ttl already sets; remove it from the file",
        ]);
    });

    it("warns that the pinned provider (4.25.0) does not log in to an OCI registry, naming helm registry login; not for a chart repository or without a login", () => {
        const withSource = (repo: string, login: boolean) => {
            const c = minioConfig();
            c.hopsworks = { ...c.hopsworks, repo, ...(login ? { repoUsername: "user", repoPassword: "licence-password" } : {}) };
            return plan(c).warnings.filter((w: string) => /OCI registry/.test(w));
        };
        assert.deepEqual(withSource("oci://registry.example.com/charts", true), [
            'hopsworks-dr:hopsworks.repo = "oci://registry.example.com/charts": the Pulumi Kubernetes provider this project pins (4.25.0) does not log in ' +
                "to an OCI registry with hopsworks.repoUsername and hopsworks.repoPassword (4.27.0 and later do): run `helm registry login registry.example.com` " +
                "on the machine that runs pulumi preview and pulumi up, or the chart pull fails with an authorization error",
        ]);
        assert.deepEqual(withSource("oci://registry.example.com/charts", false), []);
        assert.deepEqual(withSource("https://charts.example.com/hopsworks", true), []);
    });

    it("installs release hopsworks with the chart, version and timeout of the config", () => {
        const c = minioConfig();
        c.hopsworks.timeoutSeconds = 1800;
        const h = plan(c).hopsworks;
        assert.deepEqual(
            { name: h.releaseName, namespace: h.namespace, chart: h.chart, version: h.version, timeout: h.timeoutSeconds, creds: h.repoCredentials },
            { name: "hopsworks", namespace: "hopsworks", chart: "hopsworks", version: "4.8.0", timeout: 1800, creds: undefined },
        );
    });

    it("merges values files in order (maps by key, lists replaced), the generated values last", () => {
        const c = minioConfig();
        c.storage.bucket = "hopsworks-dev"; // the HopsFS bucket values/dev.yaml names
        c.hopsworks.valuesFiles = ["values/dev.yaml", "test/fixtures/values-backups.yaml"];
        const p = plan(c);
        const global = p.hopsworks.values.global as any;
        assert.equal(global._hopsworks.cloudProvider, "AWS");
        assert.equal(global._hopsworks.minio.enabled, false);
        assert.deepEqual(global._hopsworks.backups, { enabled: true, schedule: "@weekly", ttl: "60d" });
        assert.deepEqual((p.hopsworks.values.hopsworks as any).velero.backup, { ttl: "1440h0m0s", storageLocation: { create: false } });
    });

    it("warns about a values file that repeats a generated value", () => {
        const c = minioConfig();
        c.hopsworks.valuesFiles = ["test/fixtures/values-backups.yaml"];
        const p = plan(c);
        assert.deepEqual(otherWarnings(p.warnings), [
            "test/fixtures/values-backups.yaml sets global._hopsworks.backups.enabled, which hopsworks-dr:backup.enabled already sets; remove it from the file",
        ]);
    });

    it("refuses a values file that sets a generated key to another value, naming file, key and both values", () => {
        const c = minioConfig();
        c.storage.bucket = "hopsworks-dev"; // the HopsFS bucket values/dev.yaml names
        c.hopsworks.valuesFiles = ["values/dev.yaml", "test/fixtures/values-other-schedule.yaml"];
        assert.throws(
            () => plan(c),
            (error: unknown) => {
                assert.ok(error instanceof ConfigError);
                assert.deepEqual(error.problems.map((p) => p.key), ["hopsworks.valuesFiles[1]"]);
                assert.equal(
                    error.problems[0].message,
                    'hopsworks-dr:hopsworks.valuesFiles[1] = "test/fixtures/values-other-schedule.yaml": sets global._hopsworks.backups.schedule to "@daily", ' +
                        'but hopsworks-dr:backup.schedule sets global._hopsworks.backups.schedule to "@weekly"; remove it from the file and set it in the stack config',
                );
                return true;
            },
        );
    });
});
