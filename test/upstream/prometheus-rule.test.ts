import assert from "assert/strict";
import Ajv, { ValidateFunction } from "ajv";
import * as fs from "fs";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import { renderStack } from "../../render/render";
import { minioConfig, stackFile } from "../support/stacks";

/**
 * Upstream check: the PrometheusRule the program renders, held against the CRD of
 * `monitoring.coreos.com/v1` PrometheusRule as kube-prometheus-stack installs it (prometheus-operator
 * v0.93.0), read from ../shared/upstream beside the project. A user's clone has no ../shared: the
 * suite then skips. Nothing upstream is copied into the project.
 */
const UPSTREAM = path.resolve(__dirname, "../../../shared/upstream");
const CRD_FILE = path.join(UPSTREAM, "prometheus-operator", "monitoring.coreos.com_prometheusrules.yaml");

type Json = Record<string, any>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The CRD's Go regular expressions as JavaScript reads them: `(?i)` at the start (Go's
 * case-insensitive flag, which JavaScript lacks inside a pattern) becomes a class of both cases
 * for every letter.
 */
function jsPattern(pattern: string): string {
    const flag = /^(\^?)\(\?i\)/.exec(pattern);
    if (!flag) return pattern;
    const rest = pattern.slice(flag[0].length).replace(/[A-Za-z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
    return flag[1] + rest;
}

/**
 * A copy of the schema with Go patterns made JavaScript's, and, when `closed`, every object that
 * lists its properties closed as the API server's pruning treats it (unless
 * x-kubernetes-preserve-unknown-fields): a misspelt field would be dropped without a word.
 */
function prepared(schema: unknown, closed: boolean): unknown {
    if (Array.isArray(schema)) return schema.map((s) => prepared(s, closed));
    if (!isObject(schema)) return schema;
    const copy: Json = {};
    for (const [key, value] of Object.entries(schema)) {
        if (key === "pattern" && typeof value === "string") copy.pattern = jsPattern(value);
        else if (key === "properties" && isObject(value)) copy.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, prepared(v, closed)]));
        else if (["items", "additionalProperties", "anyOf", "allOf", "oneOf", "not"].includes(key)) copy[key] = prepared(value, closed);
        else copy[key] = value;
    }
    if (closed && isObject(schema.properties) && schema.additionalProperties === undefined && schema["x-kubernetes-preserve-unknown-fields"] !== true) {
        copy.additionalProperties = false;
    }
    return copy;
}

const ajv = new Ajv({ strict: false, allErrors: true, formats: { "date-time": true, int64: true } });

const STACKS: { title: string; monitoring: Json; backup?: Json }[] = [
    { title: "the defaults (weekly schedule), with a release label for the ruleSelector", monitoring: { enabled: true, ruleLabels: { release: "kube-prometheus-stack" } } },
    {
        title: "an hourly schedule, an objective of 3h, other CronJob names, a namespace of its own",
        monitoring: {
            enabled: true,
            namespace: "monitoring",
            rondbBackupCronJob: "rondb-backup",
            opensearchBackupCronJob: "opensearch-backup",
            recoveryPointObjective: "3h",
            runbookBaseUrl: "https://github.com/acme/hopsworks-dr/blob/main/docs/runbooks/alerts",
            ruleLabels: { "app.kubernetes.io/part-of": "hopsworks-dr", prometheus: "k8s" },
        },
        backup: { schedule: "@hourly", ttl: "720h" },
    },
    { title: "a monthly schedule", monitoring: { enabled: true }, backup: { schedule: "@monthly", ttl: "60d" } },
];

const RULE: Json = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: "control", namespace: "monitoring" },
    spec: {
        groups: [
            {
                name: "control",
                rules: [{ alert: "Control", expr: "up == 0", for: "5m", labels: { severity: "warning" }, annotations: { summary: "control" } }],
            },
        ],
    },
};

function variant(object: Json, change: (copy: Json) => void): Json {
    const copy = structuredClone(object);
    change(copy);
    return copy;
}

