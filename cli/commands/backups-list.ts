/** `hopsworks-dr backups list`: the restore points, newest first. */
import type { VeleroBackup } from "../../stacks/catalogue/restore-points";
import { loadCatalogue, pointJson } from "../catalogue";
import type { Command, CommandContext } from "../command";
import { table, utcMinute } from "../format";
import { CLUSTER_OPTIONS, clusterFlags, ClusterFlags } from "../options";

export interface BackupsListOptions {
    /** --stack: the stack whose namespaces to read. */
    stack?: string;
    json: boolean;
    cluster: ClusterFlags;
}

function veleroCell(backup: VeleroBackup | undefined): string {
    if (!backup) return "-";
    return backup.phase === "Completed" ? backup.name : `${backup.name} (${backup.phase ?? "no phase"})`;
}

async function list(options: BackupsListOptions, { io, readStack, connect }: CommandContext): Promise<number> {
    const stack = options.stack === undefined ? undefined : readStack(options.stack);
    const { points } = await loadCatalogue(await connect(options.cluster, stack), io);
    const json = options.json;
    if (json) {
        io.stdout(`${JSON.stringify(points.map(pointJson), null, 2)}\n`);
        return 0;
    }
    if (points.length === 0) {
        io.stdout("no backups found\n");
        return 0;
    }
    const header = ["BACKUP ID", "TIME (UTC)", "RONDB", "OPENSEARCH", "VELERO MAIN", "VELERO USERS", "COMPLETE"];
    const rows = points.map((p) => [
        p.id,
        utcMinute(p.time),
        p.rondb ?? "-",
        p.opensearch ?? "-",
        veleroCell(p.velero.main),
        veleroCell(p.velero.users),
        p.complete ? "yes" : "no",
    ]);
    io.stdout(`${table(header, rows)}\n`);
    return 0;
}

export const backupsList: Command<BackupsListOptions> = {
    spec: {
        name: "backups list",
        title: "List the restore points",
        synopsis: "[--stack <name>] [--json]",
        summary: "restore points, newest first",
        description:
            "Lists the restore points, one row per backup ID, newest first by time (the metadata's start_time, else decoded\n" +
            "from the ID; IDs are not monotonic around New Year). Reads every RonDB and OpenSearch metadata ConfigMap, rotated\n" +
            "ones included, and the Velero Backups of k8s-backups-main and k8s-backups-users-resources on hopsworks-bsl.\n" +
            "A point is complete when RonDB and OpenSearch are SUCCESS and both Velero backups are Completed.",
        options: ["stack", "json", ...CLUSTER_OPTIONS],
        examples: [
            ["List the restore points of the current cluster", "hopsworks-dr backups list"],
            ["The same for a stack whose Velero runs in its own namespace, as JSON", "hopsworks-dr backups list --stack prod --json"],
        ],
    },
    options: (values) => ({ stack: values.stack, json: values.json === true, cluster: clusterFlags(values) }),
    run: list,
};
