import { METADATA_CONFIGMAP, METADATA_SERVICES, MetadataConfigMap, metadataConfigMapIndex, MetadataService, VeleroBackup } from "../stacks/catalogue/restore-points";
import type { Deadline } from "./deadline";
import { CliError, MetadataMissingError } from "./errors";
import { CredentialError, firstLine, KubeAccess } from "./kube-access";
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

const VELERO_API = "/apis/velero.io/v1";
/**
 * Items per list page: twice kubectl's 500, as every page is a round trip to the API server (40,000
 * Velero Backups are 40 of them, not 80), while a page of real Backups stays a few megabytes.
 */
const LIST_PAGE_SIZE = 1000;
/** A bound on pages, against a server that never stops answering with a continue token (20 million items). */
const LIST_MAX_PAGES = 20_000;

/** A path with its query: `undefined` parameters left out, the rest URL-encoded. */
function withQuery(pathname: string, query: Record<string, string | number | undefined>): string {
    const params = Object.entries(query).filter((entry): entry is [string, string | number] => entry[1] !== undefined);
    return params.length === 0 ? pathname : `${pathname}?${params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&")}`;
}

/** The few calls the CLI makes, each turning a failure into one line naming the request. */
export class Cluster {
    private constructor(
        private readonly access: KubeAccess,
        readonly options: ClusterOptions,
    ) {}

    get server(): string {
        return this.access.server;
    }

    /** Reads the kubeconfig (KUBECONFIG's files, else ~/.kube/config, else the pod's service account). */
    static async connect(options: ClusterOptions): Promise<Cluster> {
        return new Cluster(await KubeAccess.load(options.env, options.context), options);
    }

    /**
     * Runs one request, `what` (verb, resource, namespace) naming it in every failure, and returns
     * its JSON body once checked against `expected`: within --request-timeout and the command's
     * deadline, both of which abort it (the race also covers an exec credential plugin that never
     * returns). A 404 is undefined when `missing` is "undefined".
     */
    private async request(what: string, method: "GET" | "DELETE", pathAndQuery: string, expected: Expected, missing: "error" | "undefined"): Promise<unknown> {
        const { deadline, requestSeconds } = this.options;
        if (deadline.signal.aborted) throw deadline.signal.reason;
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(this.timedOut(what)), requestSeconds * 1000);
        const onDeadline = () => controller.abort(deadline.signal.reason);
        deadline.signal.addEventListener("abort", onDeadline);
        const done = deadline.waitFor(what);
        try {
            const response = await Promise.race([this.access.send(method, pathAndQuery, controller.signal), aborted(controller.signal)]);
            if (response.status >= 200 && response.status <= 299) return this.checkedBody(what, expected, response.text);
            if (missing === "undefined" && response.status === 404) return undefined;
            throw this.refused(what, response.status, response.text);
        } catch (error) {
            if (controller.signal.aborted) throw controller.signal.reason;
            if (error instanceof CliError) throw error;
            throw this.explain(what, error);
        } finally {
            clearTimeout(timer);
            deadline.signal.removeEventListener("abort", onDeadline);
            done();
        }
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

    /** An answer other than 2xx: the status and the API server's own message. */
    private refused(what: string, code: number, body: string): CliError {
        const message = statusMessage(body);
        if (code === 401) return new CliError(`${what}: unauthorized (401): the kubeconfig's credentials were refused`);
        if (code === 403) return new CliError(`${what}: forbidden (403)${message ? `: ${message}` : ""}`);
        if (code === 404) return new CliError(`${what}: not found (404)${message ? `: ${message}` : ""}`);
        return new CliError(`${what}: the API server answered ${code}${message ? `: ${message}` : ""}`);
    }

    private explain(what: string, error: unknown): CliError {
        if (error instanceof CredentialError) return this.credentialError(what, error.cause);
        return new CliError(`${what}: cannot reach the cluster at ${this.server}: ${networkCause(error)}`);
    }

