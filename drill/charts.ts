import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { gzipSync } from "zlib";
import { parse, parseAllDocuments, stringify } from "yaml";

/**
 * The drill's loopback Helm repository: the stand-in charts of drill/charts/ packaged as
 * `<name>-<version>.tgz` with an index.yaml, for a local HTTP server to serve at `baseUrl`. The
 * program then installs them as it would the real charts (a Helm repository URL, a chart name and
 * a version).
 */

/** The stand-in charts, one folder each. */
export const CHARTS_DIR = path.join(__dirname, "charts");
export const CHART_NAMES = ["hopsworks", "velero"] as const;
/**
 * Versions a chart folder is packaged at beyond its Chart.yaml's own: the Hopsworks stand-in is
 * also served as 5.2.0, whose templates add Superset (they test `.Chart.Version`), so the drill
 * can upgrade a stack from 4.8 to 5.2 as a user would.
 */
export const EXTRA_VERSIONS: Partial<Record<(typeof CHART_NAMES)[number], string[]>> = { hopsworks: ["5.2.0"] };
/** The chart whose packaged copy gets the CRDs (the repository copy has no crds/ folder). */
export const CRD_CHART = "velero";

export interface ChartRepositoryOptions {
    /** Where the archives and index.yaml are written (created if missing). */
    outDir: string;
    /**
     * The Velero CRDs as YAML: `velero install --crds-only --dry-run -o yaml` prints one `List`;
     * several documents, or documents of kind List, are accepted too. Each CRD becomes
     * `crds/<metadata.name>.yaml` in the packaged velero chart.
     */
    crdsYaml: string;
    /** The URL the repository is served at, e.g. http://127.0.0.1:8879 (index.yaml is at <baseUrl>/index.yaml). */
    baseUrl: string;
    /** The index's `created`/`generated` time; defaults to now. */
    now?: Date;
}

export interface PackagedChart {
    name: string;
    version: string;
    appVersion?: string;
    /** Absolute path of the archive. */
    file: string;
    url: string;
    /** sha256 of the archive, hex, as index.yaml gives it. */
    digest: string;
}

export interface ChartRepository {
    outDir: string;
    indexPath: string;
    /** Each chart at its Chart.yaml's version. */
    charts: Record<(typeof CHART_NAMES)[number], PackagedChart>;
    /** Every packaged version of each chart, the Chart.yaml's first, then EXTRA_VERSIONS. */
    versions: Record<(typeof CHART_NAMES)[number], PackagedChart[]>;
    /** The CRD names written into the velero chart's crds/, sorted. */
    crds: string[];
}

type Json = Record<string, any>;

/** Builds the repository; throws with a one-line reason on bad CRD YAML or a broken chart folder. */
export function buildChartRepository(options: ChartRepositoryOptions): ChartRepository {
    const outDir = path.resolve(options.outDir);
    const baseUrl = options.baseUrl.replace(/\/+$/, "");
    const now = (options.now ?? new Date()).toISOString();
    const crds = crdDocuments(options.crdsYaml);
    fs.mkdirSync(outDir, { recursive: true });
    const staging = fs.mkdtempSync(path.join(outDir, ".staging-"));
    try {
        const charts = {} as ChartRepository["charts"];
        const versions = {} as ChartRepository["versions"];
        const entries: Record<string, Json[]> = {};
        for (const name of CHART_NAMES) {
            const source = path.join(CHARTS_DIR, name);
            const metadata = readChartYaml(source);
            if (metadata.name !== name) throw new Error(`${source}/Chart.yaml: name is ${JSON.stringify(metadata.name)}, expected ${name}`);
            const copy = path.join(staging, name);
            fs.cpSync(source, copy, { recursive: true });
            if (name === CRD_CHART) writeCrds(copy, crds);
            versions[name] = [];
            entries[name] = [];
            for (const version of [metadata.version as string, ...(EXTRA_VERSIONS[name] ?? [])]) {
                const own = version === metadata.version;
                const packed = own ? metadata : { ...metadata, version, appVersion: version, description: String(metadata.description).replaceAll(metadata.version, version) };
                if (!own) fs.writeFileSync(path.join(copy, "Chart.yaml"), stringify(packed));
                const fileName = `${name}-${version}.tgz`;
                const file = path.join(outDir, fileName);
                fs.writeFileSync(file, packChart(staging, name));
                const digest = createHash("sha256").update(fs.readFileSync(file)).digest("hex");
                const url = `${baseUrl}/${fileName}`;
                versions[name].push({ name, version, appVersion: packed.appVersion, file, url, digest });
                entries[name].push({ ...packed, urls: [url], created: now, digest });
            }
            charts[name] = versions[name][0];
        }
        const indexPath = path.join(outDir, "index.yaml");
        // YAML 1.1 quoting, as Helm's Go parser reads YAML 1.1: times and strings such as "yes" stay strings.
        fs.writeFileSync(indexPath, stringify({ apiVersion: "v1", entries, generated: now }, { version: "1.1" }));
        return { outDir, indexPath, charts, versions, crds: crds.map((c) => c.metadata.name).sort() };
    } finally {
        fs.rmSync(staging, { recursive: true, force: true });
    }
}

