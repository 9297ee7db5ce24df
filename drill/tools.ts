/**
 * `npm run drill:tools`: finds, or builds from its published Go module, every program the drill
 * runs. Binaries live in a cache outside the repository, one folder per component and version
 * (drill/tools/build.sh builds them); a binary of the right version already on PATH is used as
 * it is, which is how a user with internet brings official releases instead.
 *
 *   npm run drill:tools              build what is missing, one progress line per component
 *   npm run drill:tools -- --check   only say what is missing (exit 1 if anything is)
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import versions from "./versions.json";

export const DRILL_CACHE =
    process.env.DRILL_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "hopsworks-dr", "drill");

export interface Tool {
    /** The build script's component name, and the cache folder's prefix. */
    component: keyof typeof versions;
    version: string;
    binaries: string[];
    /** How to ask a binary found on PATH for its version; omitted where it has no such flag. */
    versionArgs?: string[];
    /** Why this version and not the one the project pins, when they differ. */
    skew?: string;
}

/** The drill's programs, in the order they are built (the control plane first: everything needs it). */
export const TOOLS: Tool[] = [
    { component: "kubernetes", version: versions.kubernetes, binaries: ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"], versionArgs: ["--version"] },
    { component: "etcd", version: versions.etcd, binaries: ["etcd"], versionArgs: ["--version"] },
    // kwok-stages.yaml: the module's default stages (fast node and pod lifecycle), which kwok needs to act.
    { component: "kwok", version: versions.kwok, binaries: ["kwok", "kwok-stages.yaml"] },
    { component: "velero", version: versions.velero, binaries: ["velero"], versionArgs: ["version", "--client-only"] },
    {
        component: "velero-plugin-for-aws",
        version: versions["velero-plugin-for-aws"],
        binaries: ["velero-plugin-for-aws"],
        skew: "the module proxy lists v1.13.2 but refuses its source (403 on the .zip); v1.14.2 and v1.14.3 are the only releases it serves whole",
    },
    { component: "pulumi", version: versions.pulumi, binaries: ["pulumi"], versionArgs: ["version"] },
    {
        component: "pulumi-language-nodejs",
        version: versions["pulumi-language-nodejs"],
        binaries: ["pulumi-language-nodejs", "pulumi-language-nodejs-upstream"],
        skew:
            "the 3.248.0 language host is a Go module of its own that the module proxy does not serve; " +
            "v3.68.0 is the newest host inside the served sdk/v3 module, and the project's drill/tools/language-host " +
            "adds the RunPlugin call (policy packs) it lacks",
    },
    // provider/v4 has no semver tags: the one pseudo-version the module proxy serves is the commit of
    // tag v4.25.0 (drill/versions.json), the version package.json pins for users too.
    { component: "pulumi-resource-kubernetes", version: versions["pulumi-resource-kubernetes"], binaries: ["pulumi-resource-kubernetes"] },
    // For the alert rules' tests (npm test runs them when it is here) and the drill's metrics checks.
    { component: "promtool", version: versions.promtool, binaries: ["promtool"], versionArgs: ["--version"] },
    // The drill's `alerts` scenario: a real Prometheus scraping the real Velero and evaluating the stack's rules.
    { component: "prometheus", version: versions.prometheus, binaries: ["prometheus"], versionArgs: ["--version"] },
    // The CronJob and Job metrics the backup-jobs and restore-point alerts read. v2.15.0: the checksum
    // database has no entry for v2.16.0, and the module proxy serves no v2.17.0.
    { component: "kube-state-metrics", version: versions["kube-state-metrics"], binaries: ["kube-state-metrics"], versionArgs: ["version"] },
    // The runbook's look at, and removal of, a release an interrupted install left pending.
    { component: "helm", version: versions.helm, binaries: ["helm"], versionArgs: ["version", "--short"] },
];

export interface Found {
    tool: Tool;
    /** The folder holding the tool's binaries, or undefined when missing. */
    dir?: string;
    from?: "cache" | "PATH";
}

export function cacheDir(tool: Tool, cache = DRILL_CACHE): string {
    return path.join(cache, "bin", `${tool.component}-${tool.version}`);
}

function onPath(binary: string, searchPath = process.env.PATH ?? ""): string | undefined {
    for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
        const candidate = path.join(dir, binary);
        if (spawnSync("test", ["-x", candidate]).status === 0) return candidate;
    }
    return undefined;
}

