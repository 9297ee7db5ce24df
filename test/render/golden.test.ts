/**
 * The manual's examples (test/golden/manual, transcribed by hand) reproduced by the program,
 * compared as parsed data. Where the program adds to an example, the additions are named and
 * removed explicitly before the exact comparison, and asserted on their own.
 */
import assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import { renderStack } from "../../render/render";
import { credentialsFile } from "../../stacks/plan/location";
import { awsConfig, minioConfig, SHARED_DIR, stackFile } from "../support/stacks";

const GOLDEN = path.join(__dirname, "../golden/manual");
const MANUAL = path.join(SHARED_DIR, "reference/hopsworks-disaster-recovery.txt");
const golden = (name: string) => fs.readFileSync(path.join(GOLDEN, name), "utf8");
const goldenYaml = (name: string) => parse(golden(name));

const RESTORE_CONFIG = { backupId: "254811200", backupHopsworksVersion: "4.8.0" };

/** The parts of the Hopsworks values the manual's restore examples show (the ttl, always set, left out). */
function restoreView(values: any) {
    const { ttl, ...backups } = values.global._hopsworks.backups;
    assert.equal(ttl, "60d");
    const view: any = { global: { _hopsworks: { backups, restoreFromBackup: values.global._hopsworks.restoreFromBackup } } };
    if (values.rondb) view.rondb = values.rondb;
    if (values.olk) view.olk = values.olk;
    if (values.hopsworks.velero.restore) view.hopsworks = { velero: { restore: values.hopsworks.velero.restore } };
    return view;
}

function restoreStack(restore: Record<string, unknown>) {
    const c = minioConfig();
    c.restore = { ...RESTORE_CONFIG, ...restore };
    return c;
}

async function rendered(values: Record<string, any>) {
    const { files } = await renderStack(stackFile(values));
    return {
        hopsworks: parse(files["hopsworks-values.yaml"]),
        velero: parse(files["velero-values.yaml"]),
        manifests: parseAllDocuments(files["manifests.yaml"]).map((d) => d.toJS()),
        bucket: JSON.parse(files["bucket.json"]),
    };
}

/** Everything but the keys this project adds to the manual's location, which the caller asserts. */
function withoutAdditions(location: any, extraConfigKeys: string[] = []) {
    const { annotations, ...metadata } = location.metadata;
    const { accessMode, ...spec } = location.spec;
    const config = Object.fromEntries(Object.entries(spec.config).filter(([k]) => !extraConfigKeys.includes(k)));
    return { ...location, metadata, spec: { ...spec, config } };
}

