/**
 * moto's S3 server for tests against a real S3 API implementation (versioning, Object Lock,
 * delete markers), on a free loopback port; `missing` says why not where moto is not installed.
 */
import { spawn, spawnSync } from "child_process";
import * as net from "net";

export interface Moto {
    url: string;
    stop(): void;
}

export async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

export async function waitForHttp(url: string, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
        try {
            await fetch(url);
            return;
        } catch (error) {
            if (Date.now() > deadline) throw error;
            await new Promise((resolve) => setTimeout(resolve, 200));
        }
    }
}

/** Why moto cannot run here, or undefined when it can. */
export function motoMissing(): string | undefined {
    const found = spawnSync("python3", ["-c", "import moto.server"], { encoding: "utf8" });
    return found.status === 0 ? undefined : `moto is not installed (pip install 'moto[server]==5.2.1'): ${(found.stderr || String(found.error)).trim().split("\n").pop()}`;
}

export async function startMoto(): Promise<Moto> {
    const port = await freePort();
    const child = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/moto-api/`, 30_000);
    return { url, stop: () => child.pid !== undefined && child.exitCode === null && process.kill(child.pid) };
}
