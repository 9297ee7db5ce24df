import { stringify } from "yaml";
import { toS3Shape } from "../stacks/plan/aws-shape";
import { REDACTED } from "../stacks/config/secret";
import { RecordedResource } from "./recorder";

export const RELEASE = "kubernetes:helm.sh/v3:Release";

/** The files the render writes, by name; all text, all deterministic. */
export type RenderedFiles = Record<string, string>;

const yaml = (value: unknown) => stringify(value, { lineWidth: 0 });

function childOf(resources: RecordedResource[], componentType: string, type: string): RecordedResource | undefined {
    const component = resources.find((r) => r.type === componentType);
    return component && resources.find((r) => r.type === type && r.parent === component.urn);
}

/** Kubernetes objects declared outside the Helm releases, as manifests; Secret data redacted. */
export function manifestsOf(resources: RecordedResource[]): Record<string, any>[] {
    return resources
        .filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.type !== RELEASE && !r.type.startsWith("pulumi:providers:"))
        .map((r) => {
            const manifest: Record<string, any> = { ...r.inputs };
            if (manifest.kind === "Secret") {
                for (const field of ["data", "stringData"]) {
                    if (manifest[field]) manifest[field] = Object.fromEntries(Object.keys(manifest[field]).map((k) => [k, REDACTED]));
                }
            }
            return manifest;
        });
}

/**
 * The bucket's settings in the S3 API's JSON shape, as `aws s3api get-bucket-*` would show them.
 * A bucket managed outside the stack has none declared: what the stack requires of it instead.
 */
