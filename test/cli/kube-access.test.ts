import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Deadline } from "../../cli/deadline";
import { Cluster } from "../../cli/kube";
import { authenticatorFor, CredentialError, KubeAccess } from "../../cli/kube-access";

const TLS = path.join(__dirname, "..", "fixtures", "tls");
const CERT = fs.readFileSync(path.join(TLS, "store.crt"));
const KEY = fs.readFileSync(path.join(TLS, "store.key"));

/** What a test server saw of each request: its path, headers, the client certificate's CN, and its connection. */
interface Seen {
    path: string;
    headers: http.IncomingHttpHeaders;
    clientCn?: string;
    connection: number;
}

/** An API server on 127.0.0.1 answering every request with an empty ConfigMap list; https when `tls` is given. */
async function apiServer(tls?: https.ServerOptions): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
    const seen: Seen[] = [];
    const connections = new WeakMap<net.Socket, number>();
    let next = 0;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
        if (!connections.has(req.socket)) connections.set(req.socket, ++next);
        const peer = (req.socket as import("tls").TLSSocket).getPeerCertificate?.();
        seen.push({ path: req.url ?? "", headers: req.headers, clientCn: peer?.subject?.CN, connection: connections.get(req.socket)! });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ kind: "ConfigMapList", apiVersion: "v1", metadata: {}, items: [] }));
    };
    const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    return {
        url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
        seen,
        close: () => new Promise((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}

type ApiServer = Awaited<ReturnType<typeof apiServer>>;

/** Runs `body` against a new API server (https with `tls`), and closes the server after it. */
async function withApiServer(body: (server: ApiServer) => Promise<void>, tls?: https.ServerOptions): Promise<void> {
    const server = await apiServer(tls);
    try {
        await body(server);
    } finally {
        await server.close();
    }
}

/** The CLI's cluster client over the kubeconfig `config`, as a command makes it. */
function connect(config: string): Promise<Cluster> {
    return Cluster.connect({ env: { KUBECONFIG: config }, namespace: "hopsworks", veleroNamespace: "velero", requestSeconds: 10, deadline: new Deadline("test", 60) });
}

function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-kube-access-"));
}

/** A kubeconfig of one context `name`, its cluster and user given as YAML mappings. */
function kubeconfig(name: string, cluster: string, user: string, current = true): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        `clusters: [{name: ${name}, cluster: ${cluster}}]`,
        `users: [{name: ${name}, user: ${user}}]`,
        `contexts: [{name: ${name}, context: {cluster: ${name}, user: ${name}}}]`,
        ...(current ? [`current-context: ${name}`] : []),
        "",
    ].join("\n");
}

function write(dir: string, file: string, text: string | Buffer): string {
    const at = path.join(dir, file);
    fs.writeFileSync(at, text);
    return at;
}

const signal = () => new AbortController().signal;

