#!/usr/bin/env node
// The `hopsworks-dr` bin. --help, -h, no command and the usage errors that need no TypeScript
// (an unknown command or option, a group without its command) are answered from cli/help.json,
// generated from the commands' specs by `npm run cli:help` (a test fails when it is stale), with
// Node's own module loading: loading tsx alone costs more than a bare node start. Anything else
// runs the TypeScript CLI through tsx, like the rest of the project.
"use strict";
const { earlyAnswer } = require("./early.js");

const answer = earlyAnswer(process.argv.slice(2), require("./help.json"));
if (answer !== undefined) {
    process.stdout.write(answer.stdout);
    process.stderr.write(answer.stderr);
    process.exitCode = answer.code;
} else {
    require("tsx/cjs");
    require("./main.ts").runAsProcess();
}
