import assert from "assert/strict";
import Ajv from "ajv";
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { buildChartRepository, ChartRepository, CHART_NAMES, CHARTS_DIR, crdDocuments } from "../../drill/charts";
import { renderStack } from "../../render/render";
import { restoreValues } from "../../stacks/plan/restore";
import { objectStorageValues } from "../../stacks/plan/hopsworks";
import { readStackConfig } from "../../stacks/config/stack-config";
import { readStackFile, StackFile } from "../../stacks/config/stack-file";
import { awsConfig, minioConfig, PROJECT_DIR, SHARED_DIR, source, stackFile, vaultConfig, BREAK_GLASS } from "../support/stacks";
import { DEFAULTS } from "../../stacks/config/defaults";

type Json = Record<string, any>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** Two tiny CRDs, as `velero install --crds-only --dry-run -o yaml` would print more of them. */
const crd = (plural: string, kind: string) => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.velero.io`, labels: { component: "velero" } },
    spec: {
        group: "velero.io",
        names: { kind, plural, listKind: `${kind}List`, singular: kind.toLowerCase() },
        scope: "Namespaced",
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
    },
});
const FAKE_CRDS = [crd("backups", "Backup"), crd("schedules", "Schedule")];
const FAKE_CRDS_YAML = `---\n${FAKE_CRDS.map((c) => JSON.stringify(c)).join("\n---\n")}\n`;
const BASE_URL = "http://127.0.0.1:8879/charts/";

function tarList(file: string): string[] {
    return execFileSync("tar", ["tzf", file], { encoding: "utf8" }).split("\n").filter(Boolean);
}

function tarRead(file: string, member: string): string {
    return execFileSync("tar", ["xzf", file, "-O", member], { encoding: "utf8" });
}

/** Every file under `dir`, relative, with / separators. */
function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
        .sort();
}

const chartYaml = (name: string): Json => parse(fs.readFileSync(path.join(CHARTS_DIR, name, "Chart.yaml"), "utf8"));
const chartValues = (name: string): Json => parse(fs.readFileSync(path.join(CHARTS_DIR, name, "values.yaml"), "utf8"));

describe("drill: the loopback chart repository", function () {
    let outDir: string;
    let repo: ChartRepository;
    let index: Json;

    before(function () {
        outDir = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-charts-"));
        repo = buildChartRepository({ outDir, crdsYaml: FAKE_CRDS_YAML, baseUrl: BASE_URL, now: new Date("2026-01-02T03:04:05Z") });
        index = parse(fs.readFileSync(repo.indexPath, "utf8"));
    });

    after(function () {
        if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
    });

    it("writes the archives and index.yaml into outDir, and nothing else", function () {
        assert.equal(repo.indexPath, path.join(outDir, "index.yaml"));
        assert.deepEqual(fs.readdirSync(outDir).sort(), ["hopsworks-4.8.0.tgz", "hopsworks-5.2.0.tgz", "index.yaml", "velero-11.2.0.tgz"]);
        assert.equal(repo.charts.velero.file, path.join(outDir, "velero-11.2.0.tgz"));
        assert.equal(repo.charts.hopsworks.file, path.join(outDir, "hopsworks-4.8.0.tgz"));
        assert.deepEqual(repo.crds, ["backups.velero.io", "schedules.velero.io"]);
    });

    it("writes a Helm index: apiVersion v1, one entry per chart with its metadata, url, digest and created", function () {
        assert.equal(index.apiVersion, "v1");
        assert.equal(index.generated, "2026-01-02T03:04:05.000Z");
        assert.deepEqual(Object.keys(index.entries).sort(), [...CHART_NAMES].sort());
        for (const name of CHART_NAMES) {
            const metadata = chartYaml(name);
            assert.equal(index.entries[name].length, name === "hopsworks" ? 2 : 1, `${name}: its Chart.yaml's version (and 5.2.0 for hopsworks)`);
            const entry = index.entries[name][0];
            assert.equal(entry.apiVersion, "v2");
            assert.equal(entry.name, name);
            assert.equal(entry.version, String(metadata.version));
            assert.equal(entry.appVersion, String(metadata.appVersion));
            assert.equal(entry.description, metadata.description);
            assert.equal(entry.created, "2026-01-02T03:04:05.000Z");
            // The base URL's trailing slash is not doubled.
            assert.deepEqual(entry.urls, [`http://127.0.0.1:8879/charts/${name}-${metadata.version}.tgz`]);
            assert.equal(entry.urls[0], repo.charts[name].url);
            const digest = createHash("sha256").update(fs.readFileSync(repo.charts[name].file)).digest("hex");
            assert.equal(entry.digest, digest, `${name}: digest is the archive's sha256`);
            assert.equal(repo.charts[name].digest, digest);
        }
        assert.equal(index.entries.velero[0].kubeVersion, ">=1.16.0-0");
        // Quoted, so that a YAML 1.1 reader (Helm's) does not take it for a timestamp.
        assert.match(fs.readFileSync(repo.indexPath, "utf8"), /created: "2026-01-02T03:04:05.000Z"/);
    });

    it("serves the Hopsworks stand-in at 5.2.0 too: the same files, Chart.yaml at 5.2.0, its own index entry", function () {
        const [own, newer] = repo.versions.hopsworks;
        assert.deepEqual([own.version, newer.version, newer.appVersion], ["4.8.0", "5.2.0", "5.2.0"]);
        const chart = parse(tarRead(newer.file, "hopsworks/Chart.yaml"));
        assert.deepEqual([chart.name, chart.version, chart.appVersion], ["hopsworks", "5.2.0", "5.2.0"]);
        assert.match(chart.description, /5\.2\.0/);
        assert.deepEqual(tarList(newer.file), tarList(own.file));
        for (const template of filesUnder(path.join(CHARTS_DIR, "hopsworks")).filter((f) => f.startsWith("templates/"))) {
            assert.equal(tarRead(newer.file, `hopsworks/${template}`), tarRead(own.file, `hopsworks/${template}`));
        }
        const entry = index.entries.hopsworks.find((e: Json) => e.version === "5.2.0");
        assert.deepEqual(entry.urls, [newer.url]);
        assert.equal(entry.digest, createHash("sha256").update(fs.readFileSync(newer.file)).digest("hex"));
    });

    it("packs each chart under one top-level folder named after it, as helm package does", function () {
        for (const name of CHART_NAMES) {
            const entries = tarList(repo.charts[name].file);
            const outside = entries.filter((e) => !e.startsWith(`${name}/`));
            assert.deepEqual(outside, [], `${name}: entries outside ${name}/`);
            assert.ok(entries.includes(`${name}/Chart.yaml`) && entries.includes(`${name}/values.yaml`), `${name}: Chart.yaml and values.yaml`);
        }
    });

    it("includes every file of each chart folder, every template among them", function () {
        for (const name of CHART_NAMES) {
            const files = filesUnder(path.join(CHARTS_DIR, name));
            const templates = files.filter((f) => f.startsWith("templates/"));
            assert.ok(templates.length >= 3, `${name}: templates found: ${templates.join(", ")}`);
            const archived = new Set(tarList(repo.charts[name].file));
            const missing = files.filter((f) => !archived.has(`${name}/${f}`));
            assert.deepEqual(missing, [], `${name}: not archived`);
            for (const template of templates) {
                assert.equal(tarRead(repo.charts[name].file, `${name}/${template}`), fs.readFileSync(path.join(CHARTS_DIR, name, template), "utf8"));
            }
        }
    });

    it("adds the CRDs to the packaged velero chart only, one file per CRD named by metadata.name", function () {
        const velero = tarList(repo.charts.velero.file).filter((e) => e.startsWith("velero/crds/") && !e.endsWith("/"));
        assert.deepEqual(velero.sort(), ["velero/crds/backups.velero.io.yaml", "velero/crds/schedules.velero.io.yaml"]);
        for (const expected of FAKE_CRDS) {
            const text = tarRead(repo.charts.velero.file, `velero/crds/${expected.metadata.name}.yaml`);
            assert.deepEqual(parse(text), expected);
        }
        assert.deepEqual(tarList(repo.charts.hopsworks.file).filter((e) => e.includes("/crds/")), []);
    });

    it("leaves the repository's velero chart without a crds/ folder", function () {
        assert.equal(fs.existsSync(path.join(CHARTS_DIR, "velero", "crds")), false);
    });

    it("gives the same digests when built again (sorted entries, fixed times and owners)", function () {
        const again = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-charts-"));
        try {
            const second = buildChartRepository({ outDir: again, crdsYaml: FAKE_CRDS_YAML, baseUrl: "http://localhost:1" });
            for (const name of CHART_NAMES) assert.equal(second.charts[name].digest, repo.charts[name].digest, name);
            assert.deepEqual(fs.readdirSync(again).filter((f) => f.startsWith(".")), [], "no staging folder left behind");
        } finally {
            fs.rmSync(again, { recursive: true, force: true });
        }
    });

    describe("CRD YAML", function () {
        it("accepts the List that `velero install --crds-only --dry-run -o yaml` prints", function () {
            const list = `apiVersion: v1\nkind: List\nitems:\n${FAKE_CRDS.map((c) => `- ${JSON.stringify(c)}`).join("\n")}\n`;
            assert.deepEqual(crdDocuments(list).map((c) => c.metadata.name), ["backups.velero.io", "schedules.velero.io"]);
        });

        it("skips empty documents", function () {
            assert.equal(crdDocuments(`---\n---\n${JSON.stringify(FAKE_CRDS[0])}\n---\n`).length, 1);
        });

        it("refuses YAML with no CRD, an object that is not a CRD, a CRD twice, or a nameless CRD", function () {
            assert.throws(() => crdDocuments(""), /holds no CustomResourceDefinition/);
            assert.throws(() => crdDocuments("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"), /document 0: kind "ConfigMap", apiVersion "v1" is not an apiextensions/);
            assert.throws(() => crdDocuments(`${JSON.stringify(FAKE_CRDS[0])}\n---\n${JSON.stringify(FAKE_CRDS[0])}\n`), /backups\.velero\.io appears twice/);
            const nameless = { ...FAKE_CRDS[0], metadata: {} };
            assert.throws(() => crdDocuments(JSON.stringify(nameless)), /metadata\.name undefined is not a CRD name/);
            assert.throws(() => crdDocuments("a: [unclosed"), /CRD YAML document 0:/);
        });

        it("writes nothing when the CRD YAML is refused", function () {
            const dir = path.join(os.tmpdir(), `hopsworks-dr-charts-refused-${process.pid}`);
            try {
                assert.throws(() => buildChartRepository({ outDir: dir, crdsYaml: "kind: Pod\n", baseUrl: BASE_URL }), /not an apiextensions/);
                assert.equal(fs.existsSync(dir), false);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });
});

describe("drill: the stand-in charts match what the program deploys", function () {
    it("parses each chart's Chart.yaml (apiVersion v2) and values.yaml", function () {
        for (const name of CHART_NAMES) {
            assert.equal(chartYaml(name).apiVersion, "v2", name);
            assert.ok(isObject(chartValues(name)), `${name}/values.yaml is a mapping`);
        }
    });

    it("gives the velero chart the version the program deploys by default (stacks/config/defaults.ts DEFAULTS)", function () {
        const chart = chartYaml("velero");
        assert.equal(chart.name, "velero");
        assert.equal(String(chart.version), DEFAULTS.veleroChartVersion);
        assert.equal(String(chart.appVersion), "1.17.1");
        assert.equal(chart.kubeVersion, ">=1.16.0-0");
        assert.equal(chartValues("velero").image.tag, `v${chart.appVersion}`);
    });

    it("gives the hopsworks chart the version Pulumi.dev.yaml deploys", function () {
        const dev = readStackFile(path.join(PROJECT_DIR, "Pulumi.dev.yaml"));
        const hopsworks = dev.config["hopsworks-dr:hopsworks"] as Json;
        const chart = chartYaml("hopsworks");
        assert.equal(chart.name, DEFAULTS.hopsworksChart);
        assert.equal(String(chart.version), String(hopsworks.chartVersion));
        assert.equal(String(chart.appVersion), String(hopsworks.version));
    });

    describe("the hopsworks stand-in's values.schema.json", function () {
        const ajv = new Ajv({ strict: false, allErrors: true });
        const schema = () => ajv.compile(JSON.parse(fs.readFileSync(path.join(CHARTS_DIR, "hopsworks", "values.schema.json"), "utf8")));

        it("accepts the chart's defaults and every restore the program can send", function () {
            const validate = schema();
            const defaults = chartValues("hopsworks");
            assert.ok(validate(defaults), ajv.errorsText(validate.errors));
            const restores = [
                restoreValues({ mode: "new-cluster", source: "primary", backupId: "254811200", opensearchSkipIndices: [], veleroBackups: {}, forceDataClear: false, attempt: 1 }),
                restoreValues({
                    mode: "in-place",
                    source: "primary",
                    backupId: "254811200",
                    rondbBackupId: "254811140",
                    opensearchSnapshot: "254811100",
                    opensearchSkipIndices: ["myindex"],
                    veleroBackups: { main: "k8s-backups-main-20260213153627" },
                    forceDataClear: true,
                    attempt: 1,
                }),
            ];
            // restore.source: vault also sends the vault as the HopsFS object storage (stacks/plan/hopsworks.ts).
            const fromVault = vaultConfig();
            fromVault.restore = { mode: "new-cluster", source: "vault", backupId: "254811200", backupHopsworksVersion: "4.8.0", latestVeleroBackups: true };
            const vaultStorage = objectStorageValues(readStackConfig(source(fromVault)));
            assert.notDeepEqual(vaultStorage, {});
            restores.push(vaultStorage as (typeof restores)[number]);
            for (const values of restores) {
                const merged = coalesce(defaults, values);
                assert.ok(validate(merged), `${JSON.stringify(values)}: ${ajv.errorsText(validate.errors)}`);
            }
        });

        it("refuses a RonDB backup ID given as a number, as the RonDB schema does", function () {
            const validate = schema();
            const merged = coalesce(chartValues("hopsworks"), { rondb: { rondb: { restoreFromBackup: { backupId: 254811200 } } } });
            assert.equal(validate(merged), false);
            assert.match(ajv.errorsText(validate.errors), /restoreFromBackup\/backupId must be string,null/);
        });
    });
});

/** Helm coalesces user values over the chart's defaults; null deletes a default. */
function coalesce(defaults: unknown, overrides: unknown): unknown {
    if (overrides === undefined) return defaults;
    if (!isObject(defaults) || !isObject(overrides)) return overrides;
    const merged: Json = { ...defaults };
    for (const [key, value] of Object.entries(overrides)) {
        if (value === null) delete merged[key];
        else merged[key] = coalesce(defaults[key], value);
    }
    return merged;
}

/** Every leaf of `values` (scalars, lists and empty maps) by key path (keys may hold dots: prometheus.io/port). */
function leaves(values: unknown, prefix: string[] = []): [string[], unknown][] {
    if (!isObject(values) || (Object.keys(values).length === 0 && prefix.length > 0)) return [[prefix, values]];
    return Object.entries(values).flatMap(([key, value]) => leaves(value, [...prefix, key]));
}

function has(values: unknown, keys: string[]): boolean {
    let current: unknown = values;
    for (const key of keys) {
        if (!isObject(current) || !(key in current)) return false;
        current = current[key];
    }
    return true;
}

function at(values: unknown, keys: string[]): unknown {
    return keys.reduce<unknown>((current, key) => (isObject(current) ? current[key] : undefined), values);
}

const shown = (keys: string[]) => keys.join(".");

/**
 * Against ../shared/upstream (real chart files beside the project): the stand-ins may only use
 * real keys with the real defaults. A user's clone has no ../shared: the suite then skips.
 */
describe("drill: the stand-in charts against the upstream charts", function () {
    const UPSTREAM = path.join(SHARED_DIR, "upstream");
    const VELERO_CHART = path.join(UPSTREAM, "velero", "chart");
    const HOPSWORKS = path.join(UPSTREAM, "hopsworks");

    before(function () {
        if (!fs.existsSync(UPSTREAM)) {
            console.log(`skipping upstream chart checks: ${UPSTREAM} not found (a user's clone has no ../shared)`);
            this.skip();
        }
    });

    describe("velero", function () {
        let realValues: Json;
        let validate: (data: unknown) => boolean;
        let errors: () => string;

        before(function () {
            realValues = parse(fs.readFileSync(path.join(VELERO_CHART, "values.yaml"), "utf8"));
            const ajv = new Ajv({ strict: false, allErrors: true });
            const compiled = ajv.compile(JSON.parse(fs.readFileSync(path.join(VELERO_CHART, "values.schema.json"), "utf8")));
            validate = (data) => compiled(data);
            errors = () => ajv.errorsText(compiled.errors, { separator: "\n    " });
        });

        it("has the real Chart.yaml's name, version, appVersion and kubeVersion", function () {
            const real = parse(fs.readFileSync(path.join(VELERO_CHART, "Chart.yaml"), "utf8"));
            const standIn = chartYaml("velero");
            for (const key of ["apiVersion", "name", "version", "appVersion", "kubeVersion"]) {
                assert.equal(String(standIn[key]), String(real[key]), key);
            }
        });

        it("sets only keys of the real values.yaml, each with the real default", function () {
            const problems = leaves(chartValues("velero")).flatMap(([keys, value]) => {
                if (!has(realValues, keys)) return [`${shown(keys)}: not in the real values.yaml`];
                const real = at(realValues, keys);
                return JSON.stringify(real) === JSON.stringify(value) ? [] : [`${shown(keys)}: ${JSON.stringify(value)}, real default ${JSON.stringify(real)}`];
            });
            assert.deepEqual(problems, [], problems.join("\n"));
        });

        it("passes the real values.schema.json on its own", function () {
            assert.ok(validate(chartValues("velero")), errors());
        });

        const STACKS: { title: string; file: () => StackFile }[] = [
            { title: "the repo's Pulumi.dev.yaml", file: () => readStackFile(path.join(PROJECT_DIR, "Pulumi.dev.yaml")) },
            { title: "MinIO with access keys", file: () => stackFile(minioConfig()) },
            { title: "AWS with an existing IAM role", file: () => stackFile(awsConfig()) },
            {
                title: "AWS with an IRSA role the stack creates",
                file: () =>
                    stackFile({
                        ...awsConfig(),
                        storage: {
                            bucket: "hopsworks-backups",
                            region: "eu-north-1",
                            breakGlassPrincipals: [BREAK_GLASS],
                            irsa: {
                                oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-north-1.amazonaws.com/id/ABC",
                                oidcProviderUrl: "https://oidc.eks.eu-north-1.amazonaws.com/id/ABC",
                            },
                        },
                    }),
            },
            {
                title: "a Velero image by digest and another kubectl image",
                file: () =>
                    stackFile({
                        ...minioConfig(),
                        velero: { image: `velero/velero@sha256:${"a".repeat(64)}`, kubectlImageRepository: "alpine/k8s", kubectlImageTag: "1.34.2" },
                    }),
            },
            { title: "upgradeCRDs off", file: () => stackFile({ ...minioConfig(), velero: { upgradeCRDs: false } }) },
        ];

        for (const stack of STACKS) {
            it(`merged with the program's Velero values for ${stack.title}, passes the real values.schema.json`, async function () {
                const rendered = await renderStack(stack.file());
                const programValues = parse(rendered.files["velero-values.yaml"]);
                assert.ok(isObject(programValues), "velero-values.yaml is a mapping");
                const merged = coalesce(chartValues("velero"), programValues);
                assert.ok(validate(merged), errors());
                // The stand-in reads every key the program sets (its templates would ignore others).
                const unread = leaves(programValues).map(([keys]) => keys).filter((keys) => !has(chartValues("velero"), keys.slice(0, 1))).map(shown);
                assert.deepEqual(unread, [], `program values the stand-in has no default for: ${unread.join(", ")}`);
            });
        }

        it("the schema check rejects what the real chart rejects (control: snapshotsEnabled \"no\")", function () {
            assert.equal(validate(coalesce(chartValues("velero"), { snapshotsEnabled: "no" })), false);
            assert.match(errors(), /snapshotsEnabled must be boolean/);
        });
    });

    describe("hopsworks", function () {
        it("sets real keys only (outside standIn), each with the documented default", function () {
            const transcribed = parse(fs.readFileSync(path.join(HOPSWORKS, "hopsworks-chart-backup-restore-defaults.yaml"), "utf8"));
            const rondb = parse(fs.readFileSync(path.join(HOPSWORKS, "rondb-helm-0.8.0", "values.yaml"), "utf8"));
            const problems = leaves(chartValues("hopsworks"))
                .filter(([keys]) => keys[0] !== "standIn")
                .flatMap(([keys, value]) => {
                    // RonDB subchart keys missing from the transcription come from its own values.yaml.
                    const fromRondb = !has(transcribed, keys) && keys[0] === "rondb" && keys[1] === "rondb";
                    const [source, sourceKeys] = fromRondb ? [rondb, keys.slice(2)] : [transcribed, keys];
                    if (!has(source, sourceKeys)) return [`${shown(keys)}: not a documented key`];
                    const real = at(source, sourceKeys);
                    return JSON.stringify(real) === JSON.stringify(value) ? [] : [`${shown(keys)}: ${JSON.stringify(value)}, documented default ${JSON.stringify(real)}`];
                });
            assert.deepEqual(problems, [], problems.join("\n"));
        });
    });
});

/** The Velero objects the hopsworks chart names must be the ones the program and CLI look for. */
describe("drill: names the hopsworks stand-in shares with the program", function () {
    it("uses the program's schedule and location names as its defaults", async function () {
        const { VELERO_SCHEDULES, LOCATION_NAME, LOCATION_PREFIX } = await import("../../stacks/names");
        const backup = chartValues("hopsworks").hopsworks.velero.backup;
        assert.equal(backup.mainScheduleName, VELERO_SCHEDULES.main);
        assert.equal(backup.usersScheduleName, VELERO_SCHEDULES.users);
        assert.equal(backup.storageLocation.name, LOCATION_NAME);
        assert.equal(backup.storageLocation.storagePrefix, LOCATION_PREFIX);
    });

    it("uses the metadata ConfigMap names the CLI reads", async function () {
        const { METADATA_CONFIGMAP } = await import("../../stacks/catalogue/restore-points");
        const configMap = chartValues("hopsworks").global._hopsworks.backups.metadataStore.configMap;
        assert.equal(configMap.ronDB, METADATA_CONFIGMAP.rondb);
        assert.equal(configMap.opensearch, METADATA_CONFIGMAP.opensearch);
    });

    it("selects the users backup by the label its README documents", function () {
        const helpers = fs.readFileSync(path.join(CHARTS_DIR, "hopsworks", "templates", "_helpers.tpl"), "utf8");
        const readme = fs.readFileSync(path.join(CHARTS_DIR, "hopsworks", "README.md"), "utf8");
        assert.match(helpers, /define "hopsworks.usersBackupLabelKey" -}}hopsworks\.ai\/backup{{- end/);
        assert.match(helpers, /define "hopsworks.usersBackupLabelValue" -}}users{{- end/);
        assert.match(readme, /`hopsworks\.ai\/backup=users`/);
    });

    it("has no tabs and paired {{ }} in any template (no Helm here to render them)", function () {
        for (const name of CHART_NAMES) {
            for (const file of filesUnder(path.join(CHARTS_DIR, name, "templates")).filter((f) => f.endsWith(".yaml"))) {
                const text = fs.readFileSync(path.join(CHARTS_DIR, name, "templates", file), "utf8");
                assert.ok(!text.includes("\t"), `${name}/templates/${file}: a tab`);
                const opens = (text.match(/{{/g) ?? []).length;
                const closes = (text.match(/}}/g) ?? []).length;
                assert.equal(opens, closes, `${name}/templates/${file}: {{ and }} do not pair up`);
            }
        }
    });
});
