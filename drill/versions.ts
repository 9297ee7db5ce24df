/**
 * What the drill runs against what users get, one row per component. The drill's versions live in
 * drill/versions.json; the users' come from where users get them: package.json (the npm packages
 * and, through them, the Pulumi plugins), the program's defaults (images, charts) and the
 * README's requirements. A row whose two versions differ says why, and what that leaves unproven.
 *
 * drill-report.json carries these rows, and the README's table is their Markdown
 * (test/drill/versions.test.ts keeps the two in step and fails on a row that differs unexplained).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { DEFAULTS } from "../stacks/config/defaults";
import drillVersions from "./versions.json";
import { DRILL_HOPSWORKS_VERSION } from "./env";

export interface VersionRow {
    component: string;
    /** The version users get. */
    users: string;
    /** The version the drill runs. */
    drill: string;
    /** Why the two differ, and what that leaves unproven; unset when they are the same. */
    difference?: string;
}

const PROJECT_DIR = path.resolve(__dirname, "..");

function readJson(file: string): any {
    return JSON.parse(readFileSync(path.join(PROJECT_DIR, file), "utf8"));
}

/** The version package.json pins for an npm package. */
export function pinned(name: string): string {
    const pkg = readJson("package.json");
    return pkg.dependencies?.[name] ?? pkg.devDependencies?.[name];
}

/** The version package-lock.json installs for an npm package at the top of node_modules. */
export function locked(name: string): string {
    return readJson("package-lock.json").packages?.[`node_modules/${name}`]?.version;
}

/** The tag of an image reference ("velero/velero-plugin-for-aws:v1.13.2" gives "1.13.2"). */
export function imageVersion(image: string): string {
    return image.slice(image.lastIndexOf(":") + 1).replace(/^v/, "");
}

const STAND_IN = "stand-in chart of our own (drill/charts)";

export function versionRows(): VersionRow[] {
    const v = drillVersions;
    return [
        { component: "Pulumi CLI", users: `${pinned("@pulumi/pulumi")} (README: the SDK's version)`, drill: v.pulumi },
        { component: "@pulumi/pulumi (Node.js SDK, runs the program)", users: pinned("@pulumi/pulumi"), drill: locked("@pulumi/pulumi") },
        {
            component: "Node.js language host",
            users: `${v.pulumi} (bundled with the CLI)`,
            drill: `${v["pulumi-language-nodejs"]} + drill/tools/language-host`,
            difference:
                "the 3.248 host is a Go module of its own that the module proxy does not serve; 3.68.0 is the newest host inside sdk/v3, " +
                "and our few lines add RunPlugin (policy packs). The host only starts Node.js and the policy pack: the program itself runs " +
                "on the same @pulumi/pulumi SDK in both. Unproven: a host-side change between 3.68 and 3.248 in how programs or policy packs are launched.",
        },
        { component: "Kubernetes provider (@pulumi/kubernetes)", users: pinned("@pulumi/kubernetes"), drill: v["pulumi-resource-kubernetes"] },
        {
            component: "AWS provider (@pulumi/aws)",
            users: pinned("@pulumi/aws"),
            drill: "not run",
            difference:
                "the drill's stacks use an S3-compatible store with storage.manage false, so they declare no AWS resource; the provider is " +
                "a Terraform bridge whose Go build does not fit the drill's budget. The bucket, its settings and the IAM role are proven " +
                "by the program's tests and by the render's bucket.json against moto's S3 API, not by a real pulumi up.",
        },
        { component: "Velero", users: `${veleroChartAppVersion()} (chart ${DEFAULTS.veleroChartVersion}'s image)`, drill: v.velero },
        {
            component: "velero-plugin-for-aws",
            users: imageVersion(DEFAULTS.veleroPluginImage),
            drill: v["velero-plugin-for-aws"],
            difference:
                "1.13.x is the line for Velero 1.17 (users get its newest patch), but the module proxy refuses its source, so the drill " +
                "runs 1.14.3. Between the two, the object-store code the location uses changed only in SSE-C pre-signed URLs (not used " +
                "here); 1.14 adds EBS snapshot options (snapshots are off) and is built against Velero 1.18's libraries. Unproven: " +
                "1.13.2 itself against a real store.",
        },
        {
            component: "Velero chart",
            users: DEFAULTS.veleroChartVersion,
            drill: STAND_IN,
            difference:
                "the chart's templates are not reachable here; the stand-in carries the chart's real CRDs and values schema " +
                "(its upgradeCRDs hook Job included), so what is proven is the values the program gives and the objects Velero acts on.",
        },
        {
            component: "Hopsworks chart",
            users: "your licence's chart (5.2 and earlier)",
            drill: `${STAND_IN}, served as 4.8.0 and 5.2.0; the drill stack runs ${DRILL_HOPSWORKS_VERSION}`,
            difference:
                "licence-gated; the stand-in takes the documented backup and restore values and renders the chart's backup objects (Superset's from 5.2.0 on). " +
                "What the real chart's jobs do is played by the drill, so the page's \"job\" revision of the Superset restore and anything the page leaves out are unproven.",
        },
        { component: "Kubernetes API (kube-apiserver, controllers)", users: "1.27 to 1.34 (Hopsworks 5.2)", drill: v.kubernetes, difference: "the drill proves the newest minor Hopsworks supports, not older ones." },
        {
            component: "kubectl",
            users: "within one minor of your cluster",
            drill: v.kubernetes,
            difference: "the runbooks' kubectl commands (get, wait, delete, cordon) are the same in every supported minor.",
        },
        { component: "Helm CLI (runbooks)", users: "3.x", drill: v.helm, difference: "runbooks use only `helm status` and `helm uninstall`, unchanged across Helm 3." },
        { component: "Prometheus (alerts)", users: "yours (rules need no feature newer than 2.x)", drill: v.prometheus, difference: "the rules are plain PromQL; the drill evaluates them on 3.16." },
        { component: "kube-state-metrics (alerts)", users: "yours (2.x)", drill: v["kube-state-metrics"], difference: "v2.16.0 has no checksum-database entry and the proxy serves no v2.17.0; the CronJob and Job series the rules read are the same in 2.x." },
        { component: "S3 API", users: "AWS S3, MinIO, Ceph, ...", drill: "moto 5.2.1", difference: "moto stands for the store: versioning, lifecycle and Object Lock as it implements them (FACTS: Object Lock and replication)." },
    ];
}

/**
 * The Velero the program deploys: the chart's default image, its appVersion. The stand-in chart
 * repeats the real chart's (test/drill/versions.test.ts compares them with ../shared/upstream).
 */
export function veleroChartAppVersion(): string {
    const chart = readFileSync(path.join(PROJECT_DIR, "drill", "charts", "velero", "Chart.yaml"), "utf8");
    return /^appVersion:\s*"?([^"\s]+)"?/m.exec(chart)?.[1] ?? "unknown";
}

/** A row whose versions differ and which says nothing about why. */
export function unexplained(rows: VersionRow[]): VersionRow[] {
    return rows.filter((r) => r.users !== r.drill && !r.difference && !r.users.startsWith(`${r.drill} `));
}

/** The README's table. */
export function versionTable(rows: VersionRow[]): string {
    const cell = (s: string) => s.replace(/\|/g, "\\|");
    return [
        "| component | users get | the drill ran | why they differ |",
        "|---|---|---|---|",
        ...rows.map((r) => `| ${cell(r.component)} | ${cell(r.users)} | ${cell(r.drill)} | ${cell(r.difference ?? (r.users === r.drill ? "same" : "same release"))} |`),
    ].join("\n");
}
