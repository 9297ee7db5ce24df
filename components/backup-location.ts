import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { credentialsFile, CREDENTIALS_KEY, Manifest } from "../stacks/location";

export interface BackupLocationArgs {
    /**
     * The BackupStorageLocation manifest, with its pulumi.com/waitFor annotation. Plain, not an
     * Input: a CustomResource needs its apiVersion and kind before anything resolves.
     */
    location: Manifest;
    /** The credentials Secret's manifest without data; only for S3-compatible stores. */
    credentialsSecret?: pulumi.Input<Manifest>;
    accessKeyId?: pulumi.Input<string>;
    secretAccessKey?: pulumi.Input<string>;
}

/**
 * Velero's hopsworks-bsl location; `pulumi up` waits until Velero reports it Available, so
 * nothing that relies on it starts against a bucket Velero cannot reach.
 */
export class BackupLocation extends pulumi.ComponentResource {
    readonly location: k8s.apiextensions.CustomResource;

    constructor(name: string, args: BackupLocationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hopsworks-dr:index:BackupLocation", name, {}, opts);

        let secret: k8s.core.v1.Secret | undefined;
        if (args.credentialsSecret !== undefined) {
            const cloud = pulumi.secret(
                pulumi.all([args.accessKeyId, args.secretAccessKey]).apply(([id, key]) => credentialsFile(id ?? "", key ?? "")),
            );
            const manifest = pulumi.output(args.credentialsSecret);
            secret = new k8s.core.v1.Secret(
                `${name}-credentials`,
                {
                    metadata: manifest.apply((m) => m.metadata),
                    type: manifest.apply((m) => m.type as string),
                    stringData: { [CREDENTIALS_KEY]: cloud },
                },
                { parent: this, dependsOn: opts?.dependsOn },
            );
        }
        const { apiVersion, kind, metadata, spec } = args.location;
        this.location = new k8s.apiextensions.CustomResource(
            name,
            { apiVersion, kind, metadata, spec },
            // Children do not inherit the component's dependsOn: pass it on (via the Secret when there is one).
            { parent: this, dependsOn: secret ? [secret] : opts?.dependsOn },
        );
        this.registerOutputs({ name: this.location.metadata.name });
    }
}
