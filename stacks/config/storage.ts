import { CREDENTIALS_HMAC_ANNOTATION, LIFECYCLE_RULE_ID } from "../names";
import { is, isUrl } from "./formats";
import { LIMITS, oneOf } from "./limits";
import { ConfigReader } from "./reader";
import { SecretValue, setSecretCommand } from "./secret";

/** hopsworks-dr:storage, with every default applied; docs/config.md has the same as a table. */
export interface StorageConfig {
    /** The bucket's name (S3 naming rules). Required. */
    bucket: string;
    /**
     * false: the bucket is managed outside the stack (a storage team, the Hopsworks installer for
     * HopsFS); the stack declares no AWS resource and only checks the bucket's versioning and lifecycle. Default: true.
     */
    manage: boolean;
    /** false: the bucket exists (e.g. HopsFS's own) and only its versioning, lifecycle and (when set) encryption are managed. Default: true. */
    create: boolean;
    /**
     * An adopted bucket's acknowledgement that its whole lifecycle configuration is replaced by the
     * stack's (BucketLifecycleConfiguration owns every rule of the bucket); required with create false. Default: false.
     */
    replaceLifecycleRules: boolean;
    /** An AWS region, or the store's region name (MinIO's default is us-east-1). Required. */
    region: string;
    /** Set for S3-compatible stores (MinIO, Ceph, ...); unset means AWS S3. Velero (in the cluster) uses it. */
    endpoint?: string;
    /** Where the machine running `pulumi` reaches the store; storage.endpoint unless set. Unset on AWS. */
    apiEndpoint?: string;
    /** Path-style bucket addressing, which S3-compatible stores need. Default: true with storage.endpoint, else false. */
    forcePathStyle: boolean;
    /** Skip the store's TLS verification (S3-compatible stores only). Default: false. */
    insecureSkipTLSVerify: boolean;
    /** PEM bundle the store's TLS certificate is checked against. */
    caCert?: string;
    /** Unset on AWS (the plugin's default applies); "" by default for S3-compatible stores. */
    checksumAlgorithm?: string;
    /** Default bucket encryption; "none" leaves the store's own setting alone (the default for S3-compatible stores and adopted buckets). Default on AWS for a created bucket: "aws:kms" with kmsKeyArn, else "AES256". */
    serverSideEncryption: "AES256" | "aws:kms" | "none";
    /**
     * An S3-compatible store's keys (storage.accessKeyId, storage.secretAccessKey) and the key of
     * the HMAC-SHA256 of them the location carries (storage.credentialsHashKey), Pulumi secrets.
     * Required with storage.endpoint; unset on AWS.
     */
    credentials?: { accessKeyId: SecretValue; secretAccessKey: SecretValue; hashKey: SecretValue };
    /** On AWS, Velero's existing IAM role. One of iamRoleArn and irsa on AWS. */
    iamRoleArn?: string;
    /** On AWS, the cluster's OIDC provider: the stack creates Velero's role (IRSA). One of iamRoleArn and irsa on AWS. */
    irsa?: {
        oidcProviderArn: string;
        oidcProviderUrl: string;
        /** The role's name (its policy's is `<roleName>-s3`). Default: `<project>-<stack>-<region>-velero` (stacks/plan/iam.ts). */
        roleName?: string;
    };
    /** The KMS key for "aws:kms" encryption (and Velero's policy). Default: none. */
    kmsKeyArn?: string;
    /**
     * Taking over a hopsworks-bsl (and its credentials Secret) that the Hopsworks chart or a person
     * made: both carry pulumi.com/patchForce, so the update takes the fields Helm or kubectl own,
     * and the location helm.sh/resource-policy: keep, so Helm does not delete it (docs/runbooks/enable-backups.md). Default: false.
     */
    adoptLocation: boolean;
    /**
     * The bucket policy the stack declares: deny requests without TLS, and deny version deletion and
     * changes to versioning, lifecycle, Object Lock and the policy itself to every principal but
     * these break-glass ones. On for a bucket the stack creates; for an adopted bucket only with
     * storage.replaceBucketPolicy (a bucket has one policy). Unset: no policy (storage.manage: false,
     * or an adopted bucket without the acknowledgement).
     */
    bucketPolicy?: { breakGlassPrincipals: string[]; /** false: only shown in bucket.json (managed elsewhere, or adopted without the acknowledgement). */ declared: boolean };
    /**
     * Velero's own keys on an S3-compatible store (storage.veleroAccessKeyId, storage.veleroSecretAccessKey,
     * Pulumi secrets), never the provider's: required when the stack manages such a bucket
     * (stacks/config/velero-keys.ts). The location's Secret holds them. Default: none (the location gets storage.accessKeyId's pair).
     */
    veleroCredentials?: { accessKeyId: SecretValue; secretAccessKey: SecretValue };
}

