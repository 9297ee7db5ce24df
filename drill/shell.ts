/**
 * The commands an operator types, run in the drill environment: `pulumi`, `kubectl`, `velero`,
 * `aws` and `hopsworks-dr`, in the drill stack's project folder, with the environment's variables.
 */
import * as path from "node:path";
import { DRILL_BUCKET, DrillEnv, VELERO_NAMESPACE } from "./env";
import { run } from "./processes";
import { DrillFailure } from "./report";

export interface CommandResult {
    status: number;
    stdout: string;
    stderr: string;
}

export class Shell {
    readonly env: NodeJS.ProcessEnv;

    constructor(
        readonly drill: DrillEnv,
        readonly project = drill.project,
    ) {
        this.env = { ...process.env, ...drill.vars };
    }

    /** Runs a command; throws with its output unless `allowFailure`. */
    exec(command: string, args: string[], options: { allowFailure?: boolean; input?: string; timeoutMs?: number; cwd?: string } = {}): CommandResult {
        return run(command, args, { env: this.env, cwd: options.cwd ?? this.project, ...options });
    }

    /** One line as an operator types it in a shell; throws with its output unless it exits 0. */
    line(command: string): CommandResult {
        const r = this.exec("bash", ["-c", command], { allowFailure: true, timeoutMs: 1_800_000 });
        if (r.status !== 0) throw new DrillFailure(`${command}: exited ${r.status}:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
        return r;
    }

    /** `input` is the command's stdin: `pulumi config set` without a value reads it from there. */
    pulumi(args: string[], options: { allowFailure?: boolean; timeoutMs?: number; stack?: string; input?: string } = {}): CommandResult {
        const stack = options.stack === undefined ? [] : ["--stack", options.stack];
        return this.exec("pulumi", [...args, ...stack, "--non-interactive"], { timeoutMs: 1_200_000, ...options });
    }

    kubectl(args: string[], options: { allowFailure?: boolean; input?: string } = {}): CommandResult {
        return this.exec("kubectl", args, options);
    }

    /** `kubectl get ... -o json`, parsed; undefined when the object does not exist. */
    getJson(args: string[]): any {
        const r = this.kubectl(["get", ...args, "-o", "json"], { allowFailure: true });
        if (r.status !== 0) {
            if (/NotFound|not found/.test(r.stderr)) return undefined;
            throw new Error(`kubectl get ${args.join(" ")}: ${r.stderr.trim()}`);
        }
        return JSON.parse(r.stdout);
    }

    velero(args: string[], options: { allowFailure?: boolean; timeoutMs?: number } = {}): CommandResult {
        return this.exec("velero", [...args, "--namespace", VELERO_NAMESPACE], options);
    }

    /** `aws s3api ...` against the drill's S3 store, parsed when it prints JSON. */
    s3api(args: string[], options: { allowFailure?: boolean } = {}): any {
        const r = this.exec("aws", ["--endpoint-url", this.env.DRILL_S3_ENDPOINT!, "--output", "json", "s3api", ...args], options);
        if (r.status !== 0) return { error: r.stderr.trim() };
        return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    }

    /** The project's operator CLI, as `node cli/bin.js` (the documented form) runs it. */
    hopsworksDr(args: string[], options: { allowFailure?: boolean } = {}): CommandResult {
        return this.exec("node", [path.join(this.project, "cli", "bin.js"), ...args], options);
    }

    /** Every version of every object under a prefix of the drill bucket, as "key@versionId". */
    objectVersions(prefix: string, bucket = DRILL_BUCKET): string[] {
        const listing = this.s3api(["list-object-versions", "--bucket", bucket, "--prefix", prefix]);
        const versions = [...(listing.Versions ?? []), ...(listing.DeleteMarkers ?? []).map((m: any) => ({ ...m, Key: `${m.Key} (delete marker)` }))];
        return versions.map((v: any) => `${v.Key}@${v.VersionId}`).sort();
    }
}
