/**
 * How the CLI reaches the API server: the kubeconfig kubectl would read (or the pod's service
 * account), its TLS settings and credentials, and one HTTP request at a time over a kept-alive
 * connection.
 *
 * Not client-node's KubeConfig and generated API clients: loading them costs most of a second and
 * about 85 MB before the first request (its hundreds of models), a third of what a listing of a
 * real cluster's 20,000 restore points may take. The kubeconfig's entries are read by client-node's
 * own config_types and its credentials applied by its own authenticators (exec plugins, token files,
 * OIDC, the legacy GCP and Azure providers), loaded one by one, so what a kubeconfig means is what
 * client-node and kubectl make of it.
 */
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import type { Authenticator } from "@kubernetes/client-node/dist/auth.js";
import type { Cluster as KubeCluster, Context as KubeContext, User as KubeUser } from "@kubernetes/client-node/dist/config_types.js";
import { parse as parseYaml } from "yaml";
import { CliError } from "./errors";

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** One kubeconfig file as found: its text, or why it cannot be used. */
interface KubeconfigFile {
    file: string;
    text?: string;
    unusable?: string;
}

/** The files kubectl would read: KUBECONFIG's list, else ~/.kube/config. */
function kubeconfigFiles(env: NodeJS.ProcessEnv): { files: string[]; fromEnv: boolean } {
    const listed = (env.KUBECONFIG ?? "").split(path.delimiter).filter(Boolean);
    if (listed.length > 0) return { files: listed, fromEnv: true };
    return { files: [path.join(env.HOME || os.homedir(), ".kube", "config")], fromEnv: false };
}