describe("the CLI's access to the API server (cli/kube-access.ts)", () => {
    const dirs: string[] = [];
    const dir = () => {
        const made = tempDir();
        dirs.push(made);
        return made;
    };
    after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

    it("sends a command's requests over one kept-alive connection, with the user's token", async () => {
        await withApiServer(async (server) => {
            const config = write(dir(), "config", kubeconfig("plain", `{server: "${server.url}"}`, "{token: abc123}"));
            const access = await KubeAccess.load({ KUBECONFIG: config }, undefined);
            for (let i = 0; i < 5; i++) assert.strictEqual((await access.send("GET", `/api/v1/namespaces/hopsworks/configmaps?page=${i}`, signal())).status, 200);
            assert.deepStrictEqual(server.seen.map((s) => [s.path, s.headers.authorization, s.connection]), [0, 1, 2, 3, 4].map((i) => [
                `/api/v1/namespaces/hopsworks/configmaps?page=${i}`, "Bearer abc123", 1,
            ]));
        });
    });

    it("merges KUBECONFIG's files as kubectl does: the first file to name a cluster, user or context wins, and the first current-context", async () => {
        const [first, second] = [await apiServer(), await apiServer()];
        try {
            const d = dir();
            const a = write(d, "a", kubeconfig("shared", `{server: "${first.url}"}`, "{token: first}", false));
            const b = write(d, "b", kubeconfig("shared", `{server: "${second.url}"}`, "{token: second}"));
            const access = await KubeAccess.load({ KUBECONFIG: `${a}${path.delimiter}${b}` }, undefined);
            assert.strictEqual(access.server, first.url);
            await access.send("GET", "/api/v1/namespaces", signal());
            assert.deepStrictEqual([first.seen.map((s) => s.headers.authorization), second.seen.length], [["Bearer first"], 0]);
        } finally {
            await Promise.all([first.close(), second.close()]);
        }
    });

    it("trusts the kubeconfig's CA (a file relative to the kubeconfig) and presents its client certificate over https, on one connection", async () => {
        await withApiServer(async (server) => {
            const d = dir();
            write(d, "ca.crt", CERT);
            write(d, "client.crt", CERT);
            write(d, "client.key", KEY);
            const config = write(d, "config", kubeconfig("tls", `{server: "${server.url}", certificate-authority: ca.crt}`, "{client-certificate: client.crt, client-key: client.key}"));
            const access = await KubeAccess.load({ KUBECONFIG: config }, undefined);
            for (let i = 0; i < 3; i++) assert.strictEqual((await access.send("GET", "/api/v1/namespaces", signal())).status, 200);
            assert.deepStrictEqual(server.seen.map((s) => [s.clientCn, s.connection]), [1, 2, 3].map(() => ["hopsworks-dr test store", 1]));
        }, { cert: CERT, key: KEY, ca: CERT, requestCert: true, rejectUnauthorized: true });
    });

    it("refuses a server whose certificate the kubeconfig does not trust, naming the cause", async () => {
        await withApiServer(async (server) => {
            const config = write(dir(), "config", kubeconfig("untrusted", `{server: "${server.url}"}`, "{token: t}"));
            const cluster = await connect(config);
            await assert.rejects(cluster.location(), {
                message: `get backupstoragelocation hopsworks-bsl in namespace velero: cannot reach the cluster at ${server.url}: DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate`,
        });
        assert.strictEqual(server.seen.length, 0);
        }, { cert: CERT, key: KEY });
    });

    it("sends a token file's token, basic auth and impersonation as kubectl does", async () => {
        await withApiServer(async (server) => {
            const d = dir();
            const tokenFile = write(d, "token", "from-file");
            const withFile = await KubeAccess.load({ KUBECONFIG: write(d, "file", kubeconfig("file", `{server: "${server.url}"}`, `{token-file: ${tokenFile}, as: auditor}`)) }, undefined);
            await withFile.send("GET", "/api", signal());
            const basic = await KubeAccess.load({ KUBECONFIG: write(d, "basic", kubeconfig("basic", `{server: "${server.url}"}`, "{username: admin, password: s3cret}")) }, undefined);
            await basic.send("GET", "/api", signal());
            assert.deepStrictEqual(server.seen.map((s) => [s.headers.authorization, s.headers["impersonate-user"]]), [
                ["Bearer from-file", "auditor"],
                [`Basic ${Buffer.from("admin:s3cret").toString("base64")}`, undefined],
            ]);
        });
    });

    it("names the user whose certificate file cannot be read, before any request goes out", async () => {
        await withApiServer(async (server) => {
            const d = dir();
            const config = write(d, "config", kubeconfig("gone", `{server: "${server.url}"}`, "{client-certificate: gone.crt, client-key: gone.key}"));
            const access = await KubeAccess.load({ KUBECONFIG: config }, undefined);
            await assert.rejects(access.send("GET", "/api", signal()), (error: unknown) => error instanceof CredentialError);
            const cluster = await connect(config);
            await assert.rejects(cluster.location(), {
                message: "get backupstoragelocation hopsworks-bsl in namespace velero: the kubeconfig's credentials for user gone cannot be used: " +
                    `ENOENT: no such file or directory, open '${path.join(d, "gone.crt")}'`,
        });
        assert.strictEqual(server.seen.length, 0);
        });
    });

    it("finds client-node's authenticator for each kind of kubeconfig user, and none for a token, certificate or password", async () => {
        const kinds = async (users: object[]) => Promise.all(users.map(async (user) => (await authenticatorFor({ name: "u", ...user } as never))?.constructor.name));
        assert.deepStrictEqual(await kinds([
            { exec: { command: "aws", args: ["eks", "get-token"] } },
            { authProvider: { name: "tokenFile", config: { tokenFile: "/var/run/token" } } },
            { authProvider: { name: "oidc", config: { "id-token": "x" } } },
            { authProvider: { name: "gcp", config: {} } },
            { authProvider: { name: "azure", config: {} } },
            { token: "t" },
            { certData: "c", keyData: "k" },
            { username: "u", password: "p" },
        ]), ["ExecAuth", "FileAuth", "OpenIDConnectAuth", "GoogleCloudPlatformAuth", "AzureAuth", undefined, undefined, undefined]);
    });

    it("sends its requests through the cluster's proxy-url, tunnelled with CONNECT as client-node's agents do", async () => {
        const api = await apiServer();
        const tunnels: string[] = [];
        const open: net.Socket[] = [];
        const proxy = http.createServer();
        proxy.on("connect", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
            tunnels.push(req.url ?? "");
            open.push(socket);
            const upstream = net.connect(Number(new URL(api.url).port), "127.0.0.1", () => {
                socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
                upstream.write(head);
                upstream.pipe(socket);
                socket.pipe(upstream);
            });
            socket.on("error", () => upstream.destroy());
            upstream.on("error", () => socket.destroy());
        });
        await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
        try {
            const proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
            const config = write(dir(), "config", kubeconfig("proxied", `{server: "http://kube.example.invalid:6443", proxy-url: "${proxyUrl}"}`, "{token: t}"));
            const access = await KubeAccess.load({ KUBECONFIG: config }, undefined);
            assert.strictEqual((await access.send("GET", "/api/v1/namespaces", signal())).status, 200);
            assert.deepStrictEqual(tunnels, ["kube.example.invalid:6443"]);
            assert.deepStrictEqual(api.seen.map((s) => [s.path, s.headers.authorization]), [["/api/v1/namespaces", "Bearer t"]]);
        } finally {
            // A tunnel is the proxy's no longer: kept alive by the client, it is closed here.
            open.forEach((socket) => socket.destroy());
            await new Promise((resolve) => proxy.close(resolve));
            await api.close();
        }
    });
});
