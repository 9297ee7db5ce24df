/**
 * Issue 18, item 12: the CLI's least-privilege RBAC, docs/cli-rbac.yaml. The commands run against
 * the stand-in API server in RBAC mode with exactly the file's Roles, and give the output they give
 * without RBAC; each verb the file grants is needed by a command, which fails naming it without.
 */
import assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { FakeCluster, JOBS, PROD_STACK_FILE, RBAC_USER, RESTORES, run, Run, seedCatalogue, startFakeCluster } from "./fake-cluster";
import { allows, forbiddenMessage, readRoles, resourceRequest, Role } from "./fake-rbac";
import { PROJECT_DIR } from "../support/stacks";

const RBAC_FILE = path.join(PROJECT_DIR, "docs", "cli-rbac.yaml");
const ROLES = readRoles(fs.readFileSync(RBAC_FILE, "utf8"));
const READ = ROLES.filter((r) => r.name === "hopsworks-dr-cli-read");
const BACKUP_ID = "250111000";

/** The docs' fixtures: the catalogue, two markers of an in-place restore of 250111000, and Pulumi.prod.yaml. */
async function fixtureCluster(): Promise<FakeCluster> {
    const cluster = await startFakeCluster();
    seedCatalogue(cluster);
    cluster.put(JOBS, { apiVersion: "batch/v1", kind: "Job", metadata: { name: `hopsfs-inplace-restore-${BACKUP_ID}`, namespace: "hopsworks" } });
    cluster.put(RESTORES, { apiVersion: "velero.io/v1", kind: "Restore", metadata: { name: "k8s-backups-main", namespace: "velero" } });
    fs.writeFileSync(path.join(cluster.dir, "Pulumi.prod.yaml"), PROD_STACK_FILE);
    return cluster;
}

