import assert from "assert/strict";
import Ajv, { ValidateFunction } from "ajv";
import * as fs from "fs";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import { renderStack, RenderResult } from "../../render/render";
import { readStackFile, StackFile } from "../../stacks/config/stack-file";
import { awsConfig, minioConfig, PROJECT_DIR, stackFile, BREAK_GLASS } from "../support/stacks";

/**
 * Upstream checks: what the program renders for Velero is held against Velero's own CRDs (v1.17.1)
 * and the Velero chart's values schema (11.2.0), read from ../shared/upstream beside the project.
 * A user's clone has no ../shared: the suite then skips. Nothing upstream is copied into the project.
 */
const UPSTREAM = path.resolve(__dirname, "../../../shared/upstream");
const CRD_DIR = path.join(UPSTREAM, "velero", "crds");
const CHART_DIR = path.join(UPSTREAM, "velero", "chart");

const VELERO_GROUP = "velero.io";
const VELERO_API_VERSION = "velero.io/v1";

/** velero-plugin-for-aws v1.13: any other key in a location's config makes the location Unavailable. */
const AWS_PLUGIN_CONFIG_KEYS = [
    "region", "s3Url", "publicUrl", "kmsKeyId", "customerKeyEncryptionFile", "customerKeyEncryptionSecret",
    "s3ForcePathStyle", "signatureVersion", "credentialsFile", "profile", "serverSideEncryption",
    "insecureSkipTLSVerify", "enableSharedConfig", "tagging", "checksumAlgorithm",
];

type Json = Record<string, any>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The API server checks the formats the Velero CRDs use; declaring them also keeps ajv from
 * warning that it ignores them.
 */
const FORMATS = {
    byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
    "date-time": /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/,
};

// ajv honours the CRDs' OpenAPI `nullable: true` by itself, as the API server does.
const ajv = new Ajv({ strict: false, allErrors: true, formats: FORMATS });

/** Whether `data` passes; unlike calling `validate` directly, this does not narrow the type of `data`. */
const passes = (validate: ValidateFunction, data: unknown): boolean => validate(data);

const errorsOf = (validate: ValidateFunction, dataVar: string) => ajv.errorsText(validate.errors, { dataVar, separator: "\n    " });

/**
 * A copy of a CRD schema with every object that lists its properties closed, as the API server's
 * pruning treats it (unless the schema says x-kubernetes-preserve-unknown-fields): a field it does
 * not know, such as a misspelt one, would be dropped without a word.
 */
function closedLikeTheApiServer(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map(closedLikeTheApiServer);
    if (!isObject(schema)) return schema;
    const closed: Json = {};
    for (const [key, value] of Object.entries(schema)) {
        if (key === "properties" && isObject(value)) {
            closed.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, closedLikeTheApiServer(v)]));
        } else if (["items", "additionalProperties", "anyOf", "allOf", "oneOf", "not"].includes(key)) {
            closed[key] = closedLikeTheApiServer(value);
        } else {
            closed[key] = value;
        }
    }
    if (isObject(schema.properties) && schema.additionalProperties === undefined && schema["x-kubernetes-preserve-unknown-fields"] !== true) {
        closed.additionalProperties = false;
    }
    return closed;
}

interface CrdValidators {
    plural: string;
    /** The v1 openAPIV3Schema as the CRD gives it. */
    schema: ValidateFunction;
    /** The same schema, closed where the API server would prune unknown fields. */
    closed: ValidateFunction;
}

/** Each Velero CRD's v1 schema, by kind (spec.names.kind). */
function loadCrdValidators(): Map<string, CrdValidators> {
    const byKind = new Map<string, CrdValidators>();
    for (const file of fs.readdirSync(CRD_DIR).filter((f) => /^velero\.io_.+\.ya?ml$/.test(f)).sort()) {
        const crd = parse(fs.readFileSync(path.join(CRD_DIR, file), "utf8"));
        const v1 = (crd.spec.versions as Json[]).find((v) => v.name === "v1");
        assert.ok(v1?.schema?.openAPIV3Schema, `${file}: no openAPIV3Schema for version v1`);
        assert.equal(crd.spec.group, VELERO_GROUP, `${file}: not a ${VELERO_GROUP} CRD`);
        const schema = v1.schema.openAPIV3Schema;
        byKind.set(crd.spec.names.kind, {
            plural: crd.spec.names.plural,
            schema: ajv.compile(schema),
            closed: ajv.compile(closedLikeTheApiServer(schema) as Json),
        });
    }
    return byKind;
}

