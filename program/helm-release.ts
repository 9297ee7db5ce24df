/**
 * Reads when the Hopsworks Helm release was first deployed, from Helm's own release Secrets
 * (stacks/plan/helm-release.ts decodes them): an adopted release (one that existed before the stack
 * managed it) was installed, with its certificates, before the stack's first `pulumi up`. A thin
 * adapter for index.ts that only reads; it declares nothing. The render's engine stand-in
 * (render/recorder.ts) replaces `releaseHistory.firstDeployed`, so no test reads a real cluster.
 */
import type * as K8s from "@kubernetes/client-node";
import * as fs from "fs";
import { firstDeployedOf, HELM_RELEASE_LABELS } from "../stacks/plan/helm-release";

export interface KubeAccess {
    /** The kubernetes provider's `kubernetes:kubeconfig`: a kubeconfig file's path or its contents; unset, the default (KUBECONFIG, ~/.kube/config, in-cluster). */
    kubeconfig?: string;
    /** The kubernetes provider's `kubernetes:context`. */
    context?: string;
}

export interface FirstDeployed {
    /** ISO time; unset when the release has no record (it does not exist yet) or it could not be read. */
    firstDeployed?: string;
    /** Why the record could not be read. */
    problem?: string;
}

const TIMEOUT_MS = 20_000;

/** Internal. Exported for testing. */
export async function readReleaseFirstDeployed(namespace: string, release: string, access: KubeAccess = {}): Promise<FirstDeployed> {
    const what = `the Helm release Secrets of ${namespace}/${release}`;
    try {
        const k8s: typeof K8s = await import("@kubernetes/client-node");
        const kc = new k8s.KubeConfig();
        if (access.kubeconfig === undefined) kc.loadFromDefault();
        else if (fs.existsSync(access.kubeconfig)) kc.loadFromFile(access.kubeconfig);
        else kc.loadFromString(access.kubeconfig);
        if (access.context !== undefined) kc.setCurrentContext(access.context);
        const core = kc.makeApiClient(k8s.CoreV1Api);
        const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS).unref());
        const list = await Promise.race([core.listNamespacedSecret({ namespace, labelSelector: HELM_RELEASE_LABELS(release) }), timeout]);
        const firstDeployed = firstDeployedOf(list.items.map((s) => ({ labels: s.metadata?.labels, release: s.data?.release })));
        return firstDeployed === undefined ? {} : { firstDeployed };
    } catch (error) {
        const code = (error as { code?: number }).code;
        const reason = typeof code === "number" ? `the API server answered ${code}` : String((error as Error)?.message ?? error).split("\n")[0];
        return { problem: `cannot list ${what}: ${reason}` };
    }
}

/** What index.ts calls; the render's engine stand-in replaces it. */
export const releaseHistory = { firstDeployed: readReleaseFirstDeployed };