/** One line per granted verb: "namespace group/resource verb". */
function grants(roles: Role[]): string[] {
    return roles.flatMap((role) =>
        role.rules.flatMap((rule) =>
            rule.apiGroups.flatMap((group) => rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${role.namespace} ${group}/${resource} ${verb}`))),
        ),
    );
}

/** The Roles without one verb of one rule. */
function without(roles: Role[], grant: string): Role[] {
    const [namespace, groupResource, verb] = grant.split(" ");
    const [group, resource] = groupResource.split("/");
    return roles.map((role) => ({
        ...role,
        rules: role.rules.flatMap((rule) => {
            if (role.namespace !== namespace || !rule.apiGroups.includes(group) || !rule.resources.includes(resource)) return [rule];
            // Split the rule so only this resource loses the verb.
            const others = rule.resources.filter((r) => r !== resource);
            const kept = { ...rule, resources: [resource], verbs: rule.verbs.filter((v) => v !== verb) };
            return [...(others.length > 0 ? [{ ...rule, resources: others }] : []), ...(kept.verbs.length > 0 ? [kept] : [])];
        }),
    }));
}

const CLEAN = ["restore", "clean-markers", "--backup-id", BACKUP_ID];

/** The commands in the order an operator runs them, and the Roles each runs with. */
const SESSION: [argv: string[], roles: Role[]][] = [
    [["backups", "list"], READ],
    [["backups", "list", "--json"], READ],
    [["backups", "status"], READ],
    [["backups", "status", "--stack", "prod"], READ],
    [["restore", "plan", "--stack", "prod", "--mode", "in-place", "--backup-version", "4.8.0", "--yes"], READ],
    [["restore", "finish", "--stack", "prod"], []],
    [CLEAN, ROLES],
    [[...CLEAN, "--yes"], ROLES],
];

/** Each verb the file grants, and the command that needs it. */
const NEEDED_BY: Record<string, string[]> = {
    "hopsworks /configmaps get": ["backups", "list"],
    "hopsworks /configmaps list": ["backups", "list"],
    "velero velero.io/backups list": ["backups", "list"],
    "velero velero.io/backupstoragelocations get": ["backups", "status", "--stack", "prod"],
    "velero velero.io/schedules get": ["backups", "status"],
    "hopsworks batch/jobs get": CLEAN,
    "hopsworks batch/jobs delete": [...CLEAN, "--yes"],
    "velero velero.io/restores get": CLEAN,
    "velero velero.io/restores list": CLEAN,
    "velero velero.io/restores delete": [...CLEAN, "--yes"],
};

describe("the CLI's least-privilege RBAC (docs/cli-rbac.yaml)", () => {
    it("grants only these verbs, in the Hopsworks and Velero namespaces, and no Secret", () => {
        assert.deepEqual(
            ROLES.map((r) => `${r.namespace}/${r.name}`),
            ["hopsworks/hopsworks-dr-cli-read", "velero/hopsworks-dr-cli-read", "hopsworks/hopsworks-dr-cli-clean-markers", "velero/hopsworks-dr-cli-clean-markers"],
        );
        assert.deepEqual(grants(ROLES).sort(), Object.keys(NEEDED_BY).sort());
    });

    it("the stand-in API server in RBAC mode grants what a rule covers and refuses the rest as the API server words it", () => {
        const get = resourceRequest("GET", "/apis/velero.io/v1/namespaces/velero/restores/k8s-backups-main")!;
        assert.deepEqual(get, { verb: "get", apiGroup: "velero.io", resource: "restores", namespace: "velero", name: "k8s-backups-main" });
        assert.equal(resourceRequest("GET", "/api/v1/namespaces/hopsworks/configmaps")!.verb, "list");
        assert.equal(resourceRequest("DELETE", "/apis/batch/v1/namespaces/hopsworks/jobs/j")!.verb, "delete");
        assert.ok(allows(ROLES, get));
        assert.ok(!allows(READ, get), "the read Role has no Restores");
        assert.ok(!allows(ROLES, { ...get, namespace: "hopsworks" }), "a Role grants nothing outside its namespace");
        assert.ok(!allows(ROLES, resourceRequest("GET", "/api/v1/namespaces/hopsworks/secrets/s")!), "no Secret");
        assert.ok(allows([{ name: "r", namespace: "velero", rules: [{ apiGroups: ["velero.io"], resources: ["restores"], verbs: ["get"], resourceNames: ["k8s-backups-main"] }] }], get));
        assert.ok(!allows([{ name: "r", namespace: "velero", rules: [{ apiGroups: ["velero.io"], resources: ["restores"], verbs: ["get"], resourceNames: ["other"] }] }], get));
        assert.equal(
            forbiddenMessage(RBAC_USER, get),
            'restores.velero.io "k8s-backups-main" is forbidden: User "system:serviceaccount:ops:hopsworks-dr-cli" cannot get resource "restores" in API group "velero.io" in the namespace "velero"',
        );
    });

    it("backups list and status, restore plan and finish, and restore clean-markers work with exactly these Roles, as without RBAC", async () => {
        const open = await fixtureCluster();
        const confined = await fixtureCluster();
        try {
            for (const [argv, roles] of SESSION) {
                const expected = await run(open, argv);
                confined.roles = roles;
                const before = confined.requests.length;
                const result = await run(confined, argv);
                const shown = `hopsworks-dr ${argv.join(" ")}`;
                assert.deepEqual(result, expected, shown);
                assert.ok(!result.stderr.includes("forbidden"), `${shown}: ${result.stderr}`);
                const made = confined.requests.slice(before).map((r) => r.split("?")[0].split(" "));
                assert.deepEqual(made.filter(([method, pathname]) => !allows(roles, resourceRequest(method, pathname)!)), [], `${shown}: every request is granted`);
                if (argv[1] === "finish") assert.equal(made.length, 0, "restore finish reads no cluster");
            }
            // What the session did: the catalogue read, the restore block written and removed, the markers deleted.
            assert.ok(!confined.objects.get(JOBS)?.has(`hopsfs-inplace-restore-${BACKUP_ID}`));
            assert.ok(!confined.objects.get(RESTORES)?.has("k8s-backups-main"));
        } finally {
            await Promise.all([open.close(), confined.close()]);
        }
    });

    describe("each verb it grants is needed: without it, the command that needs it fails naming what it may not do", () => {
        for (const [grant, argv] of Object.entries(NEEDED_BY)) {
            it(`without ${grant}: hopsworks-dr ${argv.join(" ")}`, async () => {
                const [namespace, groupResource, verb] = grant.split(" ");
                const [group, resource] = groupResource.split("/");
                const cluster = await fixtureCluster();
                try {
                    cluster.roles = without(ROLES, grant);
                    const result: Run = await run(cluster, argv);
                    assert.equal(result.code, 1, result.stderr);
                    const kind = group === "" ? resource : `${resource}.${group}`;
                    assert.match(
                        result.stderr,
                        new RegExp(
                            `^error: ${verb} [^\\n]* in namespace ${namespace}: forbidden \\(403\\): ${kind}( "[^"]+")? is forbidden: ` +
                                `User "${RBAC_USER}" cannot ${verb} resource "${resource}" in API group "${group}" in the namespace "${namespace}"`,
                            "m",
                        ),
                    );
                } finally {
                    await cluster.close();
                }
            });
        }
    });

    it("restore clean-markers without the read Role says it could not read the catalogue, and still finds the markers", async () => {
        const cluster = await fixtureCluster();
        try {
            cluster.roles = ROLES.filter((r) => r.name === "hopsworks-dr-cli-clean-markers");
            const result = await run(cluster, CLEAN);
            assert.equal(result.code, 0, result.stderr);
            assert.match(
                result.stderr,
                /^warning: the backup catalogue could not be read \(list configmaps -l app=backups-metadata,service=rondb in namespace hopsworks: forbidden \(403\): configmaps is forbidden: .*\): the point's Velero backups are not looked up in it\n$/,
            );
            assert.match(result.stdout, /restore\.velero\.io velero\/k8s-backups-main: exists, would be deleted/);
        } finally {
            await cluster.close();
        }
    });
});