describe("golden: the manual's examples", () => {
    describe("the golden files match the manual", function () {
        before(function () {
            if (!fs.existsSync(MANUAL)) {
                console.log(`skipping the manual cross-check: ${MANUAL} not found (a user's clone has no ../shared)`);
                this.skip();
            }
        });
        // The manual's text lost its indentation: compare the lines, whitespace folded.
        const fold = (text: string) => text.replace(/#.*$/gm, "").replace(/\s+/g, " ").trim();
        for (const name of [
            "configuring-backup-values.yaml", "cleanup-values.yaml", "cleanup-lifecycle.json", "bsl-iam-role.yaml", "bsl-s3-compatible.yaml",
            "bsl-credentials-file.txt", "restore-on-install-values.yaml", "restore-rondb-override-values.yaml",
            "restore-opensearch-override-values.yaml", "restore-opensearch-skip-indices-values.yaml", "in-place-restore-values.yaml",
            "velero-restore-main.yaml", "velero-restore-users.yaml",
        ]) {
            it(`${name} appears in the manual`, () => {
                assert.ok(fold(fs.readFileSync(MANUAL, "utf8")).includes(fold(golden(name))), `${name} is not in the manual as written`);
            });
        }
        it("in-place-required-flags.txt is the manual's table of required flags", () => {
            const manual = fold(fs.readFileSync(MANUAL, "utf8"));
            for (const flag of golden("in-place-required-flags.txt").trim().split("\n")) {
                assert.ok(manual.includes(`${flag} |`), `${flag} is not a row of the manual's table`);
            }
        });
        it("velero-helm-install-values.yaml is the manual's helm install --set flags", () => {
            const manual = fs.readFileSync(MANUAL, "utf8");
            const install = manual.slice(manual.indexOf("helm install velero"), manual.indexOf("Configuring Backup#"));
            const values: any = {};
            for (const [, kind, expr] of install.matchAll(/--set(-json)? "?([^"\s]+?)"?(?=\s)/g)) {
                const at = expr.indexOf("=");
                const raw = expr.slice(at + 1).replace(/^'|'$/g, "");
                const value = kind ? JSON.parse(raw) : raw === "true" ? true : raw === "false" ? false : raw;
                setPath(values, expr.slice(0, at), value);
            }
            assert.deepEqual(values, goldenYaml("velero-helm-install-values.yaml"));
        });
    });

    it("Backup > Cleanup: the backups values, schedule and ttl as the manual writes them", async () => {
        const c = minioConfig();
        c.backup = { enabled: true, schedule: "@weekly", ttl: "60d" };
        const { hopsworks } = await rendered(c);
        assert.deepEqual({ global: { _hopsworks: { backups: hopsworks.global._hopsworks.backups } } }, goldenYaml("cleanup-values.yaml"));
    });

    it("Backup > Configuring Backup: enabled and schedule (the ttl is always set, 60d by default)", async () => {
        const { hopsworks } = await rendered(minioConfig());
        const { ttl, ...backups } = hopsworks.global._hopsworks.backups;
        assert.deepEqual({ global: { _hopsworks: { backups } } }, goldenYaml("configuring-backup-values.yaml"));
        assert.equal(ttl, "60d");
    });

    it("Backup > Cleanup: the lifecycle rule, plus on AWS S3 the abort of incomplete uploads", async () => {
        const { bucket } = await rendered(awsConfig());
        const [rule] = bucket.LifecycleConfiguration.Rules;
        const { AbortIncompleteMultipartUpload, ...manualPart } = rule;
        assert.deepEqual({ Rules: [manualPart] }, JSON.parse(golden("cleanup-lifecycle.json")));
        assert.deepEqual(AbortIncompleteMultipartUpload, { DaysAfterInitiation: 7 });
        assert.equal(bucket.LifecycleConfiguration.Rules.length, 1);
        assert.deepEqual(bucket.Versioning, { Status: "Enabled" });
    });

    it("Backup > Cleanup, bucket managed outside the stack: bucket.json still gives its owner the manual's rule", async () => {
        const c = minioConfig();
        c.storage.manage = false;
        const { bucket } = await rendered(c);
        assert.deepEqual(bucket.LifecycleConfiguration, JSON.parse(golden("cleanup-lifecycle.json")), "an S3-compatible store: exactly the manual's rule");
        assert.deepEqual(bucket.Versioning, { Status: "Enabled" });
        assert.equal(bucket.ManagedOutsideTheStack, true);
    });

    it("Install Velero: the chart values of the manual's helm install, with the plugin at v1.13.2 instead of v1.13.0, plus a kubectl image that exists on Kubernetes 1.34", async () => {
        const { velero } = await rendered(minioConfig());
        const { kubectl, ...manualPart } = velero;
        const manual = goldenYaml("velero-helm-install-values.yaml");
        // The same plugin line the manual pins (1.13, for Velero 1.17), at the release the drill builds and runs.
        assert.equal(manual.initContainers[0].image, "velero/velero-plugin-for-aws:v1.13.0");
        manual.initContainers[0].image = "velero/velero-plugin-for-aws:v1.13.2";
        assert.deepEqual(manualPart, manual);
        assert.deepEqual(kubectl, { image: { repository: "docker.io/bitnamilegacy/kubectl", tag: "1.33" } });
    });

    it("Restore Kubernetes objects: the AWS location with an IAM role", async () => {
        const c = awsConfig();
        const { manifests } = await rendered(c);
        const expected = parse(golden("bsl-iam-role.yaml").replace("REGION", "eu-north-1").replace("BUCKET_NAME", "hopsworks-backups"));
        assert.equal(manifests.length, 1, "no Secret on AWS");
        assert.deepEqual(withoutAdditions(manifests[0]), expected);
        assert.equal(manifests[0].spec.accessMode, "ReadWrite");
    });

    it("Restore Kubernetes objects: the S3-compatible location, its Secret and credentials file", async () => {
        const { manifests } = await rendered(minioConfig());
        const [secret, location] = manifests;
        const expected = parse(
            golden("bsl-s3-compatible.yaml").replace("REGION", "us-east-1").replace("ENDPOINT", "https://minio.example.com:9000").replace("BUCKET_NAME", "hopsworks-test"),
        );
        assert.deepEqual(withoutAdditions(location, ["s3ForcePathStyle", "checksumAlgorithm"]), expected);
        // What S3-compatible stores need beyond the manual's example (FACTS.md, velero#7268).
        assert.equal(location.spec.config.s3ForcePathStyle, "true");
        assert.equal(location.spec.config.checksumAlgorithm, "");
        assert.deepEqual(secret.metadata, { name: "hopsworks-bsl-credentials", namespace: "velero" });
        assert.deepEqual(Object.keys(secret.stringData), ["cloud"]);
        assert.equal(credentialsFile("YOUR_ACCESS_KEY", "YOUR_SECRET_KEY"), golden("bsl-credentials-file.txt"));
    });
});

