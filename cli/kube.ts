import type * as K8s from "@kubernetes/client-node";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { METADATA_CONFIGMAP, METADATA_SERVICES, MetadataConfigMap, metadataConfigMapIndex, MetadataService, VeleroBackup } from "../stacks/catalogue/restore-points";
import type { Deadline } from "./deadline";
import { CliError, MetadataMissingError } from "./errors";
import { ApiObject, Expected, responseProblem } from "./response";
import { LOCATION_NAME, SUPERSET, VELERO_SCHEDULES } from "../stacks/names";
import { REQUEST_TIMEOUT_ENV } from "./options";
import { LocationStatus } from "../stacks/catalogue/health";

export interface ClusterOptions {
    /** Where KUBECONFIG, HOME and KUBERNETES_SERVICE_HOST are read from. */
    env: NodeJS.ProcessEnv;
    context?: string;
    namespace: string;
    veleroNamespace: string;
    /** How long each request may take (--request-timeout). */
    requestSeconds: number;
    /** The command's deadline: it aborts the requests in flight and names them. */
    deadline: Deadline;
}

/** Per-request client-node options: middleware (client-node's own Observable kind) that sees each request and response. */
type RequestOptions = K8s.ConfigurationOptions;

/** A Job's status condition (Complete, Failed, ...). */
export interface JobCondition {
    type: string;
    status: string;
    reason?: string;
    message?: string;
}

/** A Velero Schedule as `backups status` reads it. */
export interface VeleroScheduleSpec {
    name: string;
    /** spec.schedule, as written. */
    schedule?: string;
    paused: boolean;
}

const VELERO = { group: "velero.io", version: "v1" };
/** Items per list page: kubectl's own chunk size. */
const LIST_PAGE_SIZE = 500;
/** A bound on pages, against a server that never stops answering with a continue token (10 million items). */
const LIST_MAX_PAGES = 20_000;
const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/**
 * @kubernetes/client-node takes most of a second to load (hundreds of modules), so it is loaded
 * at the first command that talks to the cluster, never for --help or a usage error. A dynamic
 * import() goes through Node's own ESM loader, which tsx's require hook (the bin's) does not
 * slow down; the package is ESM anyway.
 */
let clientNode: Promise<typeof K8s> | undefined;
export function loadClientNode(): Promise<typeof K8s> {
    return (clientNode ??= import("@kubernetes/client-node"));
}

/** One kubeconfig file as found: its text, or why it cannot be used. */
interface KubeconfigFile {
    file: string;
    text?: string;
    unusable?: string;
}

