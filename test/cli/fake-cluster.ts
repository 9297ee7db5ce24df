import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { CliIo } from "../../cli/errors";
import { main } from "../../cli/main";
import { allows, forbiddenMessage, resourceRequest, Role } from "./fake-rbac";

/**
 * An in-process stand-in for the Kubernetes API server: the few namespaced endpoints the CLI
 * calls (list/get/delete), answered with the API's JSON, including Status error bodies.
 */
export type KubeObject = { metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown }; [k: string]: unknown };

export interface FakeCluster {
    port: number;
    kubeconfig: string;
    dir: string;
    /** Objects by collection path, e.g. "/api/v1/namespaces/hopsworks/configmaps". */
    objects: Map<string, Map<string, KubeObject>>;
    /** "METHOD path" of every request, query string included. */
    requests: string[];
    /** Requests this returns true for are answered 403. */
    forbid: (method: string, pathname: string) => boolean;
    /** RBAC mode: when set, every request no Role here grants is answered 403, as the API server does (fake-rbac.ts). */
    roles?: Role[];
    /**
     * A sick server: "hang" accepts every request and never answers; "nonsense" answers every
     * request 200 with `{"items": "notalist"}`; "invalid-json" answers 200 with a body that is not JSON.
     */
    mode: "normal" | "hang" | "nonsense" | "invalid-json";
    /** An answer of a test's own (status and JSON body) for the requests it returns one for; undefined: the usual. */
    answer: (method: string, pathname: string) => { code: number; body: unknown } | undefined;
    put(collection: string, object: KubeObject): void;
    close(): Promise<void>;
}

const KINDS: Record<string, string> = {
    configmaps: "ConfigMap", jobs: "Job", backups: "Backup", restores: "Restore", backupstoragelocations: "BackupStorageLocation",
    schedules: "Schedule",
};

/** The CLI's account in RBAC mode. */
export const RBAC_USER = "system:serviceaccount:ops:hopsworks-dr-cli";

function status(code: number, reason: string, message: string) {
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

/** Equality (`a=b,c=d`) and set (`k in (x,y)`) selectors, the two forms the CLI sends. */
export function matchesSelector(labels: Record<string, string> = {}, selector: string | null): boolean {
    if (!selector) return true;
    const inSet = /^\s*([\w./-]+)\s+in\s+\(([^)]*)\)\s*$/.exec(selector);
    if (inSet) return inSet[2].split(",").map((v) => v.trim()).includes(labels[inSet[1]]);
    return selector.split(",").every((term) => {
        const [key, value] = term.split("=");
        return labels[key.trim()] === value.trim();
    });
}

export async function startFakeCluster(): Promise<FakeCluster> {
    const objects = new Map<string, Map<string, KubeObject>>();
    const requests: string[] = [];
    const cluster = {} as FakeCluster;
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        requests.push(`${req.method} ${url.pathname}${url.search}`);
        const send = (code: number, body: unknown) => {
            res.writeHead(code, { "content-type": "application/json" });
            res.end(JSON.stringify(body));
        };
        req.resume();
        req.on("end", () => {
            if (cluster.mode === "hang") return;
            if (cluster.mode === "nonsense") return send(200, { items: "notalist" });
            if (cluster.mode === "invalid-json") {
                res.writeHead(200, { "content-type": "application/json" });
                return res.end('{"kind": "ConfigMapList", "items": [');
            }
            const own = cluster.answer(req.method ?? "GET", url.pathname);
            if (own) return send(own.code, own.body);
            if (req.headers.authorization !== "Bearer test-token") return send(401, status(401, "Unauthorized", "Unauthorized"));
            const match = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
            if (!match) return send(404, status(404, "NotFound", `the server could not find the requested resource ${url.pathname}`));
            const [, , namespace, plural, name] = match;
            const request = resourceRequest(req.method ?? "GET", url.pathname);
            if (cluster.roles && request && !allows(cluster.roles, request)) {
                return send(403, status(403, "Forbidden", forbiddenMessage(RBAC_USER, request)));
            }
            if (cluster.forbid(req.method ?? "GET", url.pathname)) {
                const verb = req.method === "DELETE" ? "delete" : name ? "get" : "list";
                return send(403, status(403, "Forbidden",
                    `${plural} is forbidden: User "system:serviceaccount:ops:reader" cannot ${verb} resource "${plural}" in the namespace "${namespace}"`));
            }
            const collection = objects.get(`${match[1]}/namespaces/${namespace}/${plural}`) ?? new Map<string, KubeObject>();
            if (!name) {
                if (req.method !== "GET") return send(405, status(405, "MethodNotAllowed", "method not allowed"));
                const selector = url.searchParams.get("labelSelector");
                const items = [...collection.values()].filter((o) => matchesSelector(o.metadata.labels, selector));
                // Chunked lists as the API server serves them: `limit` items, then `continue` from where the last page ended.
                const limit = Number(url.searchParams.get("limit") ?? 0);
                const from = Number(url.searchParams.get("continue") ?? 0);
                const page = limit > 0 ? items.slice(from, from + limit) : items;
                const more = limit > 0 && from + limit < items.length;
                return send(200, { kind: `${KINDS[plural] ?? "Object"}List`, apiVersion: "v1", metadata: { resourceVersion: "1", ...(more ? { continue: String(from + limit) } : {}) }, items: page });
            }
            const object = collection.get(name);
            if (!object) return send(404, status(404, "NotFound", `${plural} "${name}" not found`));
            if (req.method === "DELETE") {
                // As the API server does: an object with finalizers is only marked, and goes when they are removed.
                const finalizers = object.metadata.finalizers;
                if (Array.isArray(finalizers) && finalizers.length > 0) {
                    object.metadata.deletionTimestamp ??= new Date().toISOString();
                    return send(200, object);
                }
                collection.delete(name);
                return send(200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name, kind: plural } });
            }
            return send(200, object);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-cli-"));
    const kubeconfig = path.join(dir, "kubeconfig");
    fs.writeFileSync(kubeconfig, kubeconfigText(port, await closedPort()));
    Object.assign(cluster, {
        port,
        kubeconfig,
        dir,
        objects,
        requests,
        forbid: () => false,
        mode: "normal",
        answer: () => undefined,
        put(collectionPath: string, object: KubeObject) {
            if (!objects.has(collectionPath)) objects.set(collectionPath, new Map());
            objects.get(collectionPath)!.set(object.metadata.name, object);
        },
        close: () => new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
            fs.rmSync(dir, { recursive: true, force: true });
        }),
    });
    return cluster;
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
}

