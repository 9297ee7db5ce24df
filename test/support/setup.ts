/**
 * Loaded by mocha (.mocharc.json `require`) before the test files, in each process that runs them.
 *
 * Node's source-map support (which tsx turns on) is off while the tests run: the Pulumi SDK takes a
 * stack trace for every promise it makes (`debuggablePromise`), and mapping each of those frames back
 * to the TypeScript took a fifth of the CPU time of the tests that run the program. A failure's stack
 * then names the transpiled lines; `TEST_SOURCE_MAPS=1 npm test` maps them back to the TypeScript.
 */
if (process.env.TEST_SOURCE_MAPS !== "1") process.setSourceMapsEnabled(false);
