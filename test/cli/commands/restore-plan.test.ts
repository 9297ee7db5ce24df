import * as assert from "assert";
import { CliError } from "../../../cli/errors";
import { veleroChoice } from "../../../cli/commands/restore-plan";
import { RestorePoint } from "../../../stacks/catalogue/restore-points";

const backup = (name: string, schedule: string) => ({ name, schedule, phase: "Completed" });
const NAMED = { main: "k8s-backups-main-20251124120012", users: "k8s-backups-users-resources-20251124120013" };
const known: RestorePoint = {
    id: "254811200",
    time: new Date("2025-11-24T12:00:00Z"),
    velero: { main: backup(NAMED.main, "k8s-backups-main"), users: backup(NAMED.users, "k8s-backups-users-resources") },
    complete: true,
};
const unknown: RestorePoint = { id: "254811200", time: new Date("2025-11-24T12:00:00Z"), velero: {}, complete: false };

/** What `restore plan` writes about a point's Velero backups: the stack refuses a restore that names none. */
describe("restore plan: the Velero backups it writes", () => {
    it("the catalogue's match, or the same when the operator names them", () => {
        assert.deepStrictEqual(veleroChoice(known, "254811200", undefined), { veleroBackups: NAMED });
        assert.deepStrictEqual(veleroChoice(known, "latest", NAMED), { veleroBackups: NAMED });
    });

    it("the operator's names when nothing knows the point's own (a new cluster)", () => {
        assert.deepStrictEqual(veleroChoice(unknown, "254811200", NAMED), { veleroBackups: NAMED });
    });

    it("latestVeleroBackups only for the point `latest` whose backups nobody knows: each schedule's newest is then its own", () => {
        assert.deepStrictEqual(veleroChoice(unknown, "latest", undefined), { latestVeleroBackups: true });
    });

    it("refuses a given ID whose backups nobody named, and names that differ from the catalogue's", () => {
        assert.throws(() => veleroChoice(unknown, "254811200", undefined), (e: CliError) => /the Velero backups of restore point 254811200 are not known: name them with --velero-main and --velero-users/.test(e.message));
        assert.throws(
            () => veleroChoice(known, "254811200", { ...NAMED, users: "k8s-backups-users-resources-20251201120013" }),
            (e: CliError) => /are not the Velero backups of restore point 254811200: the catalogue matches k8s-backups-main-20251124120012 and k8s-backups-users-resources-20251124120013/.test(e.message),
        );
    });
});
