import { strict as assert } from "assert";
import { existsSync, mkdtempSync, readFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { alive, killProcess, processTree, recordStart, running, startProcess, stopAll, stopProcess, waitFor } from "../../drill/processes";

describe("drill processes", () => {
    let run: string;
    beforeEach(() => {
        run = mkdtempSync(path.join(os.tmpdir(), "drill-proc-"));
    });
    afterEach(() => stopAll(run));

    it("records a started server's PID and output, and stops it by that PID", async () => {
        const pid = startProcess(run, "sleeper", "sh", ["-c", "echo started; exec sleep 60"]);
        const log = path.join(run, "logs", "sleeper.log");
        await waitFor("the server's first line", () => (readFileSync(log, "utf8").includes("started") ? true : undefined), 5000, 20);
        assert.equal(readFileSync(path.join(run, "pids", "sleeper.pid"), "utf8").trim(), String(pid));
        assert.ok(running(run, "sleeper"));
        assert.ok(stopProcess(run, "sleeper"));
        assert.ok(!alive(pid));
        assert.ok(!existsSync(path.join(run, "pids", "sleeper.pid")));
    });

    it("stops the children a server started too (its whole process group)", async () => {
        startProcess(run, "parent", "sh", ["-c", "sleep 60 & echo $! > child.pid; wait"]);
        const child = await waitFor("the child's pid", () => (existsSync(path.join(run, "child.pid")) ? Number(readFileSync(path.join(run, "child.pid"), "utf8")) : undefined), 5000, 50);
        assert.ok(alive(child));
        stopAll(run);
        await waitFor("the child to exit", () => (alive(child) ? undefined : true), 5000, 50);
    });

    it("kills a process and every process it started at once, including children in process groups of their own", async () => {
        // As Pulumi starts its plugins: setsid puts the child in a new group, out of reach of a group kill.
        const pid = startProcess(run, "deployment", "sh", ["-c", "setsid sleep 60 & echo $! > child.pid; wait"]);
        const child = await waitFor("the child's pid", () => (existsSync(path.join(run, "child.pid")) ? Number(readFileSync(path.join(run, "child.pid"), "utf8")) : undefined), 5000, 50);
        assert.ok(processTree(pid).includes(child));
        assert.equal(killProcess(run, "deployment"), true);
        assert.ok(!alive(pid) && !alive(child));
        assert.ok(!existsSync(path.join(run, "pids", "deployment.pid")));
        assert.equal(killProcess(run, "deployment"), false);
    });

    it("stops in the reverse of the start order", () => {
        for (const name of ["etcd", "kube-apiserver", "velero"]) {
            startProcess(run, name, "sleep", ["60"]);
            recordStart(run, name);
        }
        assert.deepEqual(stopAll(run), ["velero", "kube-apiserver", "etcd"]);
    });

    it("stops a server that ignores SIGTERM", () => {
        const pid = startProcess(run, "stubborn", "sh", ["-c", "trap '' TERM; while :; do sleep 0.1; done"]);
        stopProcess(run, "stubborn", 300);
        assert.ok(!alive(pid));
    });

    it("says what it waited for when the time runs out", async () => {
        await assert.rejects(waitFor("the moon", () => undefined, 100, 20), /timed out after 0 s waiting for the moon/);
    });
});