/** Chart.yaml as Helm's index entries repeat it: every metadata field, the versions as strings. */
function readChartYaml(chartDir: string): Json {
    const file = path.join(chartDir, "Chart.yaml");
    const metadata = parse(fs.readFileSync(file, "utf8")) as Json;
    if (metadata?.apiVersion !== "v2" || !metadata.name || !metadata.version) {
        throw new Error(`${file}: not a Helm 3 chart (apiVersion v2 with a name and a version)`);
    }
    for (const key of ["version", "appVersion"]) if (metadata[key] !== undefined) metadata[key] = String(metadata[key]);
    return metadata;
}

/** The CRDs in `yaml`, Lists flattened; anything that is not a CRD with a name is an error. */
export function crdDocuments(yaml: string): Json[] {
    const crds: Json[] = [];
    const add = (object: Json, where: string) => {
        if (object?.kind === "List" || (typeof object?.kind === "string" && object.kind.endsWith("List") && Array.isArray(object.items))) {
            (object.items as Json[]).forEach((item, i) => add(item, `${where}, item ${i}`));
            return;
        }
        if (object?.apiVersion !== "apiextensions.k8s.io/v1" || object.kind !== "CustomResourceDefinition") {
            const what = `kind ${JSON.stringify(object?.kind ?? null)}, apiVersion ${JSON.stringify(object?.apiVersion ?? null)}`;
            throw new Error(`CRD YAML ${where}: ${what} is not an apiextensions.k8s.io/v1 CustomResourceDefinition`);
        }
        const name = object.metadata?.name;
        if (typeof name !== "string" || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) {
            throw new Error(`CRD YAML ${where}: metadata.name ${JSON.stringify(name)} is not a CRD name`);
        }
        if (crds.some((c) => c.metadata.name === name)) throw new Error(`CRD YAML ${where}: ${name} appears twice`);
        crds.push(object);
    };
    parseAllDocuments(yaml).forEach((doc, i) => {
        if (doc.errors.length > 0) throw new Error(`CRD YAML document ${i}: ${doc.errors[0].message}`);
        const object = doc.toJS();
        if (object !== null && object !== undefined) add(object, `document ${i}`);
    });
    if (crds.length === 0) throw new Error("CRD YAML holds no CustomResourceDefinition");
    return crds;
}

function writeCrds(chartCopy: string, crds: Json[]): void {
    const dir = path.join(chartCopy, "crds");
    if (fs.existsSync(dir)) throw new Error(`${path.join(CHARTS_DIR, CRD_CHART)} has a crds/ folder: the CRDs come from crdsYaml only`);
    fs.mkdirSync(dir);
    for (const crd of crds) fs.writeFileSync(path.join(dir, `${crd.metadata.name}.yaml`), stringify(crd));
}

/**
 * `<name>/...` as the archive's only top-level folder, as `helm package` makes it. Entries are
 * sorted with fixed owners and times, and gzip gets no name or time, so the same charts and CRDs
 * always give the same digest.
 */
function packChart(stagingDir: string, name: string): Buffer {
    const tar = execFileSync(
        "tar",
        ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "--format=ustar", "-cf", "-", "-C", stagingDir, name],
        { maxBuffer: 256 * 1024 * 1024 },
    );
    return gzipSync(tar, { level: 9 });
}