function readKubeconfig(file: string): KubeconfigFile {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        return { file, unusable: code === "ENOENT" ? "missing" : code === "EISDIR" ? "a directory" : `unreadable (${code ?? firstLine(error)})` };
    }
    // Comments, document markers and blank lines only.
    if (text.replace(/#.*$/gm, "").replace(/^(---|\.\.\.)\s*$/gm, "").trim() === "") return { file, unusable: "empty" };
    return { file, text };
}

/** The refusal when no kubeconfig file can be used and this is not a pod: where it looked, and what to do. */
function noKubeconfig(found: KubeconfigFile[], fromEnv: boolean): string {
    const where = fromEnv
        ? `KUBECONFIG names ${found.map((f) => `${f.file} (${f.unusable})`).join(", ")}`
        : `KUBECONFIG is not set, and ~/.kube/config (${found[0].file}) is ${found[0].unusable}`;
    return `no usable kubeconfig found: ${where}. Set KUBECONFIG to a kubeconfig file or create ~/.kube/config ` +
        "(in a pod, the service account is used instead)";
}

/** The merged kubeconfig: the first file to name a cluster, user or context wins, as with kubectl. */
interface Kubeconfig {
    clusters: KubeCluster[];
    users: KubeUser[];
    contexts: KubeContext[];
    currentContext?: string;
}

async function parseKubeconfig({ file, text }: KubeconfigFile): Promise<Kubeconfig> {
    const { newClusters, newContexts, newUsers } = await import("@kubernetes/client-node/dist/config_types.js");
    let parsed: unknown;
    try {
        parsed = parseYaml(text!);
    } catch (error) {
        throw new CliError(`cannot load kubeconfig ${file}: ${firstLine(error)}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new CliError(`cannot load kubeconfig ${file}: not a kubeconfig (a YAML mapping with clusters, contexts and users)`);
    }
    const document = parsed as Record<string, unknown>;
    let config: Kubeconfig;
    try {
        config = {
            clusters: newClusters(document.clusters),
            users: newUsers(document.users),
            contexts: newContexts(document.contexts),
            currentContext: typeof document["current-context"] === "string" ? document["current-context"] : undefined,
        };
    } catch (error) {
        throw new CliError(`cannot load kubeconfig ${file}: ${firstLine(error)}`);
    }
    if (config.clusters.length === 0 && config.contexts.length === 0 && config.users.length === 0) {
        throw new CliError(`cannot load kubeconfig ${file}: it has no clusters, contexts or users`);
    }
    // Relative certificate and key files are relative to the kubeconfig, as kubectl reads them.
    const absolute = (p: string | undefined) => (p && !path.isAbsolute(p) ? path.join(path.dirname(file), p) : p);
    config.clusters = config.clusters.map((c) => ({ ...c, caFile: absolute(c.caFile) }));
    config.users = config.users.map((u) => ({ ...u, certFile: absolute(u.certFile), keyFile: absolute(u.keyFile) }));
    return config;
}

function merge(configs: Kubeconfig[]): Kubeconfig {
    const firstByName = <T extends { name: string }>(lists: T[][]) => {
        const byName = new Map<string, T>();
        for (const item of lists.flat()) if (!byName.has(item.name)) byName.set(item.name, item);
        return [...byName.values()];
    };
    return {
        clusters: firstByName(configs.map((c) => c.clusters)),
        users: firstByName(configs.map((c) => c.users)),
        contexts: firstByName(configs.map((c) => c.contexts)),
        currentContext: configs.find((c) => c.currentContext)?.currentContext,
    };
}

/** The pod's service account: the API server's in-cluster address, its CA, and the token file (re-read as it rotates). */
function inClusterConfig(env: NodeJS.ProcessEnv): Kubeconfig {
    const host = env.KUBERNETES_SERVICE_HOST!;
    const port = env.KUBERNETES_SERVICE_PORT ?? "443";
    const scheme = ["80", "8080", "8001"].includes(port) ? "http" : "https";
    const server = `${scheme}://${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
    return {
        clusters: [{ name: "inCluster", server, caFile: path.join(SERVICE_ACCOUNT_DIR, "ca.crt"), skipTLSVerify: false }],
        users: [{ name: "inClusterUser", authProvider: { name: "tokenFile", config: { tokenFile: path.join(SERVICE_ACCOUNT_DIR, "token") } } }],
        contexts: [{ name: "inClusterContext", cluster: "inCluster", user: "inClusterUser" }],
        currentContext: "inClusterContext",
    };
}

/** The answer to one request: its status and body text. */
export interface KubeResponse {
    status: number;
    text: string;
}

/** A failure of the kubeconfig's credentials (an exec plugin, a token or certificate file) before a request went out. */
export class CredentialError extends Error {
    constructor(readonly cause: unknown) {
        super(firstLine(cause));
    }
}

/** The API server of the chosen context, with its TLS settings and credentials. */
export class KubeAccess {
    private authenticator?: Promise<Authenticator | undefined>;
    private agent?: { agent: http.Agent; cert?: unknown; key?: unknown };
    private files?: Pick<https.RequestOptions, "ca" | "cert" | "key">;

    private constructor(
        private readonly cluster: KubeCluster,
        readonly user: KubeUser | undefined,
    ) {}

    get server(): string {
        return this.cluster.server;
    }

    /** Reads KUBECONFIG's files, else ~/.kube/config, else the pod's service account, and picks the context. */
    static async load(env: NodeJS.ProcessEnv, context: string | undefined): Promise<KubeAccess> {
        const { files, fromEnv } = kubeconfigFiles(env);
        const found = files.map(readKubeconfig);
        const usable = found.filter((f) => f.text !== undefined);
        const inCluster = usable.length === 0 && Boolean(env.KUBERNETES_SERVICE_HOST) && fs.existsSync(path.join(SERVICE_ACCOUNT_DIR, "token"));
        if (usable.length === 0 && !inCluster) throw new CliError(noKubeconfig(found, fromEnv));
        const config = inCluster ? inClusterConfig(env) : merge(await Promise.all(usable.map(parseKubeconfig)));
        const source = inCluster ? "the pod's service account" : `the kubeconfig (${usable.map((f) => f.file).join(", ")})`;
        const contextName = context ?? config.currentContext;
        const chosen = config.contexts.find((c) => c.name === contextName);
        if (context !== undefined && !chosen) throw new CliError(`context ${context} is not in ${source}`);
        const cluster = config.clusters.find((c) => c.name === chosen?.cluster);
        if (!cluster) throw new CliError(`${source} has no current cluster: pass --context or set current-context`);
        const user = config.users.find((u) => u.name === chosen!.user);
        return new KubeAccess(cluster, user);
    }

    /** The exec credential plugin's command, when the user has one: its failures are named as the plugin's. */
    execCommand(): string | undefined {
        const provider = this.user?.authProvider as { config?: { exec?: { command?: string } } } | undefined;
        return this.user?.exec?.command ?? provider?.config?.exec?.command;
    }

    /** One request: `method` on `pathAndQuery` (from /api or /apis), aborted by `signal`. */
    async send(method: string, pathAndQuery: string, signal: AbortSignal): Promise<KubeResponse> {
        const options = await this.credentials().catch((error) => {
            throw new CredentialError(error);
        });
        const url = new URL(this.server + pathAndQuery);
        const transport = url.protocol === "http:" ? http : https;
        return new Promise<KubeResponse>((resolve, reject) => {
            const request = transport.request(url, { method, agent: this.agentFor(options), headers: { Accept: "application/json", ...options.headers }, signal }, (response) => {
                const chunks: Buffer[] = [];
                response.on("data", (chunk: Buffer) => chunks.push(chunk));
                response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
                response.on("error", reject);
            });
            request.on("error", reject);
            request.end();
        });
    }

    /** TLS material and headers for the next request, as client-node's KubeConfig.applyToHTTPSOptions makes them. */
    private async credentials(): Promise<https.RequestOptions & { headers: Record<string, string> }> {
        const { cluster, user } = this;
        const options: https.RequestOptions & { headers: Record<string, string> } = { headers: {}, ...(this.files ??= this.tlsFiles()) };
        if (cluster.skipTLSVerify) options.rejectUnauthorized = false;
        if (cluster.tlsServerName) options.servername = cluster.tlsServerName;
        if (!user) return options;
        if (user.impersonateUser) options.headers["Impersonate-User"] = user.impersonateUser;
        const authenticator = await (this.authenticator ??= authenticatorFor(user));
        if (authenticator) await authenticator.applyAuthentication(user, options);
        if (user.token) options.headers.Authorization = `Bearer ${user.token}`;
        if (user.username) options.headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ""}`).toString("base64")}`;
        return options;
    }

    /** The CA, client certificate and key, read once: the kept-alive agent stays the same for every request. */
    private tlsFiles(): Pick<https.RequestOptions, "ca" | "cert" | "key"> {
        const [ca, cert, key] = [fileOrData(this.cluster.caFile, this.cluster.caData), fileOrData(this.user?.certFile, this.user?.certData), fileOrData(this.user?.keyFile, this.user?.keyData)];
        return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
    }

    /** One kept-alive agent for the command's requests (a new one if an exec plugin hands out another client certificate). */
    private agentFor(options: https.RequestOptions): http.Agent {
        if (this.agent && this.agent.cert === options.cert && this.agent.key === options.key) return this.agent.agent;
        const { ca, cert, key, rejectUnauthorized, servername } = options;
        const agentOptions = { keepAlive: true, ca, cert, key, rejectUnauthorized, servername };
        const agent = this.cluster.proxyUrl ? proxyAgent(this.cluster, agentOptions) : this.server.startsWith("http:") ? new http.Agent(agentOptions) : new https.Agent(agentOptions);
        this.agent = { agent, cert, key };
        return agent;
    }
}

/**
 * client-node's authenticator for this user, in its own order (Azure, GCP, exec, token file, OIDC),
 * each module loaded only when the kubeconfig asks for it; none for a token, certificate or password.
 */
export async function authenticatorFor(user: KubeUser): Promise<Authenticator | undefined> {
    const provider = user.authProvider as { name?: string; config?: { tokenFile?: string; exec?: unknown } } | undefined;
    if (provider?.name === "azure") return new (await import("@kubernetes/client-node/dist/azure_auth.js")).AzureAuth();
    if (provider?.name === "gcp") return new (await import("@kubernetes/client-node/dist/gcp_auth.js")).GoogleCloudPlatformAuth();
    if (user.exec || provider?.name === "exec" || provider?.config?.exec) return new (await import("@kubernetes/client-node/dist/exec_auth.js")).ExecAuth();
    if (provider?.config?.tokenFile) return new (await import("@kubernetes/client-node/dist/file_auth.js")).FileAuth();
    if (provider?.name === "oidc") return new (await import("@kubernetes/client-node/dist/oidc_auth.js")).OpenIDConnectAuth();
    return undefined;
}

/** An agent through the cluster's proxy-url (HTTP(S) or SOCKS), as client-node makes one. */
function proxyAgent(cluster: KubeCluster, options: https.AgentOptions): http.Agent {
    const proxy = cluster.proxyUrl!;
    if (proxy.startsWith("socks")) {
        const { SocksProxyAgent } = require("socks-proxy-agent") as typeof import("socks-proxy-agent");
        return new SocksProxyAgent(proxy, options);
    }
    const { HttpProxyAgent, HttpsProxyAgent } = require("hpagent") as typeof import("hpagent");
    return cluster.server.startsWith("https:") ? new HttpsProxyAgent({ ...options, proxy }) : new HttpProxyAgent({ ...options, proxy });
}

function fileOrData(file: string | undefined, data: string | undefined): Buffer | undefined {
    if (file) return fs.readFileSync(file);
    return data ? Buffer.from(data, "base64") : undefined;
}

export function firstLine(error: unknown): string {
    return String((error as Error)?.message ?? error).split("\n")[0];
}
