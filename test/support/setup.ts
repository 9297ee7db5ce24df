/**
 * Loaded by mocha (.mocharc.json `require`) before the test files, in each process that runs them.
 *
 * The Pulumi SDK takes a stack trace for every promise it makes (`debuggablePromise`, for its
 * promise-leak report at exit, which the tests' engine double never prints), tens of thousands per
 * run. Two things make them cheap while the tests run:
 * - Node's source-map support (which tsx turns on) is off: mapping each frame back to the TypeScript
 *   took a fifth of the CPU time of the tests that run the program. A failure's stack then names the
 *   transpiled lines; `TEST_SOURCE_MAPS=1 npm test` maps them back (and leaves both things alone).
 * - Those traces are not formatted: formatting them cost about 1.5 s of CPU per `npm test`. Every
 *   other error's stack is formatted as V8 formats it.
 */
if (process.env.TEST_SOURCE_MAPS !== "1") {
    process.setSourceMapsEnabled(false);
    Error.prepareStackTrace = formatStack;
}

/** Where the Pulumi SDK takes its promise traces. */
const PULUMI_DEBUGGABLE = /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]debuggable\.js$/;

function formatStack(error: Error, frames: NodeJS.CallSite[]): string {
    if (frames.length > 0 && PULUMI_DEBUGGABLE.test(frames[0].getFileName() ?? "")) return "";
    let header: string;
    try {
        header = Error.prototype.toString.call(error);
    } catch {
        header = "Error";
    }
    return header + frames.map((frame) => `\n    at ${frame}`).join("");
}
