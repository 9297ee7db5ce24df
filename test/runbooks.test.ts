import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { COMMANDS } from "../cli/main";
import { commandProblems, commandsOf } from "./support/doc-commands";
import { PROJECT_DIR } from "./support/stacks";

const RUNBOOKS_DIR = path.join(PROJECT_DIR, "docs", "runbooks");
/** Pages that are not one operation (the index, the CI set-up). */
const NOT_OPERATIONS = ["README.md", "ci.md"];
const REQUIRED_SECTIONS = ["Manual steps replaced", "Commands", "What the preview shows", "Verify", "Back out"];

function sectionsOf(markdown: string): string[] {
    return [...markdown.matchAll(/^## (.+)$/gm)].map((m) => m[1].trim());
}

const pages = () => fs.readdirSync(RUNBOOKS_DIR).filter((f) => f.endsWith(".md")).sort();

describe("runbooks", () => {
    it("has the index and one page per operation", () => {
        assert.deepStrictEqual(pages(), [
            "README.md",
            "ci.md",
            "enable-backups.md",
            "in-place-restore.md",
            "interrupted-deployment.md",
            "ransomware.md",
            "region-loss.md",
            "rerun-in-place-restore.md",
            "restore-drill.md",
            "rotate-s3-credentials.md",
            "superset-restore.md",
            "total-cluster-loss.md",
        ]);
    });

    it("links every page from the index", () => {
        const index = fs.readFileSync(path.join(RUNBOOKS_DIR, "README.md"), "utf8");
        for (const page of pages().filter((p) => p !== "README.md")) assert.ok(index.includes(`](${page})`), page);
    });

    // Every page found, so a new page cannot escape the checks.
    for (const page of pages()) {
        describe(page, () => {
            const text = () => fs.readFileSync(path.join(RUNBOOKS_DIR, page), "utf8");

            // That every command it shows exists is checked with every other page of docs/ (test/docs.test.ts).
            if (!NOT_OPERATIONS.includes(page)) {
                it("has the sections of a runbook", () => {
                    const missing = REQUIRED_SECTIONS.filter((s) => !sectionsOf(text()).includes(s));
                    assert.deepStrictEqual(missing, [], `${page} lacks ${missing.join(", ")}`);
                });

                it("shows at least one command of this project", () => {
                    assert.ok(commandsOf(text()).some((c) => /^(node cli\/bin\.js|npx hopsworks-dr|npm run|pulumi) /.test(c)));
                });
            }
        });
    }

    it("gives the exact pulumi import of an existing hopsworks-bsl, under its component", () => {
        const commands = commandsOf(fs.readFileSync(path.join(RUNBOOKS_DIR, "enable-backups.md"), "utf8"));
        assert.ok(
            commands.includes(
                "pulumi import kubernetes:velero.io/v1:BackupStorageLocation backup-location velero/hopsworks-bsl " +
                    "--parent 'backupLocation=urn:pulumi:prod::hopsworks-dr::hopsworks-dr:index:BackupLocation::backup-location' " +
                    "--generate-code=false -s prod",
            ),
        );
    });

    describe("the command check", () => {
        it("finds commands in fenced blocks, continued lines, chains and inline code", () => {
            const markdown = "Run `npm test` first.\n\n```sh\nnpm ci && npm run render -- --stack dev   # render\npulumi up \\\n  -s prod\n```\n";
            assert.deepStrictEqual(commandsOf(markdown), ["npm ci", "npm run render -- --stack dev", "pulumi up -s prod", "npm test"]);
        });

        it("reports a missing script, an unknown CLI command or option, and unknown config keys", () => {
            const markdown = [
                "```sh",
                "npm run deploy",
                "npx hopsworks-dr restore apply --stack prod",
                "hopsworks-dr backups list --mode in-place",
                "pulumi config set --path restore.backupID 254811200 -s prod",
                "pulumi config set hopsworks-dr:storage.bucketName x -s prod",
                "pulumi config set --path storage.irsa.roleArn x -s prod",
                "pulumi config set --path storage.irsa.oidcProviderArn x -s prod",
                "pulumi config set --path 'hopsworks.valuesFiles[0]' values/drill.yaml -s prod",
                "pulumi config set --path 'hopsworks.valueFiles[0]' values/drill.yaml -s prod",
                "hopsworks-dr --help",
                "hopsworks-dr backups --help",
                "npx hopsworks-dr <command>",
                "hopsworks-dr backups lost --help",
                "node cli/bin.js restore finish --stack prod",
                "node cli/bin.js restore apply --stack prod",
                "```",
            ].join("\n");
            assert.deepStrictEqual(commandProblems(markdown, COMMANDS), [
                'npm run deploy: no script "deploy" in package.json',
                'npx hopsworks-dr restore apply --stack prod: "hopsworks-dr restore apply" is not a CLI command',
                'hopsworks-dr backups list --mode in-place: "hopsworks-dr backups list" takes no --mode',
                "pulumi config set --path restore.backupID 254811200 -s prod: unknown config key restore.backupID",
                "pulumi config set hopsworks-dr:storage.bucketName x -s prod: unknown config key storage.bucketName",
                "pulumi config set --path storage.irsa.roleArn x -s prod: unknown config key storage.irsa.roleArn",
                "pulumi config set --path 'hopsworks.valueFiles[0]' values/drill.yaml -s prod: unknown config key hopsworks.valueFiles",
                'hopsworks-dr backups lost --help: "hopsworks-dr backups lost" is not a CLI command',
                'node cli/bin.js restore apply --stack prod: "hopsworks-dr restore apply" is not a CLI command',
            ]);
        });
    });
});