/** Helm validates the chart's values.yaml with the user's values coalesced over it; null deletes a default. */
function coalesce(defaults: unknown, overrides: unknown): unknown {
    if (overrides === undefined) return defaults;
    if (!isObject(defaults) || !isObject(overrides)) return overrides;
    const merged: Json = { ...defaults };
    for (const [key, value] of Object.entries(overrides)) {
        if (value === null) delete merged[key];
        else merged[key] = coalesce(defaults[key], value);
    }
    return merged;
}

/** Keys the AWS plugin would refuse and values that are not strings, one line each. */
function awsPluginConfigProblems(config: Json): string[] {
    return Object.entries(config).flatMap(([key, value]) => [
        ...(AWS_PLUGIN_CONFIG_KEYS.includes(key) ? [] : [`${key}: not a key velero-plugin-for-aws accepts`]),
        ...(typeof value === "string" ? [] : [`${key}: ${JSON.stringify(value)} is not a string`]),
    ]);
}

const name = (object: Json) => `${object.kind}/${object.metadata?.name}`;

const LOCATION: Json = {
    apiVersion: VELERO_API_VERSION,
    kind: "BackupStorageLocation",
    metadata: { name: "control", namespace: "velero" },
    spec: {
        provider: "aws",
        objectStorage: { bucket: "control-bucket", prefix: "k8s_backup" },
        config: { region: "us-east-1", s3ForcePathStyle: "true" },
        accessMode: "ReadWrite",
    },
};

const RESTORE: Json = {
    apiVersion: VELERO_API_VERSION,
    kind: "Restore",
    metadata: { name: "control", namespace: "velero" },
    spec: { backupName: "k8s-backups-main-20250101000000", includedNamespaces: ["hopsworks"] },
};

/** A copy of `object` with `change` applied to it. */
function variant(object: Json, change: (copy: Json) => void): Json {
    const copy = structuredClone(object);
    change(copy);
    return copy;
}

const IRSA = {
    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-north-1.amazonaws.com/id/ABC",
    oidcProviderUrl: "https://oidc.eks.eu-north-1.amazonaws.com/id/ABC",
};

/** Stack configs between them taking every path through the Velero parts of the program. */
const STACKS: { title: string; file: () => StackFile }[] = [
    { title: "the repo's Pulumi.dev.yaml", file: () => readStackFile(path.join(PROJECT_DIR, "Pulumi.dev.yaml")) },
    { title: "MinIO with access keys", file: () => stackFile(minioConfig()) },
    { title: "AWS with an existing IAM role", file: () => stackFile(awsConfig()) },
    {
        title: "AWS with an IRSA role the stack creates",
        file: () => stackFile({ ...awsConfig(), storage: { bucket: "hopsworks-backups", region: "eu-north-1", irsa: IRSA, breakGlassPrincipals: [BREAK_GLASS] } }),
    },
    {
        title: "MinIO with a CA bundle, insecureSkipTLSVerify and checksum CRC32",
        file: () => {
            const c = minioConfig();
            c.storage = {
                ...c.storage,
                insecureSkipTLSVerify: true,
                caCert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
                checksumAlgorithm: "CRC32",
            };
            return stackFile(c);
        },
    },
    {
        title: "a pinned Velero image and the last bitnamilegacy/kubectl tag",
        file: () => stackFile({ ...minioConfig(), velero: { image: "velero/velero:v1.17.1", kubectlImageTag: "1.33" } }),
    },
    {
        title: "kubectl from another image with a shell, alpine/k8s 1.34.2",
        file: () => stackFile({ ...minioConfig(), velero: { kubectlImageRepository: "alpine/k8s", kubectlImageTag: "1.34.2" } }),
    },
    {
        title: "a bucket managed outside the stack (storage.manage: false), Velero's chart from an OCI registry",
        file: () => {
            const c = minioConfig();
            c.storage.manage = false;
            c.velero = { repo: "oci://registry.example.com/vmware-tanzu" };
            return stackFile(c);
        },
    },
    {
        title: "no CRD-upgrade job (upgradeCRDs: false)",
        file: () => stackFile({ ...minioConfig(), velero: { upgradeCRDs: false } }),
    },
    {
        title: "a new-cluster restore of the latest backups (ReadOnly location, Restores by schedule)",
        file: () => stackFile({ ...minioConfig(), restore: { mode: "new-cluster", backupId: "254811200", backupHopsworksVersion: "4.8.0", latestVeleroBackups: true } }),
    },
    {
        title: "a new-cluster restore of named Velero backups (Restores by backupName)",
        file: () =>
            stackFile({
                ...minioConfig(),
                restore: {
                    mode: "new-cluster",
                    backupId: "254811200",
                    backupHopsworksVersion: "4.8.0",
                    veleroBackups: { main: "k8s-backups-main-20251124120012", users: "k8s-backups-users-resources-20251124120013" },
                },
            }),
    },
];

