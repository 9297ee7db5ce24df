import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import { readStackConfig } from "../stacks/config/stack-config";
import { Manifest } from "../stacks/names";
import { planStack } from "../stacks/plan/stack-plan";
import { minioConfig, PROJECT_DIR, shippedStacks, SHIPPED_STACKS, source } from "./support/stacks";

const WORKFLOWS_DIR = path.join(PROJECT_DIR, ".github", "workflows");

interface Step {
    name?: string;
    id?: string;
    if?: string;
    "continue-on-error"?: boolean | string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}

interface Job {
    "runs-on": string;
    environment?: string;
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    strategy?: { matrix?: { stack?: string[] } };
    steps: Step[];
}

interface Workflow {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    jobs: Record<string, Job>;
}

function workflow(file: string): Workflow {
    return parse(fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8")) as Workflow;
}

/** What keeps a workflow's stack matrix and the stack files from matching; empty when they match. */
function matrixProblems(matrix: string[], files: string[]): string[] {
    return [
        ...files.filter((s) => !matrix.includes(s)).map((s) => `Pulumi.${s}.yaml has no matrix entry`),
        ...matrix.filter((s) => !files.includes(s)).map((s) => `matrix entry ${s} has no Pulumi.${s}.yaml`),
    ];
}

/** The fenced code blocks of a Markdown section (## heading), in order. */
function fencedBlocks(markdown: string, heading: string): string[] {
    const start = markdown.indexOf(`\n## ${heading}\n`);
    if (start === -1) throw new Error(`README.md has no "## ${heading}" section`);
    const rest = markdown.slice(start + 1);
    const end = rest.indexOf("\n## ", 1);
    const section = end === -1 ? rest : rest.slice(0, end);
    return [...section.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1].trim());
}