export function bucketOf(resources: RecordedResource[], outputs: Record<string, any> = {}): Record<string, unknown> {
    const external = outputs.externalBucket;
    if (external) {
        return {
            Bucket: outputs.bucketName,
            ManagedOutsideTheStack: true,
            Requirement: external.requirement,
            // What the bucket's owner applies: the same versioning and lifecycle rule a managed bucket gets.
            ...external.settings,
            Found: external.found,
        };
    }
    const ofType = (type: string) => resources.find((r) => r.type === type)?.inputs;
    const versioning = ofType("aws:s3/bucketVersioning:BucketVersioning");
    const lifecycle = ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
    const encryption = ofType("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
    const policy = ofType("aws:s3/bucketPolicy:BucketPolicy");
    return {
        Bucket: versioning?.bucket,
        Versioning: versioning && toS3Shape(versioning.versioningConfiguration),
        LifecycleConfiguration: lifecycle && { Rules: toS3Shape(lifecycle.rules) },
        // null: the store's own default encryption is left as it is.
        ServerSideEncryption: encryption ? { Rules: toS3Shape(encryption.rules) } : null,
        // null: the bucket's own policy is left as it is.
        Policy: policy ? JSON.parse(policy.policy) : null,
    };
}

/**
 * Helm's wait for a release's resources when the Release sets no `timeout`: the Pulumi Kubernetes
 * provider's default (provider/pkg/provider/helm_release.go, defaultTimeoutSeconds), the same
 * 5m0s as `helm install` without --timeout.
 */
export const HELM_DEFAULT_TIMEOUT_SECONDS = 300;

/** One Helm release as a reviewer checks it: which chart, which version, from where, and how long Helm waits. */
export interface ReleaseSummary {
    /** The Helm release name and its namespace. */
    release: string;
    namespace: string;
    /** What the Release's `chart` is: a name in the repository, an oci:// reference, or a local chart's path. */
    chart: string;
    version: string;
    source: "repository" | "oci" | "local";
    /** The chart repository's URL (source repository); null for an OCI registry or a local chart. */
    repository: string | null;
    /** Whether the release logs in to the repository or registry (its credentials are secrets, never shown). */
    login: boolean;
    timeoutSeconds: number;
    /** true: the Release sets no timeout, so Helm's default (HELM_DEFAULT_TIMEOUT_SECONDS) applies. */
    timeoutIsHelmDefault: boolean;
}

/** Every Helm release the stack declares, in declaration order. */
export function releasesOf(resources: RecordedResource[]): ReleaseSummary[] {
    return resources
        .filter((r) => r.type === RELEASE)
        .map((r) => {
            const inputs = r.inputs;
            const chart = String(inputs.chart);
            const repository = typeof inputs.repositoryOpts?.repo === "string" ? inputs.repositoryOpts.repo : null;
            const source = repository !== null ? "repository" : chart.startsWith("oci://") ? "oci" : "local";
            const timeout = typeof inputs.timeout === "number" ? inputs.timeout : undefined;
            return {
                release: String(inputs.name ?? r.name),
                namespace: String(inputs.namespace ?? "default"),
                chart,
                version: String(inputs.version),
                source,
                repository,
                login: inputs.repositoryOpts?.username !== undefined || inputs.repositoryOpts?.password !== undefined,
                timeoutSeconds: timeout ?? HELM_DEFAULT_TIMEOUT_SECONDS,
                timeoutIsHelmDefault: timeout === undefined,
            };
        });
}

/** plan.txt's "releases:" block: one line per release. */
function releaseLines(releases: ReleaseSummary[]): string[] {
    if (releases.length === 0) return [];
    const from = (r: ReleaseSummary) =>
        r.source === "repository"
            ? `chart ${r.chart} ${r.version} from repository ${r.repository}`
            : r.source === "oci"
              ? `chart ${r.chart} ${r.version} from an OCI registry`
              : `local chart ${r.chart} ${r.version}`;
    return [
        "",
        "releases:",
        ...releases.map(
            (r) =>
                `  ${r.release} (namespace ${r.namespace}): ${from(r)}${r.login ? " (with a login, secret)" : ""}, ` +
                `timeout ${r.timeoutSeconds} s${r.timeoutIsHelmDefault ? " (Helm's default: the release sets none)" : ""}`,
        ),
    ];
}

/** Declaration order, parents, dependencies and options: what a reviewer checks before `pulumi up`. */
export function planText(stack: string, resources: RecordedResource[], outputs: Record<string, unknown>, warnings: string[] = []): string {
    const nameOf = (urn: string) => {
        const r = resources.find((x) => x.urn === urn);
        if (r) return `${r.name} (${r.type})`;
        return urn.includes("::pulumi:pulumi:Stack::") ? "the stack" : urn;
    };
    const lines = [
        `stack: ${stack}`,
        ...modeLines(outputs),
        ...externalBucketLines(outputs),
        ...vaultLines(outputs),
        ...releaseLines(releasesOf(resources)),
        ...(warnings.length > 0 ? ["", "warnings (`pulumi preview` and `pulumi up` show them too):", ...warnings.map((w) => `  - ${w}`)] : []),
        "",
        "resources, in declaration order:",
    ];
    resources.forEach((r, i) => {
        lines.push(`${String(i + 1).padStart(3)}. ${r.name} (${r.type})`);
        if (r.parent) lines.push(`       parent: ${nameOf(r.parent)}`);
        if (r.dependencies.length > 0) lines.push(`       depends on: ${r.dependencies.map(nameOf).join(", ")}`);
        const flags = [
            r.protect && "protected",
            r.retainOnDelete && "retained on delete",
            r.replaceOnChanges.length > 0 && `replaced on changes to ${r.replaceOnChanges.join(", ")}${r.deleteBeforeReplace ? " (deleted first)" : ""}`,
            r.ignoreChanges.length > 0 && `ignores changes to ${r.ignoreChanges.join(", ")}`,
        ].filter(Boolean);
        if (flags.length > 0) lines.push(`       ${flags.join(", ")}`);
        if (r.secretPaths.length > 0) lines.push(`       secret inputs: ${r.secretPaths.join(", ")}`);
    });
    lines.push("", "stack outputs:", yaml(outputs).trimEnd().replace(/^/gm, "  "));
    return lines.join("\n") + "\n";
}

/** Every file the render may write (iam.json and alerts.yaml only for some stacks): a folder holding others is not the render's. */
export const RENDER_FILE_NAMES = ["hopsworks-values.yaml", "velero-values.yaml", "manifests.yaml", "bucket.json", "plan.txt", "releases.json", "iam.json", "alerts.yaml", "vault.json"];

export function renderFiles(stack: string, resources: RecordedResource[], outputs: Record<string, unknown>, warnings: string[] = []): RenderedFiles {
    const hopsworks = childOf(resources, "hopsworks-dr:index:Hopsworks", RELEASE);
    const velero = childOf(resources, "hopsworks-dr:index:Velero", RELEASE);
    return {
        "hopsworks-values.yaml": yaml(hopsworks?.inputs.values ?? {}),
        "velero-values.yaml": yaml(velero?.inputs.values ?? {}),
        "manifests.yaml": manifestsOf(resources).map(yaml).join("---\n"),
        "bucket.json": JSON.stringify(bucketOf(resources, outputs), null, 2) + "\n",
        "plan.txt": planText(stack, resources, outputs, warnings),
        "releases.json": JSON.stringify(releasesOf(resources), null, 2) + "\n",
        ...iamFile(resources),
        ...alertsFile(resources),
        ...vaultFile(outputs),
    };
}

/**
 * With monitoring.enabled: the backup alerts as a Prometheus rules file, from the PrometheusRule's
 * spec.groups or the ConfigMap's rules file. Nothing for a stack without them.
 */
export function alertsFile(resources: RecordedResource[]): { "alerts.yaml"?: string } {
    const component = resources.find((r) => r.type === "hopsworks-dr:index:BackupAlerts");
    const rules = component && resources.find((r) => r.parent === component.urn && r.custom);
    if (!rules) return {};
    if (rules.inputs.kind === "ConfigMap") return { "alerts.yaml": String(Object.values(rules.inputs.data ?? {})[0] ?? "") };
    // The engine hands inputs over with their keys sorted: put each rule's keys back in the rules file's order.
    const groups = (rules.inputs.spec?.groups ?? []).map((group: Record<string, any>) => ({
        ...inOrder(group, ["name"]),
        rules: (group.rules ?? []).map((rule: Record<string, any>) => ({
            ...inOrder(rule, RULE_KEYS),
            ...(rule.annotations ? { annotations: inOrder(rule.annotations, ANNOTATION_KEYS) } : {}),
        })),
    }));
    return { "alerts.yaml": yaml({ groups }) };
}

const RULE_KEYS = ["alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"];
const ANNOTATION_KEYS = ["summary", "description", "runbook_url"];

/** The object's keys in the given order, then any others in theirs. */
function inOrder(object: Record<string, any>, order: string[]): Record<string, any> {
    const keys = [...order.filter((k) => k in object), ...Object.keys(object).filter((k) => !order.includes(k))];
    return Object.fromEntries(keys.map((k) => [k, object[k]]));
}

/**
 * When the stack creates Velero's role (storage.irsa): its trust policy and its permission
 * policy, as IAM reads them, for reviewers. Nothing when the role exists already (iamRoleArn)
 * or the store uses keys.
 */
export function iamFile(resources: RecordedResource[]): { "iam.json"?: string } {
    const role = resources.find((r) => r.type === "aws:iam/role:Role");
    const policy = resources.find((r) => r.type === "aws:iam/policy:Policy");
    if (!role || !policy) return {};
    const document = (text: unknown) => (typeof text === "string" ? JSON.parse(text) : text);
    const iam = { Role: role.inputs.name, TrustPolicy: document(role.inputs.assumeRolePolicy), Policy: policy.inputs.name, PermissionPolicy: document(policy.inputs.policy) };
    return { "iam.json": JSON.stringify(iam, null, 2) + "\n" };
}

/** The mode, and for a restore its backup, when it was taken, its steps and the checks left for `pulumi up`. */
function modeLines(outputs: Record<string, any>): string[] {
    const restore = outputs.restore;
    if (!restore) return [`mode: ${outputs.mode ?? "unknown"} (normal backup operation)`];
    const lines = [
        `mode: ${restore.mode} restore`,
        `backup: ${restore.backupId}, taken ${restore.backupTakenAt} (decoded from the ID, UTC)`,
        "steps, in order:",
        ...restore.steps.map((step: string, i: number) => `  ${i + 1}. ${step}`),
    ];
    const overrides: string[] = restore.overrides ?? [];
    lines.push(overrides.length === 0 ? "overrides: none (every service restores backup " + restore.backupId + ")" : "overrides:");
    lines.push(...overrides.map((override) => `  - ${override}`));
    if (restore.checksNotEvaluated.length > 0) {
        lines.push("not evaluated offline (they need the stack's previous deployment; `pulumi preview` and `pulumi up` evaluate them):");
        lines.push(...restore.checksNotEvaluated.map((check: string) => `  - ${check}`));
    }
    return lines;
}

/** storage.manage: false: the bucket is someone else's; its check needs the S3 API, so offline it is listed as not evaluated. */
function externalBucketLines(outputs: Record<string, any>): string[] {
    const external = outputs.externalBucket;
    if (!external) return [];
    const lines = [`bucket: ${outputs.bucketName}, managed outside the stack (storage.manage: false): the stack declares no AWS resource`];
    if (external.evaluated) {
        lines.push(`checked over the S3 API: ${external.found}`);
    } else {
        lines.push("not evaluated offline (it reads the bucket over the S3 API; `pulumi preview` and `pulumi up` evaluate it):");
        lines.push(`  - ${external.requirement}`);
    }
    return lines;
}

/**
 * With a vault: its settings and the primary's replication configuration in the S3 API's JSON
 * shapes, as `aws s3api create-bucket --object-lock-enabled-for-bucket`, `put-bucket-versioning`,
 * `put-object-lock-configuration`, `put-bucket-lifecycle-configuration` and `put-bucket-replication`
 * (on the primary) take them. The Role is the replication role's ARN in the stack's account as
 * the config names it (the deployment passes the created role's real ARN).
 */
export function vaultFile(outputs: Record<string, any>): { "vault.json"?: string } {
    const vault = outputs.vault;
    if (!vault) return {};
    const replication = vault.replication;
    const file = {
        Bucket: vault.bucket,
        Region: vault.region,
        ...(vault.endpoint ? { Endpoint: vault.endpoint } : {}),
        ManagedByTheStack: vault.managed,
        ...(vault.requirement ? { Requirement: vault.requirement } : {}),
        CreateBucket: { ObjectLockEnabledForBucket: true },
        ...vault.settings,
        Replication: {
            SourceBucket: outputs.bucketName,
            DeclaredByTheStack: replication.declared,
            ReplicationConfiguration: replication.configuration,
            ...(replication.rolePolicy ? { RolePolicy: replication.rolePolicy } : {}),
            ExistingObjects: replication.existingObjects,
        },
    };
    return { "vault.json": JSON.stringify(file, null, 2) + "\n" };
}

/** plan.txt's vault lines: where the vault is, how it is locked, what replicates and what does not. */
function vaultLines(outputs: Record<string, any>): string[] {
    const vault = outputs.vault;
    if (!vault) return [];
    const retention = vault.settings.ObjectLockConfiguration.Rule.DefaultRetention;
    const rule = vault.replication.configuration.Rules[0];
    const lines = [
        `vault: ${vault.bucket} in ${vault.region}${vault.endpoint ? ` at ${vault.endpoint}` : ""}, Object Lock ${retention.Mode} ${retention.Days} days, ` +
            (vault.managed ? "declared by the stack" : "managed elsewhere (vault.manage: false)"),
        `  replication from ${outputs.bucketName}: the whole bucket (Filter Prefix ""), delete markers ${rule.DeleteMarkerReplication.Status === "Disabled" ? "not replicated" : "REPLICATED"}, ` +
            `${rule.Destination.ReplicationTime ? "Replication Time Control 15 minutes" : "no time control (vault.replication.timeControl: false)"}, metrics on, ` +
            (vault.replication.declared ? "declared by the stack" : "left to the primary's owner (vault.json)"),
        `  ${vault.replication.existingObjects}`,
    ];
    if (!vault.managed) {
        lines.push(vault.found ? `  checked over the S3 API: ${vault.found}` : "  not evaluated offline (`pulumi preview` and `pulumi up` read the vault over the S3 API):", ...(vault.found ? [] : [`    - ${vault.requirement}`]));
    }
    return lines;
}
