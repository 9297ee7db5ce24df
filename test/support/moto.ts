/**
 * moto's S3 server for tests against a real S3 API implementation (versioning, Object Lock,
 * delete markers), on a free loopback port. One server per test process, shared by the test files
 * that need one (each uses buckets of its own names): starting moto costs more than a second of
 * CPU, and so did asking Python whether it is installed, which starting it now answers.
 */
import { spawn } from "child_process";
import * as net from "net";

export interface Moto {
    url: string;
}

/** moto could not start here: not installed, or it exited; the message says why, for a skipped test. */
export class MotoUnavailable extends Error {}

async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

async function startMoto(): Promise<Moto> {
    const port = await freePort();
    const child = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    const exited = new Promise<never>((_, reject) => {
        child.on("error", (error) => reject(new MotoUnavailable(`moto cannot start (python3 -m moto.server: ${error.message})`)));
        child.on("exit", (code) => {
            const cause = stderr.trim().split("\n").pop() || `exit status ${code}`;
            reject(new MotoUnavailable(`moto is not installed or cannot start (pip install 'moto[server]==5.2.1'; python3 -m moto.server: ${cause})`));
        });
    });
    // Stopped with this process; it must not keep a test worker from exiting.
    process.on("exit", () => child.exitCode === null && child.kill());
    child.unref();
    (child.stderr as unknown as { unref?: () => void }).unref?.();
    // Once it answered, a later exit (the end of the run) is no test's failure.
    exited.catch(() => {});
    const url = `http://127.0.0.1:${port}`;
    await Promise.race([waitForHttp(`${url}/moto-api/`, 30_000), exited]);
    return { url };
}

async function waitForHttp(url: string, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
        try {
            await fetch(url);
            return;
        } catch (error) {
            if (Date.now() > deadline) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    }
}

let shared: Promise<Moto> | undefined;

/** This process's moto server, started on first use; skips the calling hook's tests, saying why, where moto cannot run. */
export async function sharedMoto(hook: Mocha.Context): Promise<Moto> {
    try {
        return await (shared ??= startMoto());
    } catch (error) {
        if (!(error instanceof MotoUnavailable)) throw error;
        console.log(`      skipped: ${error.message}`);
        hook.skip();
    }
}
