import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { releaseChart } from "../stacks/config/chart-source";
import { ReleaseArgs } from "./release-args";

export interface HopsworksArgs extends ReleaseArgs {
    /** Helm's wait; the manual's restores need 1200 s (stacks/names.ts, HOPSWORKS_TIMEOUT_SECONDS), a Release's own default is 300 s. */
    readonly timeoutSeconds: pulumi.Input<number>;
    /**
     * Helm's description of the release. It is also where a restore's outcome gates the install:
     * it resolves only once every Velero restore is Completed, and it keeps the values known in a
     * preview so reviewers see them.
     */
    readonly description?: pulumi.Input<string>;
    /** The repository or registry login. Default: none. The password is kept secret. */
    readonly repoCredentials?: { username: pulumi.Input<string>; password: pulumi.Input<string> };
    /**
     * Helm's --atomic and --cleanup-on-fail: a failed or timed-out install is uninstalled (an
     * upgrade rolled back), and the provider then keeps no failed release in the state. For a
     * new-cluster restore (stacks/plan/hopsworks.ts, HopsworksPlan.atomic). Plain: unset or false
     * leaves both out of the release's inputs.
     */
    readonly atomic?: boolean;
}

/**
 * Hopsworks as a real Helm release (not a client-side rendered Chart): the chart's
 * prerequisite check and the RonDB restore guards use Helm `lookup`, which needs one.
 */
export class Hopsworks extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: HopsworksArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hopsworks-dr:index:Hopsworks", name, {}, opts);
        const source = releaseChart(args.repo, args.chart);
        const login = args.repoCredentials !== undefined;
        this.release = new k8s.helm.v3.Release(
            name,
            {
                name: args.releaseName,
                chart: source.chart,
                version: args.version,
                // repo only for a chart repository: with one, the provider would look for an index.yaml in an OCI registry.
                // pulumi-kubernetes logs in to an OCI registry with this login only from 4.27.0 (planHopsworks warns).
                repositoryOpts:
                    source.repo === undefined && !login
                        ? undefined
                        : {
                              repo: source.repo,
                              username: args.repoCredentials?.username,
                              password: args.repoCredentials === undefined ? undefined : pulumi.secret(args.repoCredentials.password),
                          },
                namespace: args.namespace,
                createNamespace: true,
                timeout: args.timeoutSeconds,
                // Values files reach the chart as Helm's -f gives them: [] and {} kept, null deletes a chart
                // default. pulumi-kubernetes 4.25.0 drops them otherwise; from 4.30.0 this is its default.
                allowNullValues: true,
                values: args.values,
                description: args.description,
                ...(args.atomic ? { atomic: true, cleanupOnFail: true } : {}),
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({ status: this.release.status });
    }
}