describe("golden: the manual's restore examples", () => {
    // The manual's script restores each schedule's latest backup (scheduleName): the stack's typed opt-in.
    const LATEST = { latestVeleroBackups: true };
    const cases: [title: string, file: string, restore: Record<string, unknown>][] = [
        ["Restore on Cluster installation", "restore-on-install-values.yaml", { mode: "new-cluster", ...LATEST }],
        ["Customizations: RonDB backup ID", "restore-rondb-override-values.yaml", { mode: "new-cluster", rondbBackupId: "254811140", ...LATEST }],
        ["Customizations: OpenSearch snapshot", "restore-opensearch-override-values.yaml", { mode: "new-cluster", opensearchSnapshot: "254811140", ...LATEST }],
        ["Customizations: skipped indices", "restore-opensearch-skip-indices-values.yaml", { mode: "new-cluster", opensearchSnapshot: "254811140", opensearchSkipIndices: ["myindex"], ...LATEST }],
        [
            "In-Place Restore with Velero backup IDs",
            "in-place-restore-values.yaml",
            {
                mode: "in-place",
                forceDataClear: true,
                confirm: "test/254811200",
                veleroBackups: { main: "k8s-backups-main-20260213T153627Z", users: "k8s-backups-users-resources-20260213T153627Z" },
                // The manual's example pairs backup 254811200 (2025-11-24) with Velero backups of 2026-02-13,
                // outside the window: reproducing it takes the typed acknowledgement.
                veleroBackupsOutsideWindow: "254811200",
            },
        ],
    ];
    for (const [title, file, restore] of cases) {
        it(`${title}: ${file}`, async () => {
            const { hopsworks } = await rendered(restoreStack(restore));
            assert.deepEqual(restoreView(hopsworks), goldenYaml(file));
        });
    }

    it("In-Place Restore: every required flag set, inPlace and forceDataClear true, backup ID a string", async () => {
        const { hopsworks } = await rendered(restoreStack({ mode: "in-place", forceDataClear: true, confirm: "test/254811200", ...LATEST }));
        const at = (dotted: string) => dotted.split(".").reduce((node: any, key) => node?.[key], hopsworks);
        const [backupId, inPlace, forceDataClear] = golden("in-place-required-flags.txt").trim().split("\n").map(at);
        assert.deepEqual([backupId, inPlace, forceDataClear], ["254811200", true, true]);
        assert.equal(hopsworks.hopsworks.velero.restore, undefined, "the optional Velero IDs only when given");
    });

    it("Restore Kubernetes objects: the two Velero Restores of the script, main then users", async () => {
        const { manifests } = await rendered(restoreStack({ mode: "new-cluster", ...LATEST }));
        const restores = manifests.filter((m) => m.kind === "Restore");
        const strip = ({ metadata: { annotations, ...metadata }, ...rest }: any) => ({ ...rest, metadata });
        assert.deepEqual(restores.map(strip), [goldenYaml("velero-restore-main.yaml"), goldenYaml("velero-restore-users.yaml")]);
        assert.deepEqual(restores[0].metadata.annotations, {
            // Any terminal phase ends the wait: FailedValidation has no completionTimestamp in Velero 1.17.
            "pulumi.com/waitFor":
                "jsonpath={$[?@.phase=='Completed' || @.phase=='PartiallyFailed' || @.phase=='Failed' || @.phase=='FailedValidation']}",
            "pulumi.com/timeoutSeconds": "3600",
            // restore.attempt: a new value recreates the Restore, so Velero runs it again.
            "hopsworks-dr.io/restore-attempt": "1",
        });
    });

    it("a specific Velero backup: backupName instead of scheduleName, as the manual says", async () => {
        const veleroBackups = { main: "k8s-backups-main-20260213T153627Z", users: "k8s-backups-users-resources-20260213T153627Z" };
        // The manual's names, of 2026-02-13: outside the window of backup 254811200, hence the acknowledgement.
        const { manifests } = await rendered(restoreStack({ mode: "new-cluster", veleroBackups, veleroBackupsOutsideWindow: "254811200" }));
        const restores = manifests.filter((m) => m.kind === "Restore");
        assert.deepEqual(restores.map((r) => r.spec), [{ backupName: veleroBackups.main }, { backupName: veleroBackups.users }]);
    });
});

function setPath(target: any, dotted: string, value: unknown): void {
    const keys = dotted.split(".").flatMap((k) => k.split(/\[(\d+)\]/).filter(Boolean));
    keys.reduce((node, key, i) => {
        const next = keys[i + 1];
        if (i === keys.length - 1) node[key] = value;
        else node[key] ??= /^\d+$/.test(next) ? [] : {};
        return node[key];
    }, target);
}