export const STORAGE_KEYS = [
    "bucket", "manage", "create", "replaceLifecycleRules", "region", "endpoint", "apiEndpoint", "forcePathStyle", "insecureSkipTLSVerify", "caCert",
    "checksumAlgorithm", "serverSideEncryption", "accessKeyId", "secretAccessKey", "credentialsHashKey", "iamRoleArn", "irsa", "kmsKeyArn",
    "adoptLocation", "breakGlassPrincipals", "replaceBucketPolicy", "veleroAccessKeyId", "veleroSecretAccessKey",
] as const;
export const IRSA_KEYS = ["oidcProviderArn", "oidcProviderUrl", "roleName"] as const;

// S3 bucket naming rules: 3-63 chars, lowercase, digits, dots, hyphens, no "..", not an IP address.
const BUCKET = /^(?!xn--)(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$/;
const STORE_REGION = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/;
const OIDC_ARN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/(.+)$/;
const KMS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/;
const CHECKSUMS = ["", "CRC32", "CRC32C", "SHA1", "SHA256"];
const SSE = ["AES256", "aws:kms", "none"];

/** Whether the stack's bucket is on AWS S3: no storage.endpoint (an S3-compatible store has one). */
export function isAwsS3(storage: { endpoint?: unknown }): boolean {
    return storage.endpoint === undefined || storage.endpoint === null;
}

const given = (s: Record<string, unknown>, key: string) => s[key] !== undefined && s[key] !== null;

export function readStorage(r: ConfigReader): StorageConfig | undefined {
    const s = r.section("storage", STORAGE_KEYS, true);
    const { endpoint, apiEndpoint, bucket, region, onAws } = readWhere(r, s);
    const manage = r.boolean(s, "storage.manage", true);
    const create = r.boolean(s, "storage.create", true);
    const replaceLifecycleRules = r.boolean(s, "storage.replaceLifecycleRules", false);
    const adoptLocation = r.boolean(s, "storage.adoptLocation", false);
    const forcePathStyle = r.boolean(s, "storage.forcePathStyle", !onAws);
    const insecureSkipTLSVerify = r.boolean(s, "storage.insecureSkipTLSVerify", false);
    const { caCert, checksumAlgorithm, serverSideEncryption } = readStoreSettings(r, s, onAws, create);
    const { accessKeyId, secretAccessKey, hashKey, iamRoleArn, irsa, kmsKeyArn } = readAccess(r, s);

    if (!manage) checkUnmanaged(r, s);
    checkLifecycleAdoption(r, s, { manage, create, replaceLifecycleRules, bucket });
    if (serverSideEncryption === "aws:kms" && !given(s, "kmsKeyArn")) {
        r.invalid("storage.serverSideEncryption", "aws:kms", "needs storage.kmsKeyArn, the key to encrypt with");
    }
    checkAccess(r, s, onAws);
    const veleroAccessKeyId = r.secret(s, "storage.veleroAccessKeyId", LIMITS.credential);
    const veleroSecretAccessKey = r.secret(s, "storage.veleroSecretAccessKey", LIMITS.credential);
    const bucketPolicy = readBucketPolicy(r, s, { manage, create, bucket, endpoint, apiEndpoint, iamRoleArn });
    if (!bucket || !region) return undefined;
    return {
        bucket,
        manage,
        create,
        replaceLifecycleRules,
        region,
        endpoint,
        apiEndpoint: endpoint === undefined ? undefined : (apiEndpoint ?? endpoint),
        forcePathStyle,
        insecureSkipTLSVerify,
        caCert,
        checksumAlgorithm,
        serverSideEncryption,
        credentials: accessKeyId && secretAccessKey && hashKey ? { accessKeyId, secretAccessKey, hashKey } : undefined,
        iamRoleArn,
        irsa,
        kmsKeyArn,
        adoptLocation,
        ...(bucketPolicy ? { bucketPolicy } : {}),
        ...(veleroAccessKeyId && veleroSecretAccessKey ? { veleroCredentials: { accessKeyId: veleroAccessKeyId, secretAccessKey: veleroSecretAccessKey } } : {}),
    };
}

/** Where the bucket is: the store's URLs (none on AWS S3), the bucket and its region. */
function readWhere(r: ConfigReader, s: Record<string, unknown>) {
    const endpoint = r.string(s, "storage.endpoint", {
        max: LIMITS.url,
        check: (v) => isUrl(v, ["http:", "https:"]),
        expected: "must be the http(s) URL of the S3-compatible store, e.g. https://minio.example.com:9000",
    });
    const apiEndpoint = r.string(s, "storage.apiEndpoint", {
        max: LIMITS.url,
        check: (v) => isUrl(v, ["http:", "https:"]),
        expected: "must be the http(s) URL at which the machine running pulumi reaches the store, e.g. https://minio.ci.example.com",
    });
    const onAws = isAwsS3(s);
    const bucket = r.string(s, "storage.bucket", {
        required: true,
        max: LIMITS.bucket,
        check: is(BUCKET),
        expected: "must be an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit",
    });
    const region = r.string(s, "storage.region", {
        required: true,
        max: LIMITS.region,
        check: is(onAws ? AWS_REGION : STORE_REGION),
        expected: onAws
            ? `must be an AWS region such as "eu-north-1"`
            : `must be the store's region name such as "us-east-1" (MinIO's default)`,
    });
    return { endpoint, apiEndpoint, bucket, region, onAws };
}

/** The store's TLS trust, the plugin's checksum and the bucket's default encryption. */
function readStoreSettings(r: ConfigReader, s: Record<string, unknown>, onAws: boolean, create: boolean) {
    const caCert = r.string(s, "storage.caCert", {
        max: LIMITS.caCert,
        check: (v) => v.trim().startsWith("-----BEGIN CERTIFICATE-----"),
        expected: "must be a PEM certificate bundle starting with -----BEGIN CERTIFICATE-----",
    });
    const checksumAlgorithm = r.string(s, "storage.checksumAlgorithm", {
        max: oneOf(CHECKSUMS),
        default: onAws ? undefined : "",
        check: (v) => CHECKSUMS.includes(v),
        expected: `must be one of ${CHECKSUMS.map((c) => JSON.stringify(c)).join(", ")}`,
    });
    // MinIO and Ceph refuse SSE-S3 unless they run a KMS, so S3-compatible stores default to none.
    // An adopted bucket keeps its own default encryption (SSE-KMS, say) unless told otherwise.
    const serverSideEncryption = r.string(s, "storage.serverSideEncryption", {
        max: oneOf(SSE),
        default: onAws && create ? (given(s, "kmsKeyArn") ? "aws:kms" : "AES256") : "none",
        check: (v) => SSE.includes(v),
        expected: `must be one of ${SSE.join(", ")} ("aws:kms" needs storage.kmsKeyArn)`,
    }) as StorageConfig["serverSideEncryption"];
    return { caCert, checksumAlgorithm, serverSideEncryption };
}

/** How Velero reaches the bucket: an S3-compatible store's keys, or on AWS an IAM role (given or made through IRSA), and the KMS key. */
function readAccess(r: ConfigReader, s: Record<string, unknown>) {
    const accessKeyId = r.secret(s, "storage.accessKeyId", LIMITS.credential);
    const secretAccessKey = r.secret(s, "storage.secretAccessKey", LIMITS.credential);
    const hashKey = r.secret(s, HASH_KEY, LIMITS.credential, setHashKey(r.source.stack));
    const iamRoleArn = r.string(s, "storage.iamRoleArn", {
        max: LIMITS.arn,
        check: is(ROLE_ARN),
        expected: "must be an IAM role ARN such as arn:aws:iam::123456789012:role/velero",
    });
    const irsa = readIrsa(r, s.irsa);
    const kmsKeyArn = r.string(s, "storage.kmsKeyArn", {
        max: LIMITS.arn,
        check: is(KMS_ARN),
        expected: "must be a KMS key or alias ARN such as arn:aws:kms:eu-north-1:123456789012:key/...",
    });
    return { accessKeyId, secretAccessKey, hashKey, iamRoleArn, irsa, kmsKeyArn };
}

const HASH_KEY = "storage.credentialsHashKey";

/** How to set storage.credentialsHashKey: at pulumi's prompt or from a pipe, never on the command line (shell history, /proc). */
function setHashKey(stack: string): string {
    const command = `pulumi config set --secret --path ${HASH_KEY} -s ${stack}`;
    return `\`${command}\` (it prompts for the value), or a random one: \`openssl rand -base64 32 | ${command}\``;
}

/** storage.manage: false leaves every bucket setting to the bucket's owners: the keys that would set one are refused. */
function checkUnmanaged(r: ConfigReader, s: Record<string, unknown>): void {
    const outside = "storage.manage: false leaves the bucket to its owners outside the stack";
    for (const key of ["create", "replaceLifecycleRules", "serverSideEncryption", "kmsKeyArn", "replaceBucketPolicy"]) {
        if (given(s, key)) r.problem(`storage.${key}`, `applies only when the stack manages the bucket; ${outside}: remove it`);
    }
    if (given(s, "irsa")) {
        r.problem(
            "storage.irsa",
            `makes the stack create Velero's IAM role, an AWS resource, and ${outside} and declares none (so no AWS provider ` +
                "or IAM rights are needed to deploy it): have the role made with the bucket and give it as storage.iamRoleArn, " +
                "or set storage.manage: true",
        );
    }
}

/** Adopting a bucket (storage.create: false) replaces its whole lifecycle configuration: that needs an acknowledgement. */
function checkLifecycleAdoption(
    r: ConfigReader,
    s: Record<string, unknown>,
    { manage, create, replaceLifecycleRules, bucket }: { manage: boolean; create: boolean; replaceLifecycleRules: boolean; bucket?: string },
): void {
    if (manage && !create && !replaceLifecycleRules && (s.replaceLifecycleRules === undefined || s.replaceLifecycleRules === null || s.replaceLifecycleRules === false || s.replaceLifecycleRules === "false")) {
        // S3's PutBucketLifecycleConfiguration (and so BucketLifecycleConfiguration) replaces every rule of the bucket.
        r.invalid(
            "storage.replaceLifecycleRules",
            s.replaceLifecycleRules ?? null,
            `must be true to adopt bucket ${bucket ?? "<bucket>"} (storage.create: false): the stack declares its lifecycle configuration ` +
                "(BucketLifecycleConfiguration), which replaces the bucket's whole lifecycle configuration: every rule it has now is removed " +
                `and only ${LIFECYCLE_RULE_ID} is left. Set storage.replaceLifecycleRules: true to accept that, or storage.manage: false to ` +
                "leave the bucket's settings alone; the stack then only checks its versioning and lifecycle",
        );
    } else if (manage && create && given(s, "replaceLifecycleRules")) {
        r.problem("storage.replaceLifecycleRules", "applies only to an adopted bucket (storage.create: false): a bucket the stack creates has no other lifecycle rules; remove it");
    }
}

/** AWS S3 needs Velero's IAM role and takes no store keys; an S3-compatible store needs keys and takes no IAM settings. */
function checkAccess(r: ConfigReader, s: Record<string, unknown>, onAws: boolean): void {
    if (onAws) {
        if (given(s, "iamRoleArn") === given(s, "irsa")) {
            r.problem(
                "storage",
                given(s, "iamRoleArn")
                    ? "sets both iamRoleArn and irsa: give one (an existing role for Velero, or irsa to let this stack create it)"
                    : "needs Velero's AWS access: set storage.iamRoleArn (an existing role) or storage.irsa " +
                          "{oidcProviderArn, oidcProviderUrl} (this stack creates the role), or storage.endpoint for an S3-compatible store",
            );
        }
        for (const key of ["accessKeyId", "secretAccessKey", "credentialsHashKey", "insecureSkipTLSVerify", "caCert", "apiEndpoint"]) {
            if (given(s, key)) {
                r.problem(`storage.${key}`, "applies only to S3-compatible stores (storage.endpoint); on AWS S3 Velero uses storage.iamRoleArn or storage.irsa");
            }
        }
    } else {
        for (const key of ["iamRoleArn", "irsa", "kmsKeyArn"]) {
            if (given(s, key)) {
                r.problem(`storage.${key}`, "applies only to AWS S3; remove it, or remove storage.endpoint to use AWS S3");
            }
        }
        for (const key of ["accessKeyId", "secretAccessKey"]) {
            if (!given(s, key)) {
                r.problem(
                    `storage.${key}`,
                    `is required for an S3-compatible store: ${setSecretCommand(`storage.${key}`, r.source.stack)}`,
                );
            }
        }
        if (!given(s, "credentialsHashKey")) {
            // A plain SHA-256 of human-chosen keys on the location could be reversed by guessing them.
            r.problem(
                HASH_KEY,
                "is required for an S3-compatible store: the secret key of the HMAC-SHA256 of the store's keys that the backup location " +
                    `carries (annotation ${CREDENTIALS_HMAC_ANNOTATION}), so new keys replace the location without the cluster holding a ` +
                    `hash anyone could test guessed keys against. Set it as a Pulumi secret: ${setHashKey(r.source.stack)}`,
            );
        }
    }
}

function readIrsa(r: ConfigReader, value: unknown): StorageConfig["irsa"] {
    if (value === undefined || value === null) return undefined;
    const o = r.object(value, "storage.irsa", IRSA_KEYS);
    if (!o) return undefined;
    const oidcProviderArn = r.string(o, "storage.irsa.oidcProviderArn", {
        required: true,
        max: LIMITS.arn,
        check: is(OIDC_ARN),
        expected: "must be the cluster's IAM OIDC provider ARN, arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>",
    });
    const url = r.string(o, "storage.irsa.oidcProviderUrl", {
        required: true,
        max: LIMITS.oidcProviderUrl,
        check: (v) => /^(https:\/\/)?[a-z0-9.-]+\.[a-z]{2,}(\/[\w.-]+)*$/.test(v),
        expected: "must be the cluster's OIDC issuer, e.g. https://oidc.eks.eu-north-1.amazonaws.com/id/EXAMPLE",
    });
    const roleName = r.string(o, "storage.irsa.roleName", {
        max: LIMITS.iamRoleName,
        check: is(/^[\w+=,.@-]+$/),
        expected: "must be an IAM role name (letters, digits and +=,.@_-), e.g. prod-velero to keep the role an earlier version named so",
    });
    if (!oidcProviderArn || !url) return undefined;
    // IAM conditions use the issuer without its scheme; it must be the provider the ARN names.
    const oidcProviderUrl = url.replace(/^https:\/\//, "");
    const arnIssuer = OIDC_ARN.exec(oidcProviderArn)![1];
    if (arnIssuer !== oidcProviderUrl) {
        r.invalid("storage.irsa.oidcProviderUrl", url, `must be the issuer the provider ARN names (${arnIssuer})`);
        return undefined;
    }
    return { oidcProviderArn, oidcProviderUrl, ...(roleName === undefined ? {} : { roleName }) };
}

/** An IAM principal's ARN (a role, a user, an account's root), or a store's own (MinIO: arn:minio:iam:::user/name). */
const PRINCIPAL_ARN = /^arn:[a-z][a-z0-9-]*:(iam|sts)::\d{0,12}:(root|[\w+=,.@-]+\/[\w+=,.@\/-]+)$/;

/** Which bucket policy the stack declares (see StorageConfig.bucketPolicy), and the refusals around it. */
function readBucketPolicy(
    r: ConfigReader,
    s: Record<string, unknown>,
    where: { manage: boolean; create: boolean; bucket?: string; endpoint?: string; apiEndpoint?: string; iamRoleArn?: string },
): StorageConfig["bucketPolicy"] {
    const replaceBucketPolicy = r.boolean(s, "storage.replaceBucketPolicy", false);
    const principals = r.stringList(s, "storage.breakGlassPrincipals", LIMITS.arn, (v) =>
        PRINCIPAL_ARN.test(v) ? undefined : "must be an IAM principal ARN such as arn:aws:iam::123456789012:role/break-glass",
    );
    // Managed elsewhere: the policy is only shown to the bucket's owners (bucket.json), with these principals.
    if (!where.manage) return principals.length > 0 ? { breakGlassPrincipals: principals, declared: false } : undefined;
    if (where.create && given(s, "replaceBucketPolicy")) {
        r.problem("storage.replaceBucketPolicy", "applies only to an adopted bucket (storage.create: false): a bucket the stack creates always gets the stack's policy; remove it");
        return undefined;
    }
    // An adopted bucket without the acknowledgement gets no policy: bucket.json shows it, and the plan warns (stacks/plan/bucket.ts).
    if (!where.create && !replaceBucketPolicy) return principals.length > 0 ? { breakGlassPrincipals: principals, declared: false } : undefined;
    return checkBucketPolicy(r, s, where, principals);
}

function checkBucketPolicy(
    r: ConfigReader,
    s: Record<string, unknown>,
    where: { create: boolean; bucket?: string; endpoint?: string; apiEndpoint?: string; iamRoleArn?: string },
    principals: string[],
): StorageConfig["bucketPolicy"] {
    const policy = `the stack's bucket policy on ${where.create ? "the bucket it creates" : `adopted bucket ${where.bucket ?? "<bucket>"} (storage.replaceBucketPolicy: true)`}`;
    if (!given(s, "breakGlassPrincipals") || principals.length === 0) {
        r.problem(
            "storage.breakGlassPrincipals",
            `is required with ${policy}, which denies s3:DeleteObjectVersion and changes to versioning, lifecycle, Object Lock and the policy ` +
                "to every principal but these: list the ARNs of the break-glass principals, including the identity that runs `pulumi up` " +
                "(it sets the versioning, lifecycle and policy), e.g. [arn:aws:iam::123456789012:role/hopsworks-dr-deploy]",
        );
        return undefined;
    }
    if (where.iamRoleArn && principals.includes(where.iamRoleArn)) {
        r.invalid("storage.breakGlassPrincipals", principals, `names Velero's role (storage.iamRoleArn ${where.iamRoleArn}): Velero must never be able to delete versions or change the bucket's settings; remove it`);
        return undefined;
    }
    return { breakGlassPrincipals: principals, declared: true };
}
