#!/usr/bin/env node
// The `hopsworks-dr` bin: the CLI is TypeScript, run through tsx like the rest of the project.
"use strict";
require("tsx/cjs");
require("./main.ts").runAsProcess();