/** Context `fake` (current) points at the server with a token user; context `closed` at a closed port. */
export function kubeconfigText(port: number, closed: number): string {
    return `apiVersion: v1
kind: Config
clusters:
  - name: fake
    cluster:
      server: http://127.0.0.1:${port}
      # client-node (program/helm-release.ts reads this cluster too) refuses plain http unless TLS verification is off.
      insecure-skip-tls-verify: true
  - name: closed
    cluster:
      server: http://127.0.0.1:${closed}
      insecure-skip-tls-verify: true
users:
  - name: operator
    user:
      token: test-token
contexts:
  - name: fake
    context: { cluster: fake, user: operator }
  - name: closed
    context: { cluster: closed, user: operator }
current-context: fake
`;
}

export const CONFIGMAPS = "/api/v1/namespaces/hopsworks/configmaps";
export const JOBS = "/apis/batch/v1/namespaces/hopsworks/jobs";
export const BACKUPS = "/apis/velero.io/v1/namespaces/velero/backups";
export const RESTORES = "/apis/velero.io/v1/namespaces/velero/restores";
export const LOCATIONS = "/apis/velero.io/v1/namespaces/velero/backupstoragelocations";
export const SCHEDULES = "/apis/velero.io/v1/namespaces/velero/schedules";

/** A Velero Schedule as the Hopsworks chart creates it (k8s-backups-main, k8s-backups-users-resources). */
export function veleroSchedule(name: string, schedule: string, namespace = "velero"): KubeObject {
    return {
        apiVersion: "velero.io/v1",
        kind: "Schedule",
        metadata: { name, namespace },
        spec: { schedule, template: { storageLocation: "hopsworks-bsl" } },
    };
}

export function metadataConfigMap(name: string, service: string | undefined, data: Record<string, unknown>): KubeObject {
    const labels = service ? { app: "backups-metadata", service } : undefined;
    const text = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
    return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "hopsworks", labels }, data: text };
}

/** A successful metadata entry that took a minute. */
export function success(id: string, start: string, service = "rondb") {
    const end = new Date(Date.parse(start) + 60_000).toISOString();
    return { start_time: start, end_time: end, duration_ms: 60000, state: "SUCCESS", path: `s3://hopsworks-prod/${service}_backup/${id}` };
}

export function veleroBackup(name: string, schedule: string, phase: string, started: string, location = "hopsworks-bsl"): KubeObject {
    return {
        apiVersion: "velero.io/v1",
        kind: "Backup",
        metadata: { name, namespace: "velero", labels: { "velero.io/schedule-name": schedule }, creationTimestamp: started },
        spec: { storageLocation: location },
        status: { phase, startTimestamp: started, completionTimestamp: new Date(Date.parse(started) + 40_000).toISOString() },
    };
}

/**
 * Three weekly backups (Mondays 10:00 UTC) across New Year: 255211000 (2025-12-22), 250111000
 * (2025-12-29, ISO week 1 of 2026 but year 25) and 260211000 (2026-01-05), whose OpenSearch
 * backup failed. RonDB's metadata is rotated over three ConfigMaps, the oldest unlabelled. Both
 * Velero Schedules run on the same weekly cron.
 */
