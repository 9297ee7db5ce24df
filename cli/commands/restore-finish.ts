/** `hopsworks-dr restore finish`: removes the restore block after a successful restore (step two of a Superset restore). */
import type { Command, CommandContext } from "../command";
import { CLUSTER_OPTIONS, clusterFlags, ClusterFlags, OptionValues, required } from "../options";
import { RESTORE_CONFIG_KEY, SUPERSET, supersetRestoreJob } from "../../stacks/names";
import { afterFailedRestore, judgeRestoreJob, judgeStateConfigMap, SupersetRestoreOutcome } from "../../stacks/catalogue/superset-restore";
import { CliError } from "../errors";
import type { Stack } from "../stack";

export interface RestoreFinishOptions {
    stack: string;
    dryRun: boolean;
    cluster: ClusterFlags;
}

/**
 * A Superset restore (Hopsworks 5.2) ends only when the chart's restore has: clearing its flag
 * earlier would start Superset on a half-reloaded database. Reads the cluster only then.
 */
async function checkSupersetEnd(options: RestoreFinishOptions, stack: Stack, { io, connect }: Pick<CommandContext, "io" | "connect">): Promise<void> {
    const restore = stack.supersetRestore();
    if (!restore) return;
    const cluster = await connect(options.cluster, stack);
    const namespace = cluster.options.namespace;
    const outcome: SupersetRestoreOutcome =
        restore.contract === "state"
            ? judgeStateConfigMap(restore.backupId, await cluster.configMapData(SUPERSET.stateConfigMap))
            : judgeRestoreJob(restore.backupId, await cluster.jobConditions(supersetRestoreJob(restore.backupId)));
    const end =
        restore.contract === "state"
            ? `ConfigMap ${namespace}/${SUPERSET.stateConfigMap} key ${SUPERSET.stateKeys.phase} = ${SUPERSET.migratedPhase}`
            : `Job ${namespace}/${supersetRestoreJob(restore.backupId)} condition Complete`;
    if (outcome.state === "done") {
        io.stdout(`Superset restore of backup ${restore.backupId} reached its end: ${outcome.what}\n`);
        return;
    }
    const what = `the Superset restore of backup ${restore.backupId} (hopsworks.supersetRestoreContract: ${restore.contract})`;
    if (outcome.state === "failed") {
        throw new CliError(
            `${stack.shown} left unchanged: ${what} failed: ${outcome.what}. Its flag stays set (Superset stays at zero replicas). ` +
                afterFailedRestore(restore.contract, restore.backupId, namespace, options.stack, isSupersetOnly(stack)),
        );
    }
    const follow = restore.contract === "state"
        ? `kubectl get configmap ${SUPERSET.stateConfigMap} -n ${namespace} -o jsonpath='{.data.phase}'`
        : `kubectl logs -f job/${supersetRestoreJob(restore.backupId)} -n ${namespace}`;
    throw new CliError(
        `${stack.shown} left unchanged: ${what} has not reached its end, ${end}: ${outcome.what}. Clearing its flag now would start Superset on a ` +
            `half-reloaded database. Follow it (${follow}) and run restore finish again once it has`,
    );
}

function isSupersetOnly(stack: Stack): boolean {
    return stack.restoreMode() === "superset";
}

async function run(options: RestoreFinishOptions, context: CommandContext): Promise<number> {
    const { io, withStack } = context;
    return withStack(options.stack, !options.dryRun, async (stack) => {
        if (!stack.hasRestoreBlock()) {
            io.stdout(`${stack.shown}: no ${RESTORE_CONFIG_KEY} block; nothing to do\n`);
            return 0;
        }
        await checkSupersetEnd(options, stack, context);
        const edit = stack.editRestore(undefined, options.dryRun);
        edit.show(io);
        edit.apply();
        io.stdout(`\nNext (the release drops restoreFromBackup, as the manual requires after a restore):\n  pulumi preview --diff -s ${options.stack}\n  pulumi up -s ${options.stack}\n`);
        return 0;
    });
}

export const restoreFinish: Command<RestoreFinishOptions> = {
    spec: {
        name: "restore finish",
        title: "Remove the restore from a stack file after a successful restore",
        synopsis: "--stack <name> [--dry-run]",
        summary: "remove the restore block after a successful restore",
        description:
            "After a successful restore, removes the whole hopsworks-dr:restore block from Pulumi.<name>.yaml, so the next\n" +
            "pulumi up drops restoreFromBackup from the release. Needs no cluster, unless the block restores Superset\n" +
            "(restore.superset, Hopsworks 5.2): that is step two of the chart's two-step Superset restore, and it refuses to\n" +
            "clear the flag until the restore has reached its end, as hopsworks.supersetRestoreContract says it is read:\n" +
            `state: ConfigMap ${SUPERSET.stateConfigMap} key ${SUPERSET.stateKeys.phase} = ${SUPERSET.migratedPhase}; job: Job superset-restore-<ID> condition Complete.\n` +
            "It names what it waits for, and after a failed restore the audit trail, the fence and how to re-run or give up.",
        options: ["stack", "dry-run", ...CLUSTER_OPTIONS],
        optionHelp: { stack: "the stack: the block is removed from Pulumi.<name>.yaml in the working directory" },
        examples: [["Once the restore succeeded", "hopsworks-dr restore finish --stack prod"]],
        exitStatus: "0 removed (or nothing to remove), 1 refused (a Superset restore not at its end, or failed) or an error, 2 a usage error",
    },
    options: (values: OptionValues) => ({ stack: required(values, "stack", "restore finish"), dryRun: values["dry-run"] === true, cluster: clusterFlags(values) }),
    run,
};
