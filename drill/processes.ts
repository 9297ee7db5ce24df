/**
 * The drill's processes: each started in a process group of its own, its PID written to
 * <run>/pids/<name>.pid and its output to <run>/logs/<name>.log, and stopped by that PID only.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export interface StartOptions {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
}

export function logFile(run: string, name: string): string {
    return path.join(run, "logs", `${name}.log`);
}

/** Starts a server in the background; it outlives this process until stopped by its PID. */
export function startProcess(run: string, name: string, command: string, args: string[], options: StartOptions = {}): number {
    mkdirSync(path.join(run, "logs"), { recursive: true });
    mkdirSync(path.join(run, "pids"), { recursive: true });
    const out = openSync(logFile(run, name), "a");
    const child = spawn(command, args, {
        cwd: options.cwd ?? run,
        env: options.env ?? process.env,
        // A group of its own: stopping it also stops what it started (Velero's plugin processes),
        // and a Ctrl-C in the terminal reaches the drill, which stops everything in order.
        detached: true,
        stdio: ["ignore", out, out],
    });
    closeSync(out);
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    child.unref();
    writeFileSync(path.join(run, "pids", `${name}.pid`), `${child.pid}\n`);
    return child.pid;
}

/** Whether a process still runs; a zombie (exited, not yet reaped by the drill itself) does not. */
export function alive(pid: number): boolean {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
    } catch {
        return false;
    }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pid, signal);
    } catch {
        try {
            process.kill(pid, signal);
        } catch {
            // already gone
        }
    }
}

function sleepMs(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The recorded PID of a named process (pid only while it runs); undefined without a PID file. */
function recordedPid(run: string, name: string): { pidFile: string; pid?: number } | undefined {
    const pidFile = path.join(run, "pids", `${name}.pid`);
    if (!existsSync(pidFile)) return undefined;
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    return { pidFile, pid: Number.isInteger(pid) && pid > 1 && alive(pid) ? pid : undefined };
}

/** Stops one named process by its recorded PID: SIGTERM, then SIGKILL after `graceMs`. */
export function stopProcess(run: string, name: string, graceMs = 10_000): boolean {
    const recorded = recordedPid(run, name);
    if (!recorded) return false;
    const { pidFile, pid } = recorded;
    if (pid !== undefined) {
        signalGroup(pid, "SIGTERM");
        const deadline = Date.now() + graceMs;
        while (alive(pid) && Date.now() < deadline) sleepMs(100);
        // Then the rest of the group too (a plugin process that ignored SIGTERM).
        signalGroup(pid, "SIGKILL");
        const killed = Date.now() + 2_000;
        while (alive(pid) && Date.now() < killed) sleepMs(20);
    }
    rmSync(pidFile, { force: true });
    return true;
}

/** A process and everything it started, children before parents' children: read from /proc. */
export function processTree(pid: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
        } catch {
            // gone meanwhile
        }
    }
    const tree: number[] = [];
    const visit = (p: number) => {
        tree.push(p);
        for (const child of children.get(p) ?? []) visit(child);
    };
    visit(pid);
    return tree;
}

/**
 * Kills one named process and every process it started at once (SIGKILL, no grace), as a CI
 * runner or a laptop that dies takes a deployment with it. The tree, not only the group: Pulumi
 * starts its plugins in process groups of their own. Returns whether it was running.
 */
export function killProcess(run: string, name: string): boolean {
    const recorded = recordedPid(run, name);
    if (!recorded) return false;
    const { pidFile, pid } = recorded;
    if (pid !== undefined) {
        const tree = processTree(pid);
        for (const p of tree) signalGroup(p, "SIGKILL");
        const deadline = Date.now() + 5_000;
        while (tree.some(alive) && Date.now() < deadline) sleepMs(20);
    }
    rmSync(pidFile, { force: true });
    return pid !== undefined;
}

/** Stops every process of the run, newest first (Velero before the API server it talks to). */
export function stopAll(run: string): string[] {
    const dir = path.join(run, "pids");
    if (!existsSync(dir)) return [];
    const names = readdirSync(dir)
        .filter((f) => f.endsWith(".pid"))
        .map((f) => f.slice(0, -4));
    const order = readStartOrder(run).filter((n) => names.includes(n)).reverse();
    const rest = names.filter((n) => !order.includes(n));
    const stopped: string[] = [];
    for (const name of [...order, ...rest]) if (stopProcess(run, name)) stopped.push(name);
    return stopped;
}

function readStartOrder(run: string): string[] {
    const file = path.join(run, "pids", "order");
    return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

/** Remembers the start order, so stopAll can stop in reverse. */
export function recordStart(run: string, name: string): void {
    const file = path.join(run, "pids", "order");
    const order = readStartOrder(run).filter((n) => n !== name);
    writeFileSync(file, [...order, name].join("\n") + "\n");
}

export function running(run: string, name: string): boolean {
    return recordedPid(run, name)?.pid !== undefined;
}

/** Runs a command to completion and returns its output; throws with the output on failure. */
export function run(command: string, args: string[], options: StartOptions & { input?: string; timeoutMs?: number; allowFailure?: boolean } = {}) {
    const result = spawnSync(command, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        input: options.input,
        encoding: "utf8",
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
    });
    const output = { status: result.status ?? -1, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
    if (output.status !== 0 && !options.allowFailure) {
        const why = result.error ? String(result.error) : `exit ${output.status}`;
        throw new Error(`${command} ${args.join(" ")}: ${why}\n${tail(output.stdout)}\n${tail(output.stderr)}`.trim());
    }
    return output;
}

export function tail(text: string, lines = 30): string {
    return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Polls `check` until it returns a value (not undefined) or the time runs out. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 500): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
        try {
            const value = await check();
            if (value !== undefined) return value;
        } catch (error) {
            lastError = error;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
        }
        await new Promise((r) => setTimeout(r, everyMs));
    }
}