    /**
     * The failure of the kubeconfig's credentials before the request went out: its exec credential
     * plugin (aws eks get-token, gke-gcloud-auth-plugin, kubelogin), else a token, certificate or
     * key file that cannot be read, or another auth provider's failure.
     */
    private credentialError(what: string, error: unknown): CliError {
        const command = this.access.execCommand();
        const user = this.access.user?.name;
        if (command === undefined) return new CliError(`${what}: the kubeconfig's credentials for user ${user} cannot be used: ${firstLine(error)}`);
        const plugin = `the kubeconfig's exec credential plugin "${command}" (user ${user})`;
        const { code, syscall } = error as NodeJS.ErrnoException;
        if (syscall?.startsWith("spawn") && code === "ENOENT") return new CliError(`${what}: ${plugin} was not found: install it, or put it on PATH`);
        if (syscall?.startsWith("spawn")) return new CliError(`${what}: ${plugin} cannot be run (${code})`);
        const why = error instanceof SyntaxError ? `its output is not JSON (${firstLine(error)})` : firstLine(error).trim() || "no message";
        return new CliError(`${what}: ${plugin} failed: ${why}`);
    }

    /** The items of a list; every failure is a CliError naming `what`. */
    private async list(what: string, pathAndQuery: string): Promise<ApiObject[]> {
        const body = (await this.request(what, "GET", pathAndQuery, { list: true }, "error")) as { items: ApiObject[] | null };
        return body.items ?? [];
    }

    /**
     * Lists page by page (`limit`, `continue`), mapping each page before the next is read: a real
     * cluster's 40,000 Velero Backups are then never in memory whole, as one body or as objects.
     */
    private async listPaged<T>(what: string, pathname: string, query: Record<string, string>, map: (item: ApiObject) => T): Promise<T[]> {
        const mapped: T[] = [];
        let token: string | undefined;
        for (let page = 1; ; page++) {
            const pageQuery = withQuery(pathname, { ...query, limit: LIST_PAGE_SIZE, continue: token });
            const body = (await this.request(what, "GET", pageQuery, { list: true }, "error")) as { items: ApiObject[] | null; metadata?: { continue?: unknown } };
            for (const item of body.items ?? []) mapped.push(map(item));
            const next = body.metadata?.continue;
            if (typeof next !== "string" || next === "") return mapped;
            if (page >= LIST_MAX_PAGES) throw new CliError(`${what}: still more after ${LIST_MAX_PAGES} pages of ${LIST_PAGE_SIZE}; the server keeps answering with a continue token`);
            token = next;
        }
    }

    /** The object `name`, or undefined when it does not exist (404). */
    private async get(what: string, name: string, pathname: string): Promise<ApiObject | undefined> {
        return (await this.request(what, "GET", pathname, { named: name }, "undefined")) as ApiObject | undefined;
    }

    /** Deletes; false when it was already gone (404). */
    private async remove(what: string, pathAndQuery: string): Promise<boolean> {
        return (await this.request(what, "DELETE", pathAndQuery, { anyObject: true }, "undefined")) !== undefined;
    }

    /**
     * Every metadata ConfigMap of a service: those carrying the labels, plus the rotated names
     * probed one by one, since a ConfigMap created by hand or by an older release may lack them.
     */
    async metadataConfigMaps(service: MetadataService): Promise<MetadataConfigMap[]> {
        const namespace = this.options.namespace;
        const labelSelector = `app=backups-metadata,service=${service}`;
        const listed = await this.list(`list configmaps -l ${labelSelector} in namespace ${namespace}`, configMapsPath(namespace, labelSelector));
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
            const item = await this.get(`get configmap ${name} in namespace ${namespace}`, name, configMapPath(namespace, name));
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
        const listed = await this.list(`list configmaps -l ${labelSelector} in namespace ${namespace}`, configMapsPath(namespace, labelSelector));
        const found = listed.map((item) => ({ name: item.metadata.name, data: configMapData(item) }));
        if (found.some((c) => c.name === SUPERSET.metadataConfigMap)) return found;
        const data = await this.configMapData(SUPERSET.metadataConfigMap);
        return data === undefined ? found : [{ name: SUPERSET.metadataConfigMap, data }, ...found];
    }

