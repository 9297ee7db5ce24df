import * as pulumi from "@pulumi/pulumi";
import { AppliedRestore, PreviousState } from "./restore";

/** Set by the offline render: there is no previous deployment to read. */
export const OFFLINE_RENDER_ENV = "HOPSWORKS_DR_OFFLINE_RENDER";

/**
 * The outputs the last successful deployment of this very stack recorded, read through a
 * StackReference to itself (declares nothing). undefined in the offline render, which lists
 * the checks it could not evaluate instead.
 */
export async function readPreviousState(): Promise<PreviousState | undefined> {
    if (process.env[OFFLINE_RENDER_ENV] === "1") return undefined;
    const self = new pulumi.StackReference("previous-deployment", {
        name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    });
    const output = async (name: string) => {
        const details = await self.getOutputDetails(name);
        return details.value ?? details.secretValue;
    };
    const [hopsworksInstalledAt, installedFromBackup, activeRestore, restoreHistory] = await Promise.all(
        ["hopsworksInstalledAt", "installedFromBackup", "activeRestore", "restoreHistory"].map(output),
    );
    return {
        hopsworksInstalledAt: typeof hopsworksInstalledAt === "string" ? hopsworksInstalledAt : undefined,
        installedFromBackup: typeof installedFromBackup === "string" ? installedFromBackup : undefined,
        activeRestore: (activeRestore as AppliedRestore | null) ?? undefined,
        restoreHistory: Array.isArray(restoreHistory) ? (restoreHistory as AppliedRestore[]) : [],
    };
}