/** The files kubectl would read: KUBECONFIG's list, else ~/.kube/config. */
export function kubeconfigFiles(env: NodeJS.ProcessEnv): { files: string[]; fromEnv: boolean } {
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
    // Comments, document markers and blank lines only: client-node would fail on it with a TypeError.
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

/** The few calls the CLI makes, each turning client-node failures into one line naming the object. */
export class Cluster {
    private readonly core: K8s.CoreV1Api;
    private readonly batch: K8s.BatchV1Api;
    private readonly custom: K8s.CustomObjectsApi;

    private constructor(
        private readonly k8s: typeof K8s,
        private readonly kc: K8s.KubeConfig,
        readonly server: string,
        readonly options: ClusterOptions,
    ) {
        this.core = kc.makeApiClient(k8s.CoreV1Api);
        this.batch = kc.makeApiClient(k8s.BatchV1Api);
        this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
    }

    /** Reads the kubeconfig (KUBECONFIG's files, else ~/.kube/config, else the pod's service account) and loads client-node. */
    static async connect(options: ClusterOptions): Promise<Cluster> {
        const { files, fromEnv } = kubeconfigFiles(options.env);
        const found = files.map(readKubeconfig);
        const usable = found.filter((f) => f.text !== undefined);
        const inCluster = usable.length === 0 && Boolean(options.env.KUBERNETES_SERVICE_HOST) && fs.existsSync(SERVICE_ACCOUNT_TOKEN);
        if (usable.length === 0 && !inCluster) throw new CliError(noKubeconfig(found, fromEnv));
        const k8s = await loadClientNode();
        const kc = new k8s.KubeConfig();
        if (inCluster) {
            kc.loadFromCluster();
        } else {
            usable.forEach(({ file, text }, i) => {
                const one = i === 0 ? kc : new k8s.KubeConfig();
                try {
                    one.loadFromString(text!);
                } catch (error) {
                    // js-yaml reads a bare scalar (`~`, a word) as a non-mapping, and client-node then fails on `.clusters`.
                    const cause = error instanceof TypeError ? "not a kubeconfig (a YAML mapping with clusters, contexts and users)" : firstLine(error);
                    throw new CliError(`cannot load kubeconfig ${file}: ${cause}`);
                }
                one.makePathsAbsolute(path.dirname(file));
                if (one.clusters.length === 0 && one.contexts.length === 0 && one.users.length === 0) {
                    throw new CliError(`cannot load kubeconfig ${file}: it has no clusters, contexts or users`);
                }
                if (one !== kc) kc.mergeConfig(one);
            });
        }
        const source = inCluster ? "the pod's service account" : `the kubeconfig (${usable.map((f) => f.file).join(", ")})`;
        if (options.context !== undefined) {
            if (!kc.getContextObject(options.context)) throw new CliError(`context ${options.context} is not in ${source}`);
            kc.setCurrentContext(options.context);
        }
        const cluster = kc.getCurrentCluster();
        if (!cluster) throw new CliError(`${source} has no current cluster: pass --context or set current-context`);
        return new Cluster(k8s, kc, cluster.server, options);
    }

    /**
     * Runs one request, `what` (verb, resource, namespace) naming it in every failure, and returns
     * its JSON body once checked against `expected`: within --request-timeout and the command's
     * deadline, both of which abort it (the signal reaches node-fetch; the race also covers an exec
     * credential plugin that never returns). A 404 is undefined when `missing` is "undefined".
     */
    private async request(what: string, expected: Expected, missing: "error" | "undefined", run: (options: RequestOptions) => Promise<unknown>): Promise<unknown> {
        const { deadline, requestSeconds } = this.options;
        if (deadline.signal.aborted) throw deadline.signal.reason;
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(this.timedOut(what)), requestSeconds * 1000);
        const onDeadline = () => controller.abort(deadline.signal.reason);
        deadline.signal.addEventListener("abort", onDeadline);
        const done = deadline.waitFor(what);
        const body: { value?: unknown } = {};
        try {
            await Promise.race([run(this.requestOptions(what, expected, controller.signal, body)), aborted(controller.signal)]);
            return body.value;
        } catch (error) {
            if (controller.signal.aborted) throw controller.signal.reason;
            if (error instanceof CliError) throw error;
            if (missing === "undefined" && error instanceof this.k8s.ApiException && error.code === 404) return undefined;
            throw this.explain(what, error);
        } finally {
            clearTimeout(timer);
            deadline.signal.removeEventListener("abort", onDeadline);
            done();
        }
    }

    /**
     * The middleware of one request: the abort signal on the way out; on the way back, a success's
     * body read, parsed and checked here, once, and kept in `body`. client-node is then handed an
     * empty object to deserialize: the CLI reads the API's JSON, not client-node's typed copy.
     */
    private requestOptions(what: string, expected: Expected, signal: AbortSignal, body: { value?: unknown }): RequestOptions {
        const { Observable } = this.k8s;
        const middleware: K8s.ObservableMiddleware = {
            pre: (context) => {
                context.setSignal(signal as Parameters<typeof context.setSignal>[0]);
                return new Observable(Promise.resolve(context));
            },
            post: (response) => {
                if (response.httpStatusCode < 200 || response.httpStatusCode > 299) return new Observable(Promise.resolve(response));
                return new Observable(
                    response.body.text().then((text) => {
                        body.value = this.checkedBody(what, expected, text);
                        response.body = { text: async () => "{}", binary: async () => Buffer.from("{}") };
                        return response;
                    }),
                );
            },
        };
        return { middleware: [middleware], middlewareMergeStrategy: "append" };
    }

    /** The parsed body, or a CliError naming the request, the server and what is wrong with it. */
    private checkedBody(what: string, expected: Expected, text: string): unknown {
        let parsed: unknown;
        try {
            parsed = JSON.parse(text);
        } catch (error) {
            throw this.invalidBody(what, `not JSON (${firstLine(error)})`);
        }
        const problem = responseProblem(parsed, expected);
        if (problem) throw this.invalidBody(what, problem);
        return parsed;
    }

    private invalidBody(what: string, problem: string): CliError {
        return new CliError(`${what}: invalid response body from ${this.server}: ${problem}`);
    }

    private timedOut(what: string): CliError {
        return new CliError(
            `${what}: no answer from the cluster at ${this.server} within ${this.options.requestSeconds} s (--request-timeout, or ${REQUEST_TIMEOUT_ENV})`,
        );
    }

    private explain(what: string, error: unknown): CliError {
        if (error instanceof this.k8s.ApiException) {
            const message = statusMessage(error.body);
            if (error.code === 401) return new CliError(`${what}: unauthorized (401): the kubeconfig's credentials were refused`);
            if (error.code === 403) return new CliError(`${what}: forbidden (403)${message ? `: ${message}` : ""}`);
            if (error.code === 404) return new CliError(`${what}: not found (404)${message ? `: ${message}` : ""}`);
            return new CliError(`${what}: the API server answered ${error.code}${message ? `: ${message}` : ""}`);
        }
        return this.credentialPluginError(what, error) ?? new CliError(`${what}: cannot reach the cluster at ${this.server}: ${networkCause(error)}`);
    }

    /**
     * The failure of the kubeconfig's exec credential plugin (aws eks get-token, gke-gcloud-auth-plugin,
     * kubelogin), which client-node runs before each request, or undefined: anything but node-fetch's
     * own FetchError, with such a plugin configured, is the plugin's.
     */
    private credentialPluginError(what: string, error: unknown): CliError | undefined {
        const user = this.kc.getCurrentUser();
        const command = user?.exec?.command ?? (user?.authProvider?.config?.exec as { command?: string } | undefined)?.command;
        if (command === undefined || (error as Error)?.name === "FetchError") return undefined;
        const plugin = `the kubeconfig's exec credential plugin "${command}" (user ${user!.name})`;
        const { code, syscall } = error as NodeJS.ErrnoException;
        if (syscall?.startsWith("spawn") && code === "ENOENT") return new CliError(`${what}: ${plugin} was not found: install it, or put it on PATH`);
        if (syscall?.startsWith("spawn")) return new CliError(`${what}: ${plugin} cannot be run (${code})`);
        const why = error instanceof SyntaxError ? `its output is not JSON (${firstLine(error)})` : firstLine(error).trim() || "no message";
        return new CliError(`${what}: ${plugin} failed: ${why}`);
    }

    /** The items of a list; every failure is a CliError naming `what`. */
    private async list(what: string, run: (options: RequestOptions) => Promise<unknown>): Promise<ApiObject[]> {
        const body = (await this.request(what, { list: true }, "error", run)) as { items: ApiObject[] | null };
        return body.items ?? [];
    }

    /**
     * Lists page by page (`limit`, `continue`), mapping each page before the next is read: a real
     * cluster's 40,000 Velero Backups are then never in memory whole, as one body or as objects.
     */
    private async listPaged<T>(
        what: string,
        run: (page: { limit: number; _continue?: string }, options: RequestOptions) => Promise<unknown>,
        map: (item: ApiObject) => T,
    ): Promise<T[]> {
        const mapped: T[] = [];
        let token: string | undefined;
        for (let page = 1; ; page++) {
            const body = (await this.request(what, { list: true }, "error", (options) => run({ limit: LIST_PAGE_SIZE, _continue: token }, options))) as {
                items: ApiObject[] | null;
                metadata?: { continue?: unknown };
            };
            for (const item of body.items ?? []) mapped.push(map(item));
            const next = body.metadata?.continue;
            if (typeof next !== "string" || next === "") return mapped;
            if (page >= LIST_MAX_PAGES) throw new CliError(`${what}: still more after ${LIST_MAX_PAGES} pages of ${LIST_PAGE_SIZE}; the server keeps answering with a continue token`);
            token = next;
        }
    }

    /** The object `name`, or undefined when it does not exist (404). */
    private async get(what: string, name: string, run: (options: RequestOptions) => Promise<unknown>): Promise<ApiObject | undefined> {
        return (await this.request(what, { named: name }, "undefined", run)) as ApiObject | undefined;
    }

    /** Deletes; false when it was already gone (404). */
    private async remove(what: string, run: (options: RequestOptions) => Promise<unknown>): Promise<boolean> {
        return (await this.request(what, { anyObject: true }, "undefined", run)) !== undefined;
    }

    /**
     * Every metadata ConfigMap of a service: those carrying the labels, plus the rotated names
     * probed one by one, since a ConfigMap created by hand or by an older release may lack them.
     */
    async metadataConfigMaps(service: MetadataService): Promise<MetadataConfigMap[]> {
        const namespace = this.options.namespace;
        const labelSelector = `app=backups-metadata,service=${service}`;
        const listed = await this.list(`list configmaps -l ${labelSelector} in namespace ${namespace}`, (options) =>
            this.core.listNamespacedConfigMap({ namespace, labelSelector }, options),
        );
        const found = new Map<string, MetadataConfigMap>();
        for (const item of listed) found.set(item.metadata.name, { name: item.metadata.name, service, data: configMapData(item) });
        const highest = Math.max(-1, ...[...found.keys()].map((n) => metadataConfigMapIndex(service, n) ?? -1));
        // Probe past the highest labelled index until the first name that does not exist; bounded, as a
        // server that answers every name would otherwise keep this going forever.
        let probes = 0;
        for (let index = 0; ; index++) {
            const name = index === 0 ? METADATA_CONFIGMAP[service] : `${METADATA_CONFIGMAP[service]}-${index}`;
            if (found.has(name)) continue;
            if (++probes > METADATA_PROBE_LIMIT) throw tooManyProbes(service, namespace);
            const item = await this.get(`get configmap ${name} in namespace ${namespace}`, name, (options) =>
                this.core.readNamespacedConfigMap({ name, namespace }, options),
            );
            if (item) found.set(name, { name, service, data: configMapData(item) });
            else if (index > highest) break;
        }
        if (found.size === 0) {
            throw new MetadataMissingError(`configmap ${METADATA_CONFIGMAP[service]} not found in namespace ${namespace} (nor any with labels ${labelSelector})`);
        }
        return [...found.values()];
    }

    /**
     * Superset's metadata ConfigMaps (Hopsworks 5.2): superset-backups-metadata and any labelled
     * app=backups-metadata,service=superset (as RonDB's are; rotation assumed alike). None on a
     * cluster before 5.2 or before its first Superset backup: then every restore point shows none.
     */
    async supersetMetadataConfigMaps(): Promise<{ name: string; data: Record<string, string> }[]> {
        const namespace = this.options.namespace;
        const labelSelector = "app=backups-metadata,service=superset";
        const listed = await this.list(`list configmaps -l ${labelSelector} in namespace ${namespace}`, (options) =>
            this.core.listNamespacedConfigMap({ namespace, labelSelector }, options),
        );
        const found = listed.map((item) => ({ name: item.metadata.name, data: configMapData(item) }));
        if (found.some((c) => c.name === SUPERSET.metadataConfigMap)) return found;
        const data = await this.configMapData(SUPERSET.metadataConfigMap);
        return data === undefined ? found : [{ name: SUPERSET.metadataConfigMap, data }, ...found];
    }

    /** A ConfigMap's data in the Hopsworks namespace, or undefined when it does not exist. */
    async configMapData(name: string): Promise<Record<string, string> | undefined> {
        const namespace = this.options.namespace;
        const item = await this.get(`get configmap ${name} in namespace ${namespace}`, name, (options) =>
            this.core.readNamespacedConfigMap({ name, namespace }, options),
        );
        return item === undefined ? undefined : configMapData(item);
    }

    /** A Job's status conditions in the Hopsworks namespace, or undefined when it does not exist. */
    async jobConditions(name: string): Promise<JobCondition[] | undefined> {
        const namespace = this.options.namespace;
        const job = await this.get(`get job ${name} in namespace ${namespace}`, name, (options) => this.batch.readNamespacedJob({ name, namespace }, options));
        if (job === undefined) return undefined;
        const conditions = field(job, "status").conditions;
        return (Array.isArray(conditions) ? conditions : []).map((c: Record<string, unknown>) => ({
            type: text(c?.type) ?? "",
            status: text(c?.status) ?? "",
            ...(text(c?.reason) ? { reason: text(c?.reason) } : {}),
            ...(text(c?.message) ? { message: text(c?.message) } : {}),
        }));
    }

    async allMetadataConfigMaps(): Promise<MetadataConfigMap[]> {
        const lists = await Promise.all(METADATA_SERVICES.map((service) => this.metadataConfigMaps(service)));
        return lists.flat();
    }

    async veleroBackups(): Promise<VeleroBackup[]> {
        const namespace = this.options.veleroNamespace;
        const labelSelector = `velero.io/schedule-name in (${Object.values(VELERO_SCHEDULES).join(",")})`;
        return this.listPaged(
            `list backups.velero.io in namespace ${namespace}`,
            (page, options) => this.custom.listNamespacedCustomObject({ ...VELERO, namespace, plural: "backups", labelSelector, ...page }, options),
            (item): VeleroBackup => {
                const spec = field(item, "spec");
                const status = field(item, "status");
                return {
                    name: item.metadata.name,
                    schedule: item.metadata.labels?.["velero.io/schedule-name"] ?? "",
                    storageLocation: text(spec.storageLocation),
                    phase: text(status.phase),
                    started: date(status.startTimestamp) ?? date(item.metadata.creationTimestamp),
                    completed: date(status.completionTimestamp),
                };
            },
        );
    }

    /** The Velero Schedule `name` (k8s-backups-main, ...), or undefined when it does not exist. */
    async veleroSchedule(name: string): Promise<VeleroScheduleSpec | undefined> {
        const namespace = this.options.veleroNamespace;
        const item = await this.get(`get schedule.velero.io ${name} in namespace ${namespace}`, name, (options) =>
            this.custom.getNamespacedCustomObject({ ...VELERO, namespace, plural: "schedules", name }, options),
        );
        if (!item) return undefined;
        const spec = field(item, "spec");
        return { name, schedule: text(spec.schedule), paused: spec.paused === true };
    }

    async location(): Promise<LocationStatus | undefined> {
        const namespace = this.options.veleroNamespace;
        const item = await this.get(`get backupstoragelocation ${LOCATION_NAME} in namespace ${namespace}`, LOCATION_NAME, (options) =>
            this.custom.getNamespacedCustomObject({ ...VELERO, namespace, plural: "backupstoragelocations", name: LOCATION_NAME }, options),
        );
        if (!item) return undefined;
        const status = field(item, "status");
        return { name: LOCATION_NAME, phase: text(status.phase), lastSynced: date(status.lastSyncedTime) };
    }

    async jobExists(name: string): Promise<boolean> {
        return (await this.jobFinalizers(name)) !== undefined;
    }

    /** Velero restores named after the backup they restore (name = spec.backupName), as the chart's in-place restores are. */
    async veleroRestoresNamedAfterTheirBackup(): Promise<string[]> {
        const namespace = this.options.veleroNamespace;
        const items = await this.list(`list restores.velero.io in namespace ${namespace}`, (options) =>
            this.custom.listNamespacedCustomObject({ ...VELERO, namespace, plural: "restores" }, options),
        );
        return items.filter((r) => r.metadata.name === field(r, "spec").backupName).map((r) => r.metadata.name);
    }

    /** The finalizers still holding a Velero Restore, or undefined when it is gone. */
    async veleroRestoreFinalizers(name: string): Promise<string[] | undefined> {
        const namespace = this.options.veleroNamespace;
        const item = await this.get(`get restore.velero.io ${name} in namespace ${namespace}`, name, (options) =>
            this.custom.getNamespacedCustomObject({ ...VELERO, namespace, plural: "restores", name }, options),
        );
        return item === undefined ? undefined : item.metadata.finalizers ?? [];
    }

    /** The finalizers still holding a Job, or undefined when it is gone. */
    async jobFinalizers(name: string): Promise<string[] | undefined> {
        const namespace = this.options.namespace;
        const job = await this.get(`get job ${name} in namespace ${namespace}`, name, (options) => this.batch.readNamespacedJob({ name, namespace }, options));
        return job === undefined ? undefined : job.metadata.finalizers ?? [];
    }

    async veleroRestoreExists(name: string): Promise<boolean> {
        return (await this.veleroRestoreFinalizers(name)) !== undefined;
    }

    /** Deletes a Job and, in the background, its pods; false when it was already gone. */
    async deleteJob(name: string): Promise<boolean> {
        const namespace = this.options.namespace;
        return this.remove(`delete job ${name} in namespace ${namespace}`, (options) =>
            this.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: "Background" }, options),
        );
    }

    async deleteVeleroRestore(name: string): Promise<boolean> {
        const namespace = this.options.veleroNamespace;
        return this.remove(`delete restore.velero.io ${name} in namespace ${namespace}`, (options) =>
            this.custom.deleteNamespacedCustomObject({ ...VELERO, namespace, plural: "restores", name }, options),
        );
    }
}

