import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { credentialsFile, credentialsHmac, CREDENTIALS_HMAC_ANNOTATION } from "../stacks/plan/location";
import { CREDENTIALS_KEY, Manifest } from "../stacks/names";

export interface BackupLocationArgs {
    /**
     * The BackupStorageLocation manifest, with its pulumi.com/waitFor annotation. Plain, not an
     * Input: a CustomResource needs its apiVersion and kind before anything resolves.
     */
    readonly location: Manifest;
    /** The credentials Secret's manifest without data; only for S3-compatible stores. */
    readonly credentialsSecret?: pulumi.Input<Manifest>;
    /**
     * The S3-compatible store's keys, written into the credentials Secret, and the key of their
     * HMAC on the location (storage.credentialsHashKey); all kept secret. Required with a
     * credentialsSecret; default: none.
     */
    readonly credentials?: { accessKeyId: pulumi.Input<string>; secretAccessKey: pulumi.Input<string>; hashKey: pulumi.Input<string> };
    /**
     * Inputs of the location whose change replaces it (LocationPlan.replaceOnChanges), e.g. `spec`:
     * a new location starts with no status, so the wait for Available proves the new settings.
     * Default: none.
     */
    readonly replaceOnChanges?: string[];
}

/**
 * Velero's hopsworks-bsl location; `pulumi up` waits until Velero reports it Available, so
 * nothing that relies on it starts against a bucket Velero cannot reach. With a credentials
 * Secret, the location carries an HMAC of the Secret's content keyed with a stack secret (and
 * secret itself), so new keys can replace it like a new spec does.
 */
export class BackupLocation extends pulumi.ComponentResource {
    readonly location: k8s.apiextensions.CustomResource;

    constructor(name: string, args: BackupLocationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hopsworks-dr:index:BackupLocation", name, {}, opts);

        let secret: k8s.core.v1.Secret | undefined;
        let hash: pulumi.Output<string> | undefined;
        if (args.credentialsSecret !== undefined) {
            if (args.credentials === undefined) throw new Error(`${name}: a credentialsSecret needs the credentials to write into it`);
            const keys = pulumi.all([args.credentials.accessKeyId, args.credentials.secretAccessKey]);
            const cloud = pulumi.secret(keys.apply(([id, key]) => credentialsFile(id ?? "", key ?? "")));
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
            // Computed from the resolved secrets only here: the hash key never enters the plan's plain data.
            hash = pulumi.secret(
                pulumi.all([args.credentials.hashKey, keys]).apply(([hashKey, [id, key]]) => credentialsHmac(hashKey, id ?? "", key ?? "")),
            );
        }
        const { apiVersion, kind, metadata, spec } = args.location;
        const annotations = hash === undefined ? metadata.annotations : { ...metadata.annotations, [CREDENTIALS_HMAC_ANNOTATION]: hash };
        this.location = new k8s.apiextensions.CustomResource(
            name,
            { apiVersion, kind, metadata: { ...metadata, annotations }, spec },
            {
                parent: this,
                // Children do not inherit the component's dependsOn: pass it on (via the Secret when there is one).
                dependsOn: secret ? [secret] : opts?.dependsOn,
                replaceOnChanges: args.replaceOnChanges,
                // The replacement has the same name: the old location goes first.
                deleteBeforeReplace: true,
            },
        );
        this.registerOutputs({ name: this.location.metadata.name });
    }
}