export function seedCatalogue(cluster: FakeCluster): void {
    cluster.put(CONFIGMAPS, metadataConfigMap("rondb-backups-metadata", "rondb", {
        "260211000": success("260211000", "2026-01-05T10:00:05Z"),
        "255111000": "{not json",
    }));
    cluster.put(CONFIGMAPS, metadataConfigMap("rondb-backups-metadata-1", "rondb", {
        "250111000": success("250111000", "2025-12-29T10:00:04Z"),
    }));
    cluster.put(CONFIGMAPS, metadataConfigMap("rondb-backups-metadata-2", undefined, {
        "255211000": success("255211000", "2025-12-22T10:00:03Z"),
    }));
    cluster.put(CONFIGMAPS, metadataConfigMap("opensearch-backups-metadata", "opensearch", {
        "260211000": { start_time: "2026-01-05T10:00:06Z", state: "FAILED" },
        "250111000": success("250111000", "2025-12-29T10:00:06Z", "opensearch"),
        "255211000": success("255211000", "2025-12-22T10:00:06Z", "opensearch"),
        "255111000": { state: "EXPLODED" },
    }));
    // Hopsworks 5.2's Superset dumps began after 255211000: that point has none. The FAILED one is never a point's.
    cluster.put(CONFIGMAPS, metadataConfigMap("superset-backups-metadata", "superset", {
        "20251229100005-1111": JSON.stringify({ state: "SUCCESS", end_time: "2025-12-29T10:00:35Z", path: "s3://hopsworks-prod/superset_backup/20251229100005-1111" }),
        "20260101000000-3333": JSON.stringify({ state: "FAILED" }),
        "20260105100007-2222": JSON.stringify({ state: "SUCCESS", end_time: "2026-01-05T10:00:37Z", path: "s3://hopsworks-prod/superset_backup/20260105100007-2222" }),
    }));
    const days = [["20251222", "2025-12-22"], ["20251229", "2025-12-29"], ["20260105", "2026-01-05"]];
    for (const [compact, iso] of days) {
        cluster.put(BACKUPS, veleroBackup(`k8s-backups-main-${compact}100012`, "k8s-backups-main", "Completed", `${iso}T10:00:12Z`));
        cluster.put(BACKUPS, veleroBackup(`k8s-backups-users-resources-${compact}100013`, "k8s-backups-users-resources", "Completed", `${iso}T10:00:13Z`));
    }
    // Another location's backup never belongs to a restore point.
    cluster.put(BACKUPS, veleroBackup("k8s-backups-main-20251229100500", "k8s-backups-main", "Completed", "2025-12-29T10:05:00Z", "default"));
    cluster.put(SCHEDULES, veleroSchedule("k8s-backups-main", "0 10 * * 1"));
    cluster.put(SCHEDULES, veleroSchedule("k8s-backups-users-resources", "0 10 * * 1"));
    cluster.put(LOCATIONS, {
        apiVersion: "velero.io/v1",
        kind: "BackupStorageLocation",
        metadata: { name: "hopsworks-bsl", namespace: "velero" },
        status: { phase: "Available", lastSyncedTime: "2026-01-06T11:59:00Z" },
    });
}

export interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

/**
 * Runs the CLI's main in-process with captured output, against the fake cluster's kubeconfig
 * (`env` replaces the environment, KUBECONFIG included).
 */
export async function run(
    cluster: { kubeconfig: string; dir: string },
    argv: string[],
    now = "2026-01-06T12:00:00Z",
    env: NodeJS.ProcessEnv = { KUBECONFIG: cluster.kubeconfig },
): Promise<Run> {
    let stdout = "";
    let stderr = "";
    const io: CliIo = {
        stdout: (text) => void (stdout += text),
        stderr: (text) => void (stderr += text),
        env,
        cwd: cluster.dir,
        now: () => new Date(now),
    };
    const code = await main(argv, io);
    return { code, stdout, stderr };
}

/** The stack file of the CLI tests and of docs/cli.md's examples: an AWS stack, with comments the CLI must keep. */
export const PROD_STACK_FILE = `# prod: Hopsworks on EKS, backups to S3.
config:
  hopsworks-dr:storage:
    bucket: hopsworks-prod-backups
    region: eu-north-1
    # Velero assumes this role through IRSA.
    iamRoleArn: arn:aws:iam::123456789012:role/velero
    breakGlassPrincipals: [arn:aws:iam::123456789012:role/break-glass]
  hopsworks-dr:backup:
    schedule: "0 10 * * 1"   # Mondays 10:00 UTC
    ttl: 60d
  hopsworks-dr:hopsworks:
    repo: https://charts.example.com/hopsworks
    repoUsername:
      secure: v1:AAAAencryptedUser
    repoPassword:
      secure: v1:AAAAencryptedPassword
    chartVersion: 4.8.0
    version: 4.8.0
  # Velero settings stay last in this file.
  hopsworks-dr:velero:
    kubectlImageTag: "1.33"
`;
