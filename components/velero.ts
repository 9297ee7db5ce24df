import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { withServiceAccountRole } from "../stacks/velero";
import { Values } from "../stacks/values-files";

export interface VeleroArgs {
    releaseName: pulumi.Input<string>;
    namespace: pulumi.Input<string>;
    chart: pulumi.Input<string>;
    repo: pulumi.Input<string>;
    version: pulumi.Input<string>;
    values: pulumi.Input<Values>;
    /** The IAM role for Velero's service account (IRSA); unset when the location uses S3 keys. */
    serviceAccountRoleArn?: pulumi.Input<string>;
}

/** Velero with the AWS plugin, installed by Helm as the manual's `helm install velero` does. */
export class Velero extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;
    readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: VeleroArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hopsworks-dr:index:Velero", name, {}, opts);
        this.release = new k8s.helm.v3.Release(
            name,
            {
                name: args.releaseName,
                chart: args.chart,
                version: args.version,
                repositoryOpts: { repo: args.repo },
                namespace: args.namespace,
                createNamespace: true,
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