describe("upstream checks: Velero CRDs and chart", function () {
    let crds: Map<string, CrdValidators>;
    let valuesSchema: ValidateFunction;
    let chartDefaults: Json;

    before(function () {
        if (!fs.existsSync(UPSTREAM)) {
            console.log(`skipping upstream checks: ${UPSTREAM} not found (a user's clone has no ../shared)`);
            this.skip();
        }
        crds = loadCrdValidators();
        valuesSchema = ajv.compile(JSON.parse(fs.readFileSync(path.join(CHART_DIR, "values.schema.json"), "utf8")));
        chartDefaults = parse(fs.readFileSync(path.join(CHART_DIR, "values.yaml"), "utf8"));
    });

    /** Why `object` would not be accepted as a Velero custom resource, or undefined. */
    function crdProblem(object: Json, which: "schema" | "closed" = "schema"): string | undefined {
        if (object.apiVersion !== VELERO_API_VERSION) return `${name(object)}: apiVersion ${object.apiVersion}, expected ${VELERO_API_VERSION}`;
        const crd = crds.get(object.kind);
        if (!crd) return `${name(object)}: no CRD of kind ${object.kind} in ${CRD_DIR}`;
        const validate = crd[which];
        return passes(validate, object) ? undefined : `${name(object)} against velero.io_${crd.plural}.yaml:\n    ${errorsOf(validate, object.kind)}`;
    }

    /** Why `values` would fail the chart's schema check at install, or undefined. */
    function valuesProblem(values: Json): string | undefined {
        return passes(valuesSchema, coalesce(chartDefaults, values)) ? undefined : `values.schema.json:\n    ${errorsOf(valuesSchema, "values")}`;
    }

    for (const stack of STACKS) {
        describe(`rendered from ${stack.title}`, function () {
            let rendered: RenderResult;
            let veleroObjects: Json[];

            before(async function () {
                rendered = await renderStack(stack.file());
                const manifests = parseAllDocuments(rendered.files["manifests.yaml"]).map((d) => d.toJS() as Json);
                veleroObjects = manifests.filter((m) => String(m.apiVersion).split("/")[0] === VELERO_GROUP || crds.has(m.kind));
            });

            it("renders a BackupStorageLocation, so the checks below have something to check", function () {
                assert.ok(
                    veleroObjects.some((o) => o.kind === "BackupStorageLocation"),
                    `no BackupStorageLocation among: ${veleroObjects.map(name).join(", ") || "(none)"}`,
                );
            });

            it("gives every Velero object apiVersion velero.io/v1 and a body its CRD's openAPIV3Schema accepts", function () {
                const problems = veleroObjects.map((o) => crdProblem(o)).filter((p) => p !== undefined);
                assert.deepEqual(problems, [], problems.join("\n"));
            });

            it("gives no Velero object a field the API server would prune as unknown", function () {
                const problems = veleroObjects.map((o) => crdProblem(o, "closed")).filter((p) => p !== undefined);
                assert.deepEqual(problems, [], problems.join("\n"));
            });

            it("configures every location only with keys the AWS plugin accepts, as strings", function () {
                const problems = veleroObjects
                    .filter((o) => o.kind === "BackupStorageLocation")
                    .flatMap((o) => awsPluginConfigProblems(o.spec?.config ?? {}).map((p) => `${name(o)}: spec.config.${p}`));
                assert.deepEqual(problems, [], problems.join("\n"));
            });

            it("renders Velero chart values that, over the chart's defaults, pass values.schema.json", function () {
                const values = parse(rendered.files["velero-values.yaml"]) as Json;
                assert.ok(isObject(values), "velero-values.yaml is not a mapping");
                const problem = valuesProblem(values);
                assert.equal(problem, undefined, problem);
            });
        });
    }

    describe("negative controls: each check rejects what upstream rejects", function () {
        it("the CRD check accepts the control location and the control restore as they are", function () {
            assert.equal(crdProblem(LOCATION), undefined, crdProblem(LOCATION));
            assert.equal(crdProblem(LOCATION, "closed"), undefined, crdProblem(LOCATION, "closed"));
            assert.equal(crdProblem(RESTORE), undefined, crdProblem(RESTORE));
            assert.equal(crdProblem(RESTORE, "closed"), undefined, crdProblem(RESTORE, "closed"));
        });

        it("the CRD check rejects a location with accessMode WriteOnly", function () {
            const problem = crdProblem(variant(LOCATION, (l) => (l.spec.accessMode = "WriteOnly")));
            assert.match(problem ?? "accepted", /accessMode must be equal to one of the allowed values/);
        });

        it("the CRD check rejects a location without objectStorage.bucket", function () {
            const problem = crdProblem(variant(LOCATION, (l) => delete l.spec.objectStorage.bucket));
            assert.match(problem ?? "accepted", /objectStorage must have required property 'bucket'/);
        });

        it("the CRD check rejects a location with a config value that is not a string", function () {
            const problem = crdProblem(variant(LOCATION, (l) => (l.spec.config.s3ForcePathStyle = true)));
            assert.match(problem ?? "accepted", /config\/s3ForcePathStyle must be string/);
        });

        it("the CRD check rejects a caCert that is not base64", function () {
            const problem = crdProblem(variant(LOCATION, (l) => (l.spec.objectStorage.caCert = "-----BEGIN CERTIFICATE-----")));
            assert.match(problem ?? "accepted", /caCert must match format "byte"/);
        });

        it("the CRD check rejects an apiVersion other than velero.io/v1", function () {
            const problem = crdProblem(variant(LOCATION, (l) => (l.apiVersion = "velero.io/v2")));
            assert.match(problem ?? "accepted", /apiVersion velero\.io\/v2, expected velero\.io\/v1/);
        });

        it("the CRD check rejects a restore whose includedNamespaces is a string, not a list", function () {
            const problem = crdProblem(variant(RESTORE, (r) => (r.spec.includedNamespaces = "hopsworks")));
            assert.match(problem ?? "accepted", /includedNamespaces must be array/);
        });

        it("the pruning check rejects a misspelt field that the plain CRD schema lets through", function () {
            const misspelt = variant(LOCATION, (l) => (l.spec.objectStorage.bucketName = "control-bucket"));
            assert.equal(crdProblem(misspelt), undefined, crdProblem(misspelt));
            assert.match(crdProblem(misspelt, "closed") ?? "accepted", /objectStorage must NOT have additional properties/);
        });

        it("the plugin config check rejects a key the plugin does not know and a value that is not a string", function () {
            assert.deepEqual(awsPluginConfigProblems(LOCATION.spec.config), []);
            assert.deepEqual(awsPluginConfigProblems({ region: "us-east-1", forcePathStyle: "true", s3ForcePathStyle: true }), [
                "forcePathStyle: not a key velero-plugin-for-aws accepts",
                "s3ForcePathStyle: true is not a string",
            ]);
        });

        it("the values check accepts the chart's own defaults", function () {
            assert.equal(valuesProblem({}), undefined, valuesProblem({}));
        });

        it("the values check rejects upgradeCRDs given as the string \"false\" and a kubectl image with no repository", function () {
            assert.match(valuesProblem({ upgradeCRDs: "false" }) ?? "accepted", /upgradeCRDs must be boolean/);
            assert.match(valuesProblem({ kubectl: { image: { repository: null, tag: "v1.34.2" } } }) ?? "accepted", /kubectl\/image must have required property 'repository'/);
        });

        it("the values check rejects snapshotsEnabled given as the string \"no\"", function () {
            assert.match(valuesProblem({ snapshotsEnabled: "no" }) ?? "accepted", /snapshotsEnabled must be boolean/);
        });

        it("the values check rejects a chart-made location without a bucket", function () {
            const problem = valuesProblem({ configuration: { backupStorageLocation: [{ name: "x", provider: "aws" }] } });
            assert.match(problem ?? "accepted", /backupStorageLocation\/0 must have required property 'bucket'/);
        });
    });
});