    /** A ConfigMap's data in the Hopsworks namespace, or undefined when it does not exist. */
    async configMapData(name: string): Promise<Record<string, string> | undefined> {
        const namespace = this.options.namespace;
        const item = await this.get(`get configmap ${name} in namespace ${namespace}`, name, configMapPath(namespace, name));
        return item === undefined ? undefined : configMapData(item);
    }

    /** A Job's status conditions in the Hopsworks namespace, or undefined when it does not exist. */
    async jobConditions(name: string): Promise<JobCondition[] | undefined> {
        const namespace = this.options.namespace;
        const job = await this.get(`get job ${name} in namespace ${namespace}`, name, jobPath(namespace, name));
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
            veleroPath(namespace, "backups"),
            { labelSelector },
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
        const item = await this.get(`get schedule.velero.io ${name} in namespace ${namespace}`, name, veleroPath(namespace, "schedules", name));
        if (!item) return undefined;
        const spec = field(item, "spec");
        return { name, schedule: text(spec.schedule), paused: spec.paused === true };
    }

    async location(): Promise<LocationStatus | undefined> {
        const namespace = this.options.veleroNamespace;
        const item = await this.get(`get backupstoragelocation ${LOCATION_NAME} in namespace ${namespace}`, LOCATION_NAME, veleroPath(namespace, "backupstoragelocations", LOCATION_NAME));
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
        const items = await this.list(`list restores.velero.io in namespace ${namespace}`, veleroPath(namespace, "restores"));
        return items.filter((r) => r.metadata.name === field(r, "spec").backupName).map((r) => r.metadata.name);
    }

    /** The finalizers still holding a Velero Restore, or undefined when it is gone. */
    async veleroRestoreFinalizers(name: string): Promise<string[] | undefined> {
        const namespace = this.options.veleroNamespace;
        const item = await this.get(`get restore.velero.io ${name} in namespace ${namespace}`, name, veleroPath(namespace, "restores", name));
        return item === undefined ? undefined : item.metadata.finalizers ?? [];
    }

    /** The finalizers still holding a Job, or undefined when it is gone. */
    async jobFinalizers(name: string): Promise<string[] | undefined> {
        const namespace = this.options.namespace;
        const job = await this.get(`get job ${name} in namespace ${namespace}`, name, jobPath(namespace, name));
        return job === undefined ? undefined : job.metadata.finalizers ?? [];
    }

    async veleroRestoreExists(name: string): Promise<boolean> {
        return (await this.veleroRestoreFinalizers(name)) !== undefined;
    }

    /** Deletes a Job and, in the background, its pods; false when it was already gone. */
    async deleteJob(name: string): Promise<boolean> {
        const namespace = this.options.namespace;
        return this.remove(`delete job ${name} in namespace ${namespace}`, withQuery(jobPath(namespace, name), { propagationPolicy: "Background" }));
    }

    async deleteVeleroRestore(name: string): Promise<boolean> {
        const namespace = this.options.veleroNamespace;
        return this.remove(`delete restore.velero.io ${name} in namespace ${namespace}`, veleroPath(namespace, "restores", name));
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
    const message = firstLine(current);
    return code && !message.includes(code) ? `${code}: ${message}` : message;
}

function configMapsPath(namespace: string, labelSelector: string): string {
    return withQuery(`/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`, { labelSelector });
}

function configMapPath(namespace: string, name: string): string {
    return `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/${encodeURIComponent(name)}`;
}

function jobPath(namespace: string, name: string): string {
    return `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs/${encodeURIComponent(name)}`;
}

/** A Velero resource's path: the collection, or the object `name`. */
function veleroPath(namespace: string, plural: string, name?: string): string {
    return `${VELERO_API}/namespaces/${encodeURIComponent(namespace)}/${plural}${name === undefined ? "" : `/${encodeURIComponent(name)}`}`;
}
