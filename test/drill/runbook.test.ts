import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import { forDrill, readRunbook, runbookCommands, RUNBOOKS_DIR } from "../../drill/runbook";
import { RUNBOOK as NEW_CLUSTER } from "../../drill/scenarios/new-cluster";
import { RUNBOOK as IN_PLACE } from "../../drill/scenarios/in-place";
import { HELM_SECTION, RUNBOOK as INTERRUPTED } from "../../drill/scenarios/interrupted";
import { EXAMPLE_SINCE, RUNBOOK as RANSOMWARE } from "../../drill/scenarios/ransomware";
import { regionLossExamples, RUNBOOK as REGION_LOSS } from "../../drill/scenarios/region-loss";

const names = {
    stack: "drill",
    backupId: "264831553",
    bucket: "hopsworks-drill",
    s3Endpoint: "http://127.0.0.1:25000",
    veleroBackups: { main: "k8s-backups-main-20261125t155300z", users: "k8s-backups-users-resources-20261125t155302z" },
};

describe("drill runbooks", () => {
    it("takes a runbook's commands from its Commands section only, continuations joined, in order", () => {
        const markdown = [
            "# Page", "", "```sh", "kubectl get pods", "```", "", "## Commands", "", "Text `inline`.", "",
            "```sh", "pulumi refresh -s prod --yes   # forget the lost objects", "npx hopsworks-dr restore plan \\", "  --stack prod", "```", "",
            "```sh", "pulumi up -s prod", "```", "", "## Verify", "", "```sh", "kubectl get restore.velero.io -n velero", "```",
        ].join("\n");
        assert.deepEqual(runbookCommands(markdown), ["pulumi refresh -s prod --yes", "npx hopsworks-dr restore plan --stack prod", "pulumi up -s prod"]);
        assert.deepEqual(runbookCommands(markdown, "Verify"), ["kubectl get restore.velero.io -n velero"]);
        assert.throws(() => runbookCommands(markdown, "Back out"), /no Back out section/);
    });

    it("runs each runbook line with the drill's names, and --yes where pulumi would prompt", () => {
        assert.equal(forDrill("pulumi up -s prod", names), "pulumi up -s drill --yes --non-interactive");
        assert.equal(forDrill("pulumi refresh -s prod --yes", names), "pulumi refresh -s drill --yes --non-interactive");
        assert.equal(forDrill("pulumi config set --path restore.confirm prod/254811200 -s prod", names), "pulumi config set --path restore.confirm drill/264831553 -s drill --non-interactive");
        assert.equal(
            forDrill("npx hopsworks-dr restore plan --stack prod --mode new-cluster --backup 254811200 --backup-version 4.8.0", names),
            "node cli/bin.js restore plan --stack drill --mode new-cluster --backup 264831553 --backup-version 5.2.0",
        );
        // The drill runs Hopsworks 5.2 (with Superset); the runbooks' example backups were taken by 4.8.0.
        assert.equal(
            forDrill("pulumi config set --path restore.backupHopsworksVersion 4.8.0 -s prod", names),
            "pulumi config set --path restore.backupHopsworksVersion 5.2.0 -s drill --non-interactive",
        );
        assert.equal(forDrill("pulumi config set --path hopsworks.version 4.8.0 -s prod", names), "pulumi config set --path hopsworks.version 4.8.0 -s drill --non-interactive");
        assert.equal(forDrill("aws s3 ls s3://hopsworks-prod-backups/rondb_backup/", names), "aws --endpoint-url http://127.0.0.1:25000 s3 ls s3://hopsworks-drill/rondb_backup/");
        assert.equal(forDrill("npm run render -- --stack prod", names), "npm run render -- --stack drill");
        assert.equal(
            forDrill("pulumi import a:b:C x velero/x --parent 'p=urn:pulumi:prod::hopsworks-dr::a:b:C::prod-x' --generate-code=false -s prod", names),
            "pulumi import a:b:C x velero/x --parent 'p=urn:pulumi:drill::hopsworks-dr::a:b:C::prod-x' --generate-code=false -s drill --yes --non-interactive",
        );
        assert.equal(
            forDrill("pulumi config set --path restore.veleroBackups.main k8s-backups-main-20251124120012 -s prod", names),
            "pulumi config set --path restore.veleroBackups.main k8s-backups-main-20261125t155300z -s drill --non-interactive",
        );
    });

    it("puts a runbook's own examples first, longest first, exactly as written", () => {
        const more = { ...names, more: regionLossExamples() };
        assert.equal(
            forDrill("pulumi config set --path vault.bucket hopsworks-prod-vault-2 -s prod", more),
            "pulumi config set --path vault.bucket hopsworks-drill-vault-2 -s drill --non-interactive",
        );
        assert.equal(
            forDrill("pulumi config set --path storage.endpoint https://s3.eu-west-1.store.example.com -s prod", more),
            "pulumi config set --path storage.endpoint http://127.0.0.1:25001 -s drill --non-interactive",
        );
        assert.equal(forDrill("pulumi config set --path storage.region eu-west-1 -s prod", more), "pulumi config set --path storage.region us-west-2 -s drill --non-interactive");
    });

    // The drill runs every command these runbooks show: a command added to a runbook is drilled.
    const ransomwareMore = { [EXAMPLE_SINCE]: "2026-12-06T21:00:00Z", "prod/hopsworks-prod-backups": "drill/hopsworks-drill" };
    const runbooks: [string, string | undefined, Record<string, string>?][] = [
        [NEW_CLUSTER, undefined], [IN_PLACE, undefined], [INTERRUPTED, undefined], [INTERRUPTED, HELM_SECTION],
        [RANSOMWARE, undefined, ransomwareMore], [RANSOMWARE, "Verify", ransomwareMore], [REGION_LOSS, undefined, regionLossExamples()],
    ];
    for (const [runbook, heading, more] of runbooks) {
        it(`keeps ${runbook}'s ${heading ?? "Commands"} and the drill in step: every command is one the drill can run here`, () => {
            const commands = readRunbook(runbook, heading);
            assert.ok(commands.length >= 3, `${runbook} shows ${commands.length} commands`);
            for (const command of commands) {
                const line = forDrill(command, { ...names, ...(more ? { more } : {}) });
                assert.doesNotMatch(
                    line,
                    /\bprod\b|254811200|hopsworks-prod-|20251124120012|20251124120013|2026-01-06T03|eu-west-1|eu-central-1|example\.com|</,
                    `${runbook}: "${command}" keeps an example name the drill cannot use`,
                );
                assert.match(line, /^(pulumi|node cli\/bin\.js|npm run|aws --endpoint-url|kubectl|velero|helm|jq)\b/, `${runbook}: "${command}" is not a command the drill runs`);
            }
            assert.ok(readFileSync(path.join(RUNBOOKS_DIR, runbook), "utf8").includes("## Commands"));
        });
    }
});
