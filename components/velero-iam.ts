import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface VeleroIamArgs {
    readonly roleName: pulumi.Input<string>;
    readonly policyName: pulumi.Input<string>;
    /** The plugin's S3-only policy, scoped to the backup bucket (a policy document object). */
    readonly policy: pulumi.Input<object>;
    /** Trusts the cluster's OIDC provider for Velero's service account only. */
    readonly trustPolicy: pulumi.Input<object>;
    readonly provider?: aws.Provider;
}

/** The IAM role Velero assumes through IRSA, with nothing but its S3 policy attached. */
export class VeleroIam extends pulumi.ComponentResource {
    readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: VeleroIamArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hopsworks-dr:index:VeleroIam", name, {}, opts);
        const inIam = { parent: this, provider: args.provider, dependsOn: opts?.dependsOn };
        const json = (doc: pulumi.Input<object>) => pulumi.output(doc).apply((d) => JSON.stringify(d));

        const policy = new aws.iam.Policy(`${name}-s3`, { name: args.policyName, policy: json(args.policy) }, inIam);
        const role = new aws.iam.Role(`${name}-role`, { name: args.roleName, assumeRolePolicy: json(args.trustPolicy) }, inIam);
        new aws.iam.RolePolicyAttachment(`${name}-s3`, { role: role.name, policyArn: policy.arn }, inIam);

        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