/** The folder of a binary on PATH that reports exactly this tool's version. */
function fromPath(tool: Tool, searchPath?: string): string | undefined {
    if (!tool.versionArgs) return undefined;
    const dirs = tool.binaries.map((binary) => {
        const found = onPath(binary, searchPath);
        if (!found) return undefined;
        const out = spawnSync(found, tool.versionArgs!, { encoding: "utf8", timeout: 10_000 });
        const text = `${out.stdout ?? ""}${out.stderr ?? ""}`;
        return new RegExp(`\\bv?${tool.version.replace(/\./g, "\\.")}\\b`).test(text) ? path.dirname(found) : undefined;
    });
    return dirs.every((d) => d !== undefined && d === dirs[0]) ? dirs[0] : undefined;
}

export function findTool(tool: Tool, cache = DRILL_CACHE, searchPath = process.env.PATH): Found {
    const cached = cacheDir(tool, cache);
    if (tool.binaries.every((b) => existsSync(path.join(cached, b)))) return { tool, dir: cached, from: "cache" };
    const onPathDir = fromPath(tool, searchPath);
    if (onPathDir) return { tool, dir: onPathDir, from: "PATH" };
    return { tool };
}

/** moto's S3 server is not built: it comes preinstalled (or with pip) and is found on PATH. */
export function findMoto(): string | undefined {
    return onPath("moto_server");
}

export function findAll(): { found: Found[]; missing: string[] } {
    const found = TOOLS.map((tool) => findTool(tool));
    const missing = found.filter((f) => !f.dir).map((f) => `${f.tool.component} ${f.tool.version}`);
    if (!findMoto()) missing.push("moto_server (moto 5.2.1: preinstalled on this machine kind, or pip install 'moto[server]==5.2.1')");
    return { found, missing };
}

/** The PATH that puts every found tool first. */
export function toolPath(found: Found[]): string {
    const dirs = [...new Set(found.filter((f) => f.dir).map((f) => f.dir!))];
    return [...dirs, process.env.PATH ?? ""].join(path.delimiter);
}

function build(tool: Tool): Promise<number> {
    const script = path.join(__dirname, "tools", "build.sh");
    const log = path.join(DRILL_CACHE, "logs", `${tool.component}-${tool.version}.log`);
    mkdirSync(path.dirname(log), { recursive: true });
    return new Promise((resolve) => {
        const child = spawn("bash", ["-c", `exec bash "$0" "$1" >"$2" 2>&1`, script, tool.component, log], {
            env: { ...process.env, DRILL_CACHE },
            stdio: "inherit",
        });
        child.on("exit", (code) => resolve(code ?? 1));
    });
}

async function main(): Promise<void> {
    const check = process.argv.includes("--check");
    const started = Date.now();
    let failed = 0;
    console.log(`drill tools in ${DRILL_CACHE}`);
    for (const tool of TOOLS) {
        const t0 = Date.now();
        const found = findTool(tool);
        const name = `${tool.component} ${tool.version}`.padEnd(36);
        if (found.dir) {
            console.log(`  ${name} found (${found.from}: ${found.dir})`);
            continue;
        }
        if (check) {
            console.log(`  ${name} missing`);
            failed++;
            continue;
        }
        process.stdout.write(`  ${name} building ... `);
        const code = await build(tool);
        const seconds = ((Date.now() - t0) / 1000).toFixed(0);
        if (code === 0) console.log(`built in ${seconds} s`);
        else {
            failed++;
            console.log(`FAILED after ${seconds} s: see ${path.join(DRILL_CACHE, "logs", `${tool.component}-${tool.version}.log`)}`);
        }
    }
    const moto = findMoto();
    console.log(`  ${"moto_server 5.2.1".padEnd(36)} ${moto ? `found (PATH: ${moto})` : "missing: pip install 'moto[server]==5.2.1'"}`);
    if (!moto) failed++;
    console.log(`${failed === 0 ? "all tools ready" : `${failed} missing`} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    if (failed > 0) {
        if (check) console.log("build them with: npm run drill:tools");
        process.exitCode = 1;
    }
}

if (require.main === module) void main();
