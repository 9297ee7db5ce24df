import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { toPulumiShape } from "../stacks/plan/aws-shape";
import { ReplicationConfiguration, ReplicationPlan } from "../stacks/plan/vault";

export interface VaultReplicationArgs {
    /** The primary bucket, which replicates. */
    readonly sourceBucket: pulumi.Input<string>;
    /** The role S3 assumes: created here (name, policy, trust) or an existing one's ARN. Plain: it decides which resources exist. */
    readonly role: ReplicationPlan["role"];
    /** The replication configuration in the S3 API's JSON shape; its Role is replaced by the role's real ARN. */
    readonly configuration: ReplicationConfiguration;
    /** The primary's provider: replication is configured on the source bucket, in its account. */
    readonly provider: aws.Provider;
}

/**
 * The primary's replication into the vault: the role S3 assumes, with exactly the permissions
 * replication needs, and one rule for the whole bucket that replicates no delete marker. Retained
 * on delete: removing the vault from the stack must not silently stop the copies.
 */
export class VaultReplication extends pulumi.ComponentResource {
    readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: VaultReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hopsworks-dr:index:VaultReplication", name, {}, opts);
        const inPrimary = { parent: this, provider: args.provider };
        const rolePolicies: pulumi.Resource[] = [];
        if (args.role.create) {
            const role = new aws.iam.Role(`${name}-role`, { name: args.role.name, assumeRolePolicy: JSON.stringify(args.role.trustPolicy) }, inPrimary);
            // S3 checks the role's permissions when the configuration is put: the policy first.
            rolePolicies.push(new aws.iam.RolePolicy(`${name}-policy`, { role: role.name, name: `${args.role.name}-s3`, policy: JSON.stringify(args.role.policy) }, inPrimary));
            this.roleArn = role.arn;
        } else {
            this.roleArn = pulumi.output(args.role.arn);
        }
        new aws.s3.BucketReplicationConfig(
            name,
            { bucket: args.sourceBucket, role: this.roleArn, rules: toPulumiShape(args.configuration.Rules) },
            { ...inPrimary, retainOnDelete: true, dependsOn: rolePolicies },
        );
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
