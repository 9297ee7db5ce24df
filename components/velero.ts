import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { releaseChart } from "../stacks/config/chart-source";
import { withServiceAccountRole } from "../stacks/plan/velero";
import { ReleaseArgs } from "./release-args";

export interface VeleroArgs extends ReleaseArgs {
    /** The IAM role for Velero's service account (IRSA). Default: none, when the location uses S3 keys. */
    readonly serviceAccountRoleArn?: pulumi.Input<string>;
}

/** Velero with the AWS plugin, installed by Helm as the manual's `helm install velero` does. */
export class Velero extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;
    readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: VeleroArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hopsworks-dr:index:Velero", name, {}, opts);
        const source = releaseChart(args.repo, args.chart);
        this.release = new k8s.helm.v3.Release(
            name,
            {
                name: args.releaseName,
                chart: source.chart,
                version: args.version,
                // Only a chart repository is named here: an OCI registry or a local chart must have none.
                repositoryOpts: source.repo === undefined ? undefined : { repo: source.repo },
                namespace: args.namespace,
                createNamespace: true,
                // The manual's `--set-json configuration.backupStorageLocation='[]'`: without this the
                // provider turns [] into nothing, and the chart then renders its default, empty
                // location "default" beside hopsworks-bsl (seen in the drill). Helm's own merge keeps [].
                allowNullValues: true,
                values: pulumi
                    .all([args.values, args.serviceAccountRoleArn])
                    .apply(([values, roleArn]) => withServiceAccountRole(values, roleArn)),
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.namespace = this.release.namespace;
        this.registerOutputs({ namespace: this.namespace, status: this.release.status });
    }
}
