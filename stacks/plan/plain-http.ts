import { StackConfig } from "../config/stack-config";

/** A host plain HTTP does not leave the machine for: loopback. */
function isLoopback(host: string): boolean {
    return host === "localhost" || host.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(host) || host === "[::1]";
}

/** A Kubernetes Service name: its traffic stays on the cluster network, where Velero runs. */
function isClusterService(host: string): boolean {
    return host.endsWith(".svc") || host.endsWith(".svc.cluster.local");
}

/** The host of an http:// URL that leaves the machine and the cluster, or undefined (https://, loopback, a Service). */
function exposedHttpHost(url: string | undefined): string | undefined {
    if (url === undefined || !/^http:\/\//i.test(url)) return undefined;
    let host: string;
    try {
        host = new URL(url).hostname.toLowerCase();
    } catch {
        return undefined;
    }
    return isLoopback(host) || isClusterService(host) ? undefined : host;
}

/**
 * Warnings for plain http:// where something worth reading crosses a network: the object store
 * (every backup, Kubernetes Secrets included, and the signed requests with the access key ID) and
 * a chart repository given a login (Helm sends it as HTTP basic auth, readable by anyone on the
 * way). Loopback and cluster Service names are left out: the first never leaves the machine, the
 * second stays on the cluster network.
 */
export function plainHttpWarnings(config: StackConfig): string[] {
    const warnings: string[] = [];
    const { storage, hopsworks } = config;
    const stores: [string, string | undefined][] = [["storage.endpoint", storage.endpoint]];
    if (storage.apiEndpoint !== storage.endpoint) stores.push(["storage.apiEndpoint", storage.apiEndpoint]);
    for (const [key, url] of stores) {
        if (exposedHttpHost(url) === undefined) continue;
        warnings.push(
            `${key} ${url} is plain http://: every backup (Kubernetes Secrets included) and every request signed with the store's ` +
                "access key ID cross the network unencrypted, readable and alterable on the way. Serve the store over https:// " +
                "(storage.caCert for a private CA), or keep it on the cluster network (a Service name such as minio.minio.svc.cluster.local)",
        );
    }
    if (hopsworks.repoUsername !== undefined && exposedHttpHost(hopsworks.repo) !== undefined) {
        warnings.push(
            `hopsworks.repo ${hopsworks.repo} is plain http:// and has a login: Helm sends hopsworks.repoUsername and hopsworks.repoPassword ` +
                "to it as HTTP basic auth, which anyone on the network path can read. Use the repository's https:// URL",
        );
    }
    return warnings;
}
