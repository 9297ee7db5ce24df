import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { LIMITS } from "./limits";
import { ConfigReader, show } from "./reader";
import { yamlErrorText } from "./values-files";

/**
 * Where a Helm chart comes from (velero.repo, hopsworks.repo), and how a
 * kubernetes.helm.v3.Release is told. One helper for both releases:
 *
 * - `https://` or `http://`: a chart repository (it serves index.yaml). The release gets
 *   `chart: <name>` and `repositoryOpts.repo: <url>`.
 * - `oci://<registry>/<path>`: an OCI registry path that holds the chart, as `helm push` names
 *   it; the chart name is appended. The release gets `chart: oci://<registry>/<path>/<name>` and
 *   no `repositoryOpts.repo`: with one, the provider looks up an index.yaml, which registries do
 *   not serve (pulumi-kubernetes provider/pkg/provider/helm_release.go). The value names the
 *   repository rather than the chart so that moving a stack between an https and an OCI source
 *   changes only `repo`, as with Helm's `oci://<registry>/<path>` + chart name.
 * - anything else is a local chart: a directory with a Chart.yaml, or a packaged `.tgz`. A
 *   relative path is taken from the project folder and made absolute. The release gets
 *   `chart: <absolute path>` and no repository.
 */
export type ChartSourceKind = "repository" | "oci" | "local";

export const CHART_SOURCE_FORMS =
    "an https:// or http:// chart repository URL, an oci://<registry>/<path> registry path (the chart name is appended), " +
    "or a local chart directory or .tgz file (relative to the project folder)";

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

export function chartSourceKind(source: string): ChartSourceKind {
    const scheme = SCHEME.exec(source)?.[1].toLowerCase();
    if (scheme === "https" || scheme === "http") return "repository";
    if (scheme === "oci") return "oci";
    return "local";
}

/** What a kubernetes.helm.v3.Release needs for a chart `name` from `source` (as checkChartSource returned it). */
export function releaseChart(source: string, name: string): { chart: string; repo?: string } {
    switch (chartSourceKind(source)) {
        case "repository":
            return { chart: name, repo: source };
        case "oci":
            return { chart: `${source.replace(/\/+$/, "")}/${name}` };
        case "local":
            return { chart: source };
    }
}

/** The chart the config expects at the source: its name (appended for OCI) and version. */
export interface ExpectedChart {
    name: string;
    version?: string;
    /** Where a repository login goes instead of the URL, for the refusal of a URL with credentials. */
    login: string;
}

/**
 * Checks a chart source from config: `{ source }` is what the release gets (a local path made
 * absolute), or `{ problem }` says what is wrong and lists the accepted forms. A URL carrying
 * credentials is never echoed: they belong in the secret repoUsername and repoPassword.
 */
export function checkChartSource(value: string, projectDir: string, expected: ExpectedChart): { source: string } | { problem: string } {
    const scheme = SCHEME.exec(value)?.[1].toLowerCase();
    const forms = `; give ${CHART_SOURCE_FORMS}`;
    if (scheme !== undefined) {
        if (!["https", "http", "oci"].includes(scheme)) return { problem: `${show(value)}: ${scheme}:// is not a chart source${forms}` };
        let url: URL;
        try {
            url = new URL(value);
        } catch {
            return { problem: `${show(value)}: not a valid URL${forms}` };
        }
        if (url.username !== "" || url.password !== "") {
            url.username = url.username ? "***" : "";
            url.password = url.password ? "***" : "";
            return {
                problem:
                    `${show(url.toString())}: must not carry credentials (they would be stored and shown in plain text); ${expected.login}`,
            };
        }
        if (url.hostname === "") return { problem: `${show(value)}: names no host${forms}` };
        if (scheme === "oci") {
            const last = url.pathname.replace(/\/+$/, "").split("/").pop() ?? "";
            if (value.includes("@") || last.includes(":")) {
                return {
                    problem:
                        `${show(value)}: an oci:// source names the registry path without a tag or digest; ` +
                        `the chart's version is the chartVersion key`,
                };
            }
            return { source: value.replace(/\/+$/, "") };
        }
        return { source: value };
    }
    const absolute = path.resolve(projectDir, value);
    let stat: fs.Stats;
    try {
        stat = fs.statSync(absolute);
    } catch {
        return { problem: `${show(value)}: no such chart directory or file (looked for ${absolute})${forms}` };
    }
    if (stat.isDirectory()) {
        const chartYaml = path.join(absolute, "Chart.yaml");
        if (!fs.existsSync(chartYaml)) return { problem: `${show(value)}: the directory ${absolute} has no Chart.yaml, so it is not a chart${forms}` };
        let version: unknown;
        try {
            version = parse(fs.readFileSync(chartYaml, "utf8"))?.version;
        } catch (error) {
            return { problem: `${show(value)}: ${chartYaml} is not valid YAML: ${yamlErrorText(error)}` };
        }
        if (expected.version !== undefined && version !== undefined && String(version) !== expected.version) {
            return {
                problem:
                    `${show(value)}: ${chartYaml} is version ${show(String(version))}, but the stack deploys chart version ` +
                    `${JSON.stringify(expected.version)}; a local chart is used as it is, so make the two agree`,
            };
        }
        return { source: absolute };
    }
    if (!absolute.endsWith(".tgz")) return { problem: `${show(value)}: ${absolute} is a file but not a packaged chart (.tgz)${forms}` };
    return { source: absolute };
}

/** A warning for an oci:// source that already ends with the chart name: the name is appended once more. */
export function chartSourceWarning(key: string, source: string, name: string): string | undefined {
    if (chartSourceKind(source) !== "oci" || !source.endsWith(`/${name}`)) return undefined;
    return (
        `${key} ${source} ends with the chart name, which is appended: the chart is pulled from ${source}/${name}. ` +
        `If ${source} is the chart itself, set ${key} to ${source.slice(0, -name.length - 1)}`
    );
}

/** A chart source key (velero.repo, hopsworks.repo), checked and made absolute when it is a local path. */
export function readChartSource(r: ConfigReader, obj: Record<string, unknown>, path: string, expected: ExpectedChart): string | undefined {
    const value = r.string(obj, path, { max: LIMITS.path, expected: CHART_SOURCE_FORMS });
    if (value === undefined) return undefined;
    // An empty path would resolve to the project folder and be refused as a directory without a Chart.yaml.
    if (value.trim() === "") {
        r.invalid(path, value, `is empty: give ${CHART_SOURCE_FORMS}`);
        return undefined;
    }
    if (chartSourceKind(value) !== "local" && !r.withinLimit(path, value, LIMITS.url, CHART_SOURCE_FORMS)) return undefined;
    const checked = checkChartSource(value, r.source.projectDir, expected);
    if ("problem" in checked) {
        r.problem(path, `= ${checked.problem}`);
        return undefined;
    }
    return checked.source;
}
