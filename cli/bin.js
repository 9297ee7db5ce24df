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
    // tsx turns Node's source maps on; mapping every module it loads costs a 20,000-point catalogue
    // about 15 MB and the CLI shows no stack trace to map. NODE_OPTIONS=--enable-source-maps keeps them.
    if (!/--enable-source-maps/.test(process.env.NODE_OPTIONS ?? "")) process.setSourceMapsEnabled(false);
    require("./main.ts").runAsProcess();
}