/**
 * How many rotated names of one service's metadata ConfigMap are probed at most: Hopsworks rotates
 * at thousands of keys, a few a year; more means a server that answers every name.
 */
const METADATA_PROBE_LIMIT = 100;

function tooManyProbes(service: MetadataService, namespace: string): CliError {
    return new CliError(
        `get configmap ${METADATA_CONFIGMAP[service]}-<n> in namespace ${namespace}: stopped after probing ${METADATA_PROBE_LIMIT} rotated names ` +
            "(a real cluster has a few): the API server answers for names that do not exist, or a labelled ConfigMap's index is far past the others",
    );
}

/** An object's field that should be a mapping (spec, status), else an empty one. */
function field(item: ApiObject, name: string): Record<string, unknown> {
    const value = item[name];
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

function date(value: unknown): Date | undefined {
    const parsed = typeof value === "string" ? new Date(value) : undefined;
    return parsed && !Number.isNaN(parsed.getTime()) ? parsed : undefined;
}

/** A ConfigMap's data, checked as strings by response.ts. */
function configMapData(item: ApiObject): Record<string, string> {
    return (item.data ?? {}) as Record<string, string>;
}

/** A promise that rejects with the signal's reason when it aborts, and never settles otherwise. */
function aborted(signal: AbortSignal): Promise<never> {
    return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
}

function statusMessage(body: unknown): string | undefined {
    let parsed = body;
    if (typeof body === "string") {
        try {
            parsed = JSON.parse(body);
        } catch {
            return body.trim().split("\n")[0] || undefined;
        }
    }
    const message = (parsed as { message?: unknown } | undefined)?.message;
    return typeof message === "string" ? message : undefined;
}

/** The innermost cause of a failed request (ECONNREFUSED, a DNS failure, ...), on one line. */
function networkCause(error: unknown): string {
    let current: any = error;
    while (current?.cause) current = current.cause;
    const code = current?.code ? `${current.code}` : "";
    // node-fetch wraps the socket error as "request to <url> failed, reason: <cause>".
    const message = firstLine(current).replace(/^request to \S+ failed, reason: /, "");
    return code && !message.includes(code) ? `${code}: ${message}` : message;
}

function firstLine(error: unknown): string {
    return String((error as Error)?.message ?? error).split("\n")[0];
}