/** The README's install and test commands: the first command of each Quick start block. */
function readmeCommands(): { install: string; test: string } {
    const blocks = fencedBlocks(fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8"), "Quick start");
    const firstCommand = (block: string) => block.split("\n")[0].split("&&")[0].trim();
    const commands = blocks.map(firstCommand);
    const install = commands.find((c) => /^npm (ci|install)\b/.test(c));
    const test = commands.find((c) => /^npm (test|run test)\b/.test(c));
    if (install === undefined || test === undefined) throw new Error(`README.md's Quick start has no install or test command: ${JSON.stringify(blocks)}`);
    return { install, test };
}

/** The secrets a job reads: `secrets.NAME`, and `secrets[format('PREFIX_{0}', ...)]` as PREFIX_. */
function secretNames(job: unknown): string[] {
    const text = JSON.stringify(job);
    const plain = [...text.matchAll(/secrets\.([A-Za-z0-9_]+)/g)].map((m) => m[1]);
    const formatted = [...text.matchAll(/secrets\[format\('([A-Za-z0-9_]*)\{0\}/g)].map((m) => m[1]);
    return [...new Set([...plain, ...formatted])].sort();
}

function pulumiSteps(job: Job): Step[] {
    return job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));
}

/** The job's last pulumi/actions step: the preview of a preview job, the `up` of a deploy job. */
function pulumiStep(job: Job): Step {
    const steps = pulumiSteps(job);
    assert.ok(steps.length > 0, "a pulumi/actions step");
    return steps[steps.length - 1];
}

const FILES = { preview: "preview.yml", deploy: "deploy.yml" };

/**
 * The commit of each action's release, read from the action's own repository (`git rev-parse
 * <tag>^{commit}`; each tag is the newest of the major release the workflows used by tag before).
 * A workflow names the commit, with the tag in a comment: a tag can be moved, a commit cannot.
 */
const PINS: Record<string, { commit: string; tag: string }> = {
    "actions/checkout": { commit: "11d5960a326750d5838078e36cf38b85af677262", tag: "v4.4.0" },
    "actions/setup-node": { commit: "49933ea5288caeca8642d1e84afbd3f7d6820020", tag: "v4.4.0" },
    "aws-actions/configure-aws-credentials": { commit: "7474bc4690e29a8392af63c5b98e7449536d5c3a", tag: "v4.3.1" },
    "pulumi/actions": { commit: "8582a9e8cc630786854029b4e09281acd6794b58", tag: "v6.6.1" },
};

/** A `uses:` line's problem against PINS; undefined when it names a pinned commit and its tag. */
function pinProblem(line: string): string | undefined {
    const match = /^\s*(?:- )?uses: ([\w.-]+\/[\w.-]+)@(\S+)(?: # (\S+))?\s*$/.exec(line);
    if (!match) return `not a "uses: <owner>/<name>@<commit> # <tag>" line: ${line.trim()}`;
    const [, action, ref, tag] = match;
    const pin = PINS[action];
    if (pin === undefined) return `${action} has no recorded commit`;
    if (ref !== pin.commit || tag !== pin.tag) return `${action}@${ref}${tag ? ` # ${tag}` : ""} is not ${pin.commit} # ${pin.tag}`;
    return undefined;
}

/** The action a step uses, without its ref. */
const actionOf = (step: Step) => step.uses?.split("@")[0];

const RUNBOOKS_DIR = path.join(PROJECT_DIR, "docs", "runbooks");

interface RbacRule {
    apiGroups?: string[];
    resources?: string[];
    resourceNames?: string[];
    verbs?: string[];
}

interface RbacObject {
    kind: string;
    metadata: { name: string; namespace?: string };
    rules?: RbacRule[];
    roleRef?: { kind: string; name: string };
    subjects?: { kind: string; name: string; namespace?: string }[];
}

/** The objects of docs/runbooks/preview-role.yaml. */
function previewRbac(): RbacObject[] {
    const text = fs.readFileSync(path.join(RUNBOOKS_DIR, "preview-role.yaml"), "utf8");
    return parseAllDocuments(text).map((doc) => doc.toJS() as RbacObject);
}

/** "group/resource" for every resource a rule names ("" is the core group). */
function ruleResources(rule: RbacRule): string[] {
    return (rule.apiGroups ?? []).flatMap((group) => (rule.resources ?? []).map((resource) => `${group}/${resource}`));
}

/** "group/resource" of a manifest: the kind's plural, as the API names it (every kind the program declares is a plain plural). */
function manifestResource(manifest: Manifest): string {
    const group = manifest.apiVersion.includes("/") ? manifest.apiVersion.split("/")[0] : "";
    return `${group}/${manifest.kind.toLowerCase()}s`;
}

/**
 * Every Kubernetes object the program declares outside the Helm releases, over the configs that
 * declare the most: an S3-compatible store (the credentials Secret), a new-cluster restore (the
 * Velero Restores), and the alerts in both formats.
 */
function declaredManifests(): Manifest[] {
    const restore = {
        mode: "new-cluster",
        backupId: "254811200",
        backupHopsworksVersion: "4.8.0",
        veleroBackups: { main: "k8s-backups-main-20251124120012", users: "k8s-backups-users-resources-20251124120013" },
    };
    return ["prometheus-operator", "configmap"].flatMap((format) => {
        const plan = planStack(readStackConfig(source({ ...minioConfig(), restore, monitoring: { enabled: true, format } })));
        const { location, credentialsSecret } = plan.location;
        return [location, ...(credentialsSecret ? [credentialsSecret] : []), ...(plan.restore?.veleroRestores ?? []).map((r) => r.manifest), ...(plan.alerts ? [plan.alerts.manifest] : [])];
    });
}

interface IamStatement {
    Sid?: string;
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
}

function iamPolicy(file: string): IamStatement[] {
    return (JSON.parse(fs.readFileSync(path.join(RUNBOOKS_DIR, file), "utf8")) as { Statement: IamStatement[] }).Statement;
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/** An action that reads an object's data or lists the keys of a bucket, or any wildcard that could. */
const OBJECT_READ = /^(\*|s3:\*|s3:GetObject.*|s3:ListBucket.*|s3:.*\*.*)$/;

describe("GitHub workflows", () => {
    it("reads the README's install and test commands", () => {
        assert.deepStrictEqual(readmeCommands(), { install: "npm ci", test: "npm test" });
    });

    for (const [kind, file] of Object.entries(FILES)) {
        describe(file, () => {
            const jobs = () => Object.entries(workflow(file).jobs);

            it("has a matrix entry for every Pulumi.<stack>.yaml the project ships (tracked by git), and a shipped stack file for every entry", () => {
                for (const [name, job] of jobs()) {
                    assert.deepStrictEqual(matrixProblems(job.strategy?.matrix?.stack ?? [], shippedStacks()), [], `job ${name}`);
                }
            });

            it("installs and tests with the README's commands, in that order, before Pulumi runs", () => {
                const { install, test } = readmeCommands();
                for (const [name, job] of jobs()) {
                    const runs = job.steps.map((s) => s.run?.trim());
                    const installAt = runs.indexOf(install);
                    const testAt = runs.indexOf(test);
                    const pulumiAt = job.steps.indexOf(pulumiSteps(job)[0]);
                    assert.ok(installAt !== -1, `job ${name} has no step running "${install}"`);
                    assert.ok(testAt > installAt, `job ${name} must run "${test}" after "${install}"`);
                    assert.ok(pulumiAt > testAt, `job ${name} must run Pulumi after "${test}"`);
                    const otherInstalls = runs.filter((r) => r !== undefined && /\bnpm (install|i|ci)\b/.test(r) && r !== install);
                    assert.deepStrictEqual(otherInstalls, [], `job ${name} installs differently from the README`);
                }
            });

            it("pins every action by its commit, with the tag in a comment", () => {
                const lines = fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8").split("\n").filter((l) => /^\s*(- )?uses:/.test(l));
                assert.ok(lines.length >= 3, file);
                assert.deepStrictEqual(lines.map(pinProblem).filter((p) => p !== undefined), []);
            });

            it("uses its actions in order, and Node 20 with the npm cache", () => {
                for (const [, job] of jobs()) {
                    const uses = job.steps.map(actionOf).filter((u): u is string => u !== undefined);
                    // A preview assumes its read-only AWS role through OIDC; a deployment keeps its environment's keys.
                    // A deployment previews with the policy pack, then runs up.
                    const pulumi = kind === "preview" ? ["pulumi/actions"] : ["pulumi/actions", "pulumi/actions"];
                    assert.deepStrictEqual(uses, ["actions/checkout", "actions/setup-node", "aws-actions/configure-aws-credentials", ...pulumi]);
                    const setupNode = job.steps.find((s) => actionOf(s) === "actions/setup-node");
                    assert.deepStrictEqual(setupNode?.with, { "node-version": 20, cache: "npm" });
                }
            });

            it("checks out without leaving the token in .git/config, where the code it checked out could read it", () => {
                for (const [name, job] of jobs()) {
                    const checkout = job.steps.filter((s) => s.uses?.startsWith("actions/checkout@"));
                    assert.strictEqual(checkout.length, 1, `job ${name}`);
                    assert.strictEqual(checkout[0].with?.["persist-credentials"], false, `job ${name}`);
                }
            });

            it("runs Pulumi on the matrix stack with the policy pack", () => {
                for (const [, job] of jobs()) {
                    const step = pulumiStep(job);
                    assert.strictEqual(step.with?.command, kind === "preview" ? "preview" : "up");
                    assert.strictEqual(step.with?.["stack-name"], "${{ matrix.stack }}");
                    assert.strictEqual(step.with?.["work-dir"], ".");
                    assert.strictEqual(step.with?.policyPacks, "policy");
                    assert.strictEqual(step.with?.diff, true);
                }
            });

            it("takes the backend from a variable and the secrets provider settings from its environment's secrets, in the Pulumi steps only", () => {
                // A preview's own names (PREVIEW_...), set in the `preview` environment only.
                const prefix = kind === "preview" ? "PREVIEW_" : "";
                for (const [, job] of jobs()) {
                    const env = (job as Job & { env?: Record<string, string> }).env ?? {};
                    assert.strictEqual(env.PULUMI_BACKEND_URL, "${{ vars.PULUMI_BACKEND_URL }}");
                    for (const step of pulumiSteps(job)) {
                        assert.strictEqual(step.env?.PULUMI_CONFIG_PASSPHRASE, `\${{ secrets.${prefix}PULUMI_CONFIG_PASSPHRASE }}`, step.name);
                        assert.strictEqual(step.env?.PULUMI_ACCESS_TOKEN, `\${{ secrets.${prefix}PULUMI_ACCESS_TOKEN }}`, step.name);
                    }
                }
            });

            it("type-checks (npm run typecheck) before the tests, as .ci/run does: npm test runs mocha only", () => {
                const { install, test } = readmeCommands();
                for (const [name, job] of jobs()) {
                    const at = (command: string) => job.steps.findIndex((s) => s.run?.trim() === command);
                    const order = [install, "npm run typecheck", test].map(at);
                    assert.ok(order.every((index) => index !== -1), `job ${name}: ${order.join(", ")}`);
                    assert.deepStrictEqual([...order].sort((a, b) => a - b), order, `job ${name}`);
                }
            });

            it("gives npm ci and npm test no secret and no credential: the job's env holds none, and every step that reads or writes one runs after the tests", () => {
                const { test } = readmeCommands();
                for (const [name, job] of jobs()) {
                    const env = (job as Job & { env?: Record<string, string> }).env ?? {};
                    assert.deepStrictEqual(secretNames(env), [], `job ${name}: the job's env reaches every step`);
                    const testAt = job.steps.findIndex((s) => s.run?.trim() === test);
                    job.steps.forEach((step, at) => {
                        // A credential written to $GITHUB_ENV, or exported by the AWS action, reaches every later step.
                        const credential = secretNames(step).length > 0 || /GITHUB_ENV/.test(step.run ?? "") || actionOf(step) === "aws-actions/configure-aws-credentials";
                        assert.ok(!credential || at > testAt, `job ${name}: step ${step.name ?? step.uses} runs before the tests with a credential`);
                    });
                }
            });

            it("takes AWS credentials from a role assumed through OIDC, never a stored key", () => {
                const flow = workflow(file);
                const role = kind === "preview" ? "PREVIEW_AWS_ROLE_ARN" : "AWS_ROLE_ARN";
                assert.strictEqual(flow.permissions?.["id-token"], "write");
                for (const [name, job] of jobs()) {
                    assert.ok(!/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN/.test(JSON.stringify(job)), `job ${name} carries static AWS keys`);
                    const oidc = job.steps.filter((s) => actionOf(s) === "aws-actions/configure-aws-credentials");
                    assert.strictEqual(oidc.length, 1, `job ${name}`);
                    assert.strictEqual(oidc[0].with?.["role-to-assume"], `\${{ vars.${role} }}`, `job ${name}`);
                    assert.strictEqual(oidc[0].if, `vars.${role} != ''`, `job ${name}`);
                }
            });
        });
    }

    it("previews on pull requests and comments the diff", () => {
        const preview = workflow(FILES.preview);
        assert.deepStrictEqual(Object.keys(preview.on), ["pull_request"]);
        assert.strictEqual(preview.permissions?.["pull-requests"], "write");
        for (const job of Object.values(preview.jobs)) assert.strictEqual(pulumiStep(job).with?.["comment-on-pr"], true);
    });

    it("runs pull-request code in the `preview` environment with read-only credentials: no secret a deployment uses, no cloud keys", () => {
        const preview = workflow(FILES.preview);
        const deployNames = new Set(Object.values(workflow(FILES.deploy).jobs).flatMap(secretNames));
        assert.ok(deployNames.has("PULUMI_CONFIG_PASSPHRASE") && deployNames.has("PULUMI_ACCESS_TOKEN") && deployNames.has("KUBECONFIG_"), [...deployNames].join(", "));
        assert.strictEqual(preview.permissions?.["id-token"], "write", "OIDC for the read-only role");
        for (const [name, job] of Object.entries(preview.jobs)) {
            assert.strictEqual(job.environment, "preview", `job ${name}`);
            const used = secretNames(job);
            assert.deepStrictEqual(used.filter((s) => deployNames.has(s)), [], `job ${name} uses a deployment's secret`);
            assert.ok(used.every((s) => s.startsWith("PREVIEW_") || s === "GITHUB_TOKEN"), `job ${name}: ${used.join(", ")}`);
        }
        assert.deepStrictEqual(secretNames(parse("steps: [{env: {A: '${{ secrets.X }}', B: \"${{ secrets[format('Y_{0}', matrix.stack)] }}\"}}]")), ["X", "Y_"]);
    });

    describe("the preview's permissions (docs/runbooks/preview-role.yaml, preview-policy.json, preview-state-policy.json)", () => {
        it("Kubernetes: get, list and watch on exactly the kinds the program declares, in their namespaces, and no Secret", () => {
            const objects = previewRbac();
            assert.deepStrictEqual([...new Set(objects.map((o) => o.kind))].sort(), ["Role", "RoleBinding", "ServiceAccount"], "namespaced Roles only: a ClusterRole reads every namespace");
            const roles = objects.filter((o) => o.kind === "Role");
            for (const role of roles) {
                for (const rule of role.rules ?? []) {
                    assert.deepStrictEqual(rule.verbs, ["get", "list", "watch"], `${role.metadata.namespace}: ${JSON.stringify(rule)}`);
                    const names = [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...(rule.resourceNames ?? [])];
                    assert.ok(!names.some((n) => n.includes("*")), `${role.metadata.namespace}: a wildcard in ${JSON.stringify(rule)}`);
                }
            }
            const granted = (namespace: string) => roles.filter((r) => r.metadata.namespace === namespace).flatMap((r) => (r.rules ?? []).flatMap(ruleResources));
            const declared = declaredManifests();
            assert.ok(declared.some((m) => manifestResource(m) === "/secrets"), "the program declares the location's credentials Secret");
            const expected = new Map<string, Set<string>>();
            for (const manifest of declared.filter((m) => m.kind !== "Secret")) {
                const namespace = manifest.metadata.namespace;
                expected.set(namespace, (expected.get(namespace) ?? new Set()).add(manifestResource(manifest)));
            }
            assert.deepStrictEqual([...new Set(roles.map((r) => r.metadata.namespace!))].sort(), [...expected.keys()].sort());
            for (const [namespace, resources] of expected) assert.deepStrictEqual(granted(namespace).sort(), [...resources].sort(), `namespace ${namespace}`);
            assert.ok(!roles.flatMap((r) => (r.rules ?? []).flatMap(ruleResources)).some((r) => r.endsWith("/secrets")), "no Secret");
            // The core group's ConfigMaps: the alerts' ConfigMap by name, no other.
            const configMapRules = roles.flatMap((r) => r.rules ?? []).filter((rule) => ruleResources(rule).includes("/configmaps"));
            const alertsConfigMap = declared.find((m) => m.kind === "ConfigMap")!.metadata.name;
            assert.deepStrictEqual(configMapRules.map((rule) => rule.resourceNames), [[alertsConfigMap]]);
            // Each Role is bound to the preview's service account, in its own namespace.
            const account = objects.find((o) => o.kind === "ServiceAccount")!;
            for (const role of roles) {
                const binding = objects.find((o) => o.kind === "RoleBinding" && o.metadata.namespace === role.metadata.namespace);
                assert.deepStrictEqual(binding?.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name });
                assert.deepStrictEqual(binding?.subjects, [{ kind: "ServiceAccount", name: account.metadata.name, namespace: account.metadata.namespace }]);
            }
        });

        it("AWS: the backup bucket's settings and Velero's IAM role, never an object or a key of the bucket", () => {
            const statements = iamPolicy("preview-policy.json");
            const actions = statements.flatMap((s) => list(s.Action));
            assert.ok(statements.every((s) => s.Effect === "Allow"));
            assert.deepStrictEqual(actions.filter((a) => OBJECT_READ.test(a) || a.includes("*")), [], "object reads or wildcards");
            // What the bucket check of storage.manage: false reads (program/bucket-check.ts).
            for (const action of ["s3:GetBucketVersioning", "s3:GetLifecycleConfiguration", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketPolicy"]) assert.ok(actions.includes(action), action);
            for (const statement of statements) {
                const resources = list(statement.Resource);
                const s3 = list(statement.Action).some((a) => a.startsWith("s3:"));
                // The vault's settings (vault.manage: false is checked over the S3 API) and the replication role, with a vault.
                const expected = s3 ? /^arn:aws:s3:::<(backup|vault)-bucket>$/ : /^arn:aws:iam::<account-id>:(role\/<velero-role>|policy\/<velero-role>-s3|role\/<replication-role>)$/;
                assert.ok(resources.every((r) => expected.test(r)), `${statement.Sid}: ${resources.join(", ")}`);
                assert.ok(list(statement.Action).every((a) => (s3 ? /^s3:Get[A-Za-z]+$/ : /^iam:(Get|List)[A-Za-z]+$/).test(a)), statement.Sid);
            }
            for (const action of ["s3:GetObject", "s3:*", "s3:ListBucket", "*"]) assert.ok(OBJECT_READ.test(action), action);
            assert.ok(!OBJECT_READ.test("s3:GetBucketVersioning"));
        });

        it("AWS, with an s3:// state backend: the state's objects under .pulumi/ of the state bucket only", () => {
            for (const statement of iamPolicy("preview-state-policy.json")) {
                assert.strictEqual(statement.Effect, "Allow");
                const objectActions = list(statement.Action).filter((a) => OBJECT_READ.test(a) && a !== "s3:ListBucket");
                assert.deepStrictEqual(objectActions.filter((a) => a !== "s3:GetObject"), [], statement.Sid);
                const expected = objectActions.length > 0 ? "arn:aws:s3:::<state-bucket>/.pulumi/*" : "arn:aws:s3:::<state-bucket>";
                assert.deepStrictEqual(list(statement.Resource), [expected], statement.Sid);
            }
        });

        it("are the ones docs/runbooks/ci.md gives: no Secrets, no ReadOnlyAccess", () => {
            const runbook = fs.readFileSync(path.join(RUNBOOKS_DIR, "ci.md"), "utf8");
            for (const file of ["preview-role.yaml", "preview-policy.json", "preview-state-policy.json"]) assert.ok(runbook.includes(`](${file})`), file);
            assert.ok(!/`secrets` in the Velero/.test(runbook), "the runbook grants Secrets");
            const readOnlyAccess = runbook.split("\n").filter((line) => line.includes("ReadOnlyAccess"));
            assert.ok(readOnlyAccess.every((line) => /\bnot\b/.test(line)), readOnlyAccess.join("\n"));
        });
    });

    it("runs pulumi preview with the policy pack before pulumi up, so that a mandatory violation stops the deployment before anything changes", () => {
        // pulumi/actions runs `up` with --skip-preview: its stack policies would fail only after the change is applied.
        for (const [name, job] of Object.entries(workflow(FILES.deploy).jobs)) {
            const steps = pulumiSteps(job);
            assert.deepStrictEqual(steps.map((s) => s.with?.command), ["preview", "up"], `job ${name}`);
            const [gate, up] = steps;
            for (const key of ["stack-name", "work-dir", "policyPacks"]) assert.strictEqual(gate.with?.[key], up.with?.[key], `job ${name}: the gate's ${key}`);
            assert.strictEqual(gate.with?.policyPacks, "policy");
            // A failed step stops the job only when no step lets it through.
            for (const step of [gate, up]) {
                assert.strictEqual(step["continue-on-error"], undefined, `job ${name}: ${step.name}`);
                assert.strictEqual(step.with?.["continue-on-error"], undefined, `job ${name}: ${step.name}`);
                assert.strictEqual(step.if, undefined, `job ${name}: ${step.name} runs only when every step before it succeeded`);
            }
            // Nothing between the gate and the up step that could change what up applies.
            const between = job.steps.slice(job.steps.indexOf(gate) + 1, job.steps.indexOf(up));
            assert.deepStrictEqual(between, [], `job ${name}`);
        }
    });

    it("deploys on push to main, each stack in its own environment, one deployment per stack at a time", () => {
        const deploy = workflow(FILES.deploy);
        assert.deepStrictEqual(deploy.on, { push: { branches: ["main"] } });
        for (const job of Object.values(deploy.jobs)) {
            assert.strictEqual(job.environment, "${{ matrix.stack }}");
            assert.deepStrictEqual(job.concurrency, { group: "deploy-${{ matrix.stack }}", "cancel-in-progress": false });
        }
    });

    describe("the stacks the project ships", () => {
        let tmp: string;
        beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-stacks-"))));
        afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

        it("are the stack files git tracks: a user's own Pulumi.prod.yaml (README's Deploying steps) does not break the matrix test", () => {
            const git = (...args: string[]) => {
                const run = spawnSync("git", args, { cwd: tmp, encoding: "utf8" });
                assert.strictEqual(run.status, 0, run.stderr);
            };
            git("init", "-q");
            fs.writeFileSync(path.join(tmp, "Pulumi.yaml"), "name: p\n");
            fs.writeFileSync(path.join(tmp, "Pulumi.dev.yaml"), "config: {}\n");
            fs.writeFileSync(path.join(tmp, "Pulumi.staging.yaml"), "config: {}\n");
            git("add", "Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.staging.yaml");
            // What `pulumi stack init prod` and `pulumi config set ... -s prod` leave behind, untracked.
            fs.writeFileSync(path.join(tmp, "Pulumi.prod.yaml"), "config: {}\n");
            assert.deepStrictEqual(shippedStacks(tmp), ["dev", "staging"]);
            assert.deepStrictEqual(matrixProblems(["dev", "staging"], shippedStacks(tmp)), []);
        });

        it("are the fixed list without git, or outside a clone", () => {
            fs.writeFileSync(path.join(tmp, "Pulumi.prod.yaml"), "config: {}\n");
            assert.deepStrictEqual(shippedStacks(tmp), SHIPPED_STACKS, "not a git repository");
            assert.deepStrictEqual(shippedStacks(PROJECT_DIR, path.join(tmp, "no-such-git")), SHIPPED_STACKS, "no git");
        });

        it("are this project's: the fixed list agrees with the files git tracks", function () {
            const tracked = shippedStacks();
            if (spawnSync("git", ["rev-parse", "--is-inside-work-tree"], { cwd: PROJECT_DIR }).status !== 0) this.skip();
            assert.deepStrictEqual(tracked, SHIPPED_STACKS);
        });
    });

    it("finds an action pinned by tag, a commit under another tag, and an action whose commit is not recorded", () => {
        assert.strictEqual(pinProblem("      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0"), undefined);
        assert.strictEqual(pinProblem("      - uses: actions/checkout@v4"), "actions/checkout@v4 is not 11d5960a326750d5838078e36cf38b85af677262 # v4.4.0");
        assert.strictEqual(
            pinProblem("        uses: pulumi/actions@8582a9e8cc630786854029b4e09281acd6794b58 # v6"),
            "pulumi/actions@8582a9e8cc630786854029b4e09281acd6794b58 # v6 is not 8582a9e8cc630786854029b4e09281acd6794b58 # v6.6.1",
        );
        assert.strictEqual(pinProblem("      - uses: someone/action@0123456789012345678901234567890123456789 # v1.0.0"), "someone/action has no recorded commit");
    });

    it("reports a stack file without a matrix entry and an entry without a stack file", () => {
        assert.deepStrictEqual(matrixProblems(["dev", "staging"], ["dev", "prod"]), [
            "Pulumi.prod.yaml has no matrix entry",
            "matrix entry staging has no Pulumi.staging.yaml",
        ]);
    });
});
