import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Manifest } from "../stacks/names";

export interface VeleroRestoreArgs {
    /** The Restore manifest, with its wait for a terminal phase. Plain: apiVersion and kind must be known up front. */
    readonly manifest: Manifest;
    /** Spec fields the Velero controller writes, kept out of diffs. */
    readonly ignoreChanges: string[];
    /** Also accept PartiallyFailed (a typed restore.acceptPartial); default false: only Completed. */
    readonly acceptPartial?: boolean;
    /**
     * The `completed` output of the restore this one follows; unset for the first. A dependsOn
     * waits only for that Restore to exist: this waits for its outcome, so a failed main restore
     * stops the users restore too.
     */
    readonly after?: pulumi.Input<string>;
}

/** Records which restore this one waited for, and how that one ended. */
export const AFTER_RESTORE_ANNOTATION = "hopsworks-dr.io/after-restore";

/**
 * One Velero Restore, awaited until it finishes. `completed` resolves only when it ended
 * Completed; any other phase fails the deployment, naming the restore, its phase and how to
 * look at it, so nothing that depends on it (the Hopsworks install) starts on a partial restore.
 */
export class VeleroRestore extends pulumi.ComponentResource {
    readonly restore: k8s.apiextensions.CustomResource;
    readonly completed: pulumi.Output<string>;

    constructor(name: string, args: VeleroRestoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hopsworks-dr:index:VeleroRestore", name, {}, opts);
        const { apiVersion, kind, metadata, spec } = args.manifest;
        const annotations =
            args.after === undefined
                ? metadata.annotations
                : pulumi.output(args.after).apply((phase) => ({ ...metadata.annotations, [AFTER_RESTORE_ANNOTATION]: phase }));
        this.restore = new k8s.apiextensions.CustomResource(
            name,
            // `status: undefined` makes the SDK surface the status the controller writes as an output.
            { apiVersion, kind, metadata: { ...metadata, annotations }, spec, status: undefined },
            {
                parent: this,
                dependsOn: opts?.dependsOn,
                ignoreChanges: args.ignoreChanges,
                // The controller ignores spec edits once it has started: a new spec, or a new
                // restore.attempt (an annotation), needs a new Restore, which Velero runs afresh.
                replaceOnChanges: ["spec", "metadata.annotations"],
                deleteBeforeReplace: true,
            },
        );
        const restore = this.restore;
        this.completed = (restore as unknown as { status: pulumi.Output<RestoreStatus | undefined> }).status.apply((status) => {
            const phase = status?.phase;
            if (phase === "PartiallyFailed" && args.acceptPartial) {
                pulumi.log.warn(
                    `Velero restore ${metadata.namespace}/${metadata.name} ended PartiallyFailed${restoreProblems(status)}; accepted by restore.acceptPartial. ` +
                        `What it could not restore is missing: velero restore describe ${metadata.name} -n ${metadata.namespace} --details`,
                    restore,
                );
                return phase;
            }
            if (phase !== "Completed") {
                // Logged on the Restore itself, so the diagnostics show it plainly; the error that stops
                // the deployment reaches the engine wrapped in the dependants' inputs.
                const message =
                    `Velero restore ${metadata.namespace}/${metadata.name} ended ${phase ?? "without a phase"}, not Completed${restoreProblems(status)}; ` +
                        `Hopsworks was not installed. Inspect it with: velero restore describe ${metadata.name} -n ${metadata.namespace} --details ` +
                        `(or kubectl get restore.velero.io ${metadata.name} -n ${metadata.namespace} -o yaml). ` +
                        `Then run it again: fix the cause and raise restore.attempt (pulumi config set --path restore.attempt <n+1>)` +
                        (phase === "PartiallyFailed" ? `, or accept it: pulumi config set --path restore.acceptPartial <stack>/<backupId>` : "") +
                        `, and pulumi up`;
                pulumi.log.error(message, restore);
                throw new pulumi.ResourceError(message, restore, true);
            }
            return phase;
        });
        this.registerOutputs({ completed: this.completed });
    }
}

/** The parts of a Restore's status that say why it did not complete. */
interface RestoreStatus {
    phase?: string;
    validationErrors?: string[];
    failureReason?: string;
    errors?: number;
    warnings?: number;
}

/** Velero's own reasons, as a clause: its validation errors, failure reason, or error count. */
export function restoreProblems(status: RestoreStatus | undefined): string {
    const reasons: string[] = [];
    if (status?.validationErrors?.length) reasons.push(`validation errors: ${status.validationErrors.join("; ")}`);
    if (status?.failureReason) reasons.push(`failure reason: ${status.failureReason}`);
    if (status?.errors) reasons.push(`${status.errors} error${status.errors === 1 ? "" : "s"}`);
    return reasons.length > 0 ? ` (${reasons.join(", ")})` : "";
}
