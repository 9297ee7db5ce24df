/**
 * Reads what the stack's last deployment recorded (its own outputs, through a StackReference)
 * and, for an adopted Hopsworks release, when Helm first deployed it. A thin adapter for
 * index.ts: it declares nothing; the rules over what it reads are stacks/plan/history.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { OFFLINE_RENDER_ENV } from "../stacks/names";
import { adoptedInstallTime, AppliedRestore, needsHelmInstallRecord, PreviousState } from "../stacks/plan/history";
import { StackPlan } from "../stacks/plan/stack-plan";
import { releaseHistory } from "./helm-release";

/**
 * The previous state, its install time taken from the Hopsworks release's first deployment when
 * that is earlier (a release the stack adopted got its certificates before the stack's first
 * `pulumi up`). Read from the cluster until a deployment has compared the two, and not for a
 * new-cluster restore, which installs afresh (needsHelmInstallRecord). A cluster that cannot be
 * read leaves the recorded time, with a warning.
 */
export async function readHistory(plan: StackPlan): Promise<PreviousState | undefined> {
    const previous = await readPreviousState();
    if (!needsHelmInstallRecord(previous, plan.restore)) return previous;
    // As the kubernetes provider reaches the cluster: its kubeconfig and context settings, else the defaults.
    const access = { kubeconfig: pulumi.runtime.getConfig("kubernetes:kubeconfig"), context: pulumi.runtime.getConfig("kubernetes:context") };
    const found = await releaseHistory.firstDeployed(plan.hopsworks.namespace, plan.hopsworks.releaseName, access);
    if (found.problem) pulumi.log.warn(`${found.problem}; hopsworksInstalledAt stays ${previous.hopsworksInstalledAt ?? "the time of this deployment"}`);
    return adoptedInstallTime(previous, found.firstDeployed);
}

/**
 * The outputs the last successful deployment of this very stack recorded, read through a
 * StackReference to itself (declares nothing). undefined in the offline render, which lists
 * the checks it could not evaluate instead.
 */
export async function readPreviousState(): Promise<PreviousState | undefined> {
    if (process.env[OFFLINE_RENDER_ENV] === "1") return undefined;
    const name = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
    const self = new pulumi.StackReference("previous-deployment", { name });
    const output = async (output: string) => {
        const details = await self.getOutputDetails(output);
        return details.value ?? details.secretValue;
    };
    let outputs: unknown[];
    try {
        outputs = await Promise.all(["hopsworksInstalledAt", "installedFromBackup", "activeRestore", "restoreHistory", "hopsworksInstallTimeChecked"].map(output));
    } catch (error) {
        // A RunError prints its message alone: one line, no stack trace.
        const refusal = legacyBackendRefusal(error, name);
        if (refusal) throw new pulumi.RunError(refusal);
        throw error;
    }
    const [hopsworksInstalledAt, installedFromBackup, activeRestore, restoreHistory, installTimeChecked] = outputs;
    return {
        hopsworksInstalledAt: typeof hopsworksInstalledAt === "string" ? hopsworksInstalledAt : undefined,
        installedFromBackup: typeof installedFromBackup === "string" ? installedFromBackup : undefined,
        activeRestore: (activeRestore as AppliedRestore | null) ?? undefined,
        restoreHistory: Array.isArray(restoreHistory) ? (restoreHistory as AppliedRestore[]) : [],
        installTimeChecked: installTimeChecked === true,
    };
}

/**
 * The reason DIY (file://, s3://, ...) backends still on the legacy layout of Pulumi before 3.61
 * give for a stack name with "/" (pkg/backend/diy/store.go: legacyReferenceStore.ParseReference,
 * then tokens.ParseStackName). The program's own name, organization/<project>/<stack>, is valid
 * everywhere else, so this reason can only mean that layout.
 */
const LEGACY_DIY_REASON = /a stack name may only contain alphanumeric, hyphens, underscores, or periods(: invalid character '\/' at position \d+)?/;

/** The one-line refusal when the StackReference to `name` failed because the backend has the legacy layout; else undefined. Internal. Exported for testing. */
export function legacyBackendRefusal(error: unknown, name: string): string | undefined {
    const reason = LEGACY_DIY_REASON.exec(error instanceof Error ? error.message : String(error));
    if (!reason) return undefined;
    return (
        `hopsworks-dr reads its previous deployment through a StackReference to ${name}, which this DIY backend refuses ` +
        `(${JSON.stringify(reason[0])}): its state still has the legacy layout of Pulumi before 3.61, without projects. ` +
        "Run `pulumi state upgrade` (once per backend, with every stack's deployments finished), then run this again."
    );
}