describe("upstream checks: the PrometheusRule CRD", function () {
    let schema: ValidateFunction;
    let closed: ValidateFunction;

    before(function () {
        if (!fs.existsSync(CRD_FILE)) {
            console.log(`skipping the PrometheusRule CRD checks: ${CRD_FILE} not found (a user's clone has no ../shared)`);
            this.skip();
        }
        const crd = parse(fs.readFileSync(CRD_FILE, "utf8"));
        assert.equal(crd.spec.group, "monitoring.coreos.com");
        assert.equal(crd.spec.names.kind, "PrometheusRule");
        const v1 = (crd.spec.versions as Json[]).find((v) => v.name === "v1");
        assert.ok(v1?.schema?.openAPIV3Schema, "no openAPIV3Schema for version v1");
        schema = ajv.compile(prepared(v1.schema.openAPIV3Schema, false) as Json);
        closed = ajv.compile(prepared(v1.schema.openAPIV3Schema, true) as Json);
    });

    /** Why the API server would refuse (or prune) `object`, or undefined. */
    function problem(object: Json, validate: () => ValidateFunction = () => schema): string | undefined {
        if (object.apiVersion !== "monitoring.coreos.com/v1") return `apiVersion ${object.apiVersion}`;
        const check = validate();
        if (!check(object)) return ajv.errorsText(check.errors, { dataVar: "PrometheusRule", separator: "\n    " });
        // x-kubernetes-list-type: map, keyed by name: the API server refuses two groups of one name.
        const names = (object.spec?.groups ?? []).map((g: Json) => g.name);
        if (new Set(names).size !== names.length) return `duplicate group names: ${names.join(", ")}`;
        return undefined;
    }

    for (const stack of STACKS) {
        describe(`rendered from ${stack.title}`, function () {
            let rule: Json;

            before(async function () {
                const values = { ...minioConfig(), monitoring: stack.monitoring, ...(stack.backup ? { backup: stack.backup } : {}) };
                const { files } = await renderStack(stackFile(values));
                const manifests = parseAllDocuments(files["manifests.yaml"]).map((d) => d.toJS() as Json);
                const rules = manifests.filter((m) => m.kind === "PrometheusRule");
                assert.equal(rules.length, 1, "one PrometheusRule");
                rule = rules[0];
            });

            it("passes the CRD's openAPIV3Schema", function () {
                const found = problem(rule);
                assert.equal(found, undefined, found);
            });

            it("has no field the API server would prune as unknown", function () {
                const found = problem(rule, () => closed);
                assert.equal(found, undefined, found);
            });

            it("carries the rule labels and a group per runbook page, every rule an alert with an expression", function () {
                assert.deepEqual(rule.metadata.labels, stack.monitoring.ruleLabels);
                assert.equal(rule.spec.groups.length, 5);
                for (const r of rule.spec.groups.flatMap((g: Json) => g.rules)) {
                    assert.ok(typeof r.alert === "string" && typeof r.expr === "string" && r.record === undefined, r.alert);
                }
            });
        });
    }

    describe("negative controls: the check rejects what the API server rejects", function () {
        it("accepts the control rule as it is", function () {
            assert.equal(problem(RULE), undefined, problem(RULE));
            assert.equal(problem(RULE, () => closed), undefined, problem(RULE, () => closed));
        });

        it("rejects a for that is not a Prometheus duration", function () {
            assert.match(problem(variant(RULE, (r) => (r.spec.groups[0].rules[0].for = "7 days"))) ?? "accepted", /for must match pattern/);
        });

        it("rejects a rule without expr", function () {
            assert.match(problem(variant(RULE, (r) => delete r.spec.groups[0].rules[0].expr)) ?? "accepted", /must have required property 'expr'/);
        });

        it("rejects a group without a name, and two groups of one name", function () {
            assert.match(problem(variant(RULE, (r) => delete r.spec.groups[0].name)) ?? "accepted", /must have required property 'name'/);
            assert.match(problem(variant(RULE, (r) => r.spec.groups.push(structuredClone(r.spec.groups[0])))) ?? "accepted", /duplicate group names/);
        });

        it("rejects an annotation that is not a string", function () {
            assert.match(problem(variant(RULE, (r) => (r.spec.groups[0].rules[0].annotations.value = 1))) ?? "accepted", /annotations\/value must be string/);
        });

        it("reads the Go (?i) pattern case-insensitively, as the API server does", function () {
            assert.equal(problem(variant(RULE, (r) => (r.spec.groups[0].partial_response_strategy = "WARN"))), undefined);
            assert.match(problem(variant(RULE, (r) => (r.spec.groups[0].partial_response_strategy = "ignore"))) ?? "accepted", /partial_response_strategy must match pattern/);
        });

        it("the pruning check rejects a misspelt field that the plain schema lets through", function () {
            const misspelt = variant(RULE, (r) => (r.spec.groups[0].rules[0].expression = "up == 0"));
            assert.equal(problem(misspelt), undefined, problem(misspelt));
            assert.match(problem(misspelt, () => closed) ?? "accepted", /must NOT have additional properties/);
        });
    });
});
