/** `hopsworks-dr restore finish`: removes the restore block after a successful restore. */
import type { Command, CommandContext } from "../command";
import { OptionValues, required } from "../options";
import { RESTORE_CONFIG_KEY } from "../../stacks/names";

export interface RestoreFinishOptions {
    stack: string;
    dryRun: boolean;
}

async function run(options: RestoreFinishOptions, { io, withStack }: CommandContext): Promise<number> {
    return withStack(options.stack, !options.dryRun, async (stack) => {
        if (!stack.hasRestoreBlock()) {
            io.stdout(`${stack.shown}: no ${RESTORE_CONFIG_KEY} block; nothing to do\n`);
            return 0;
        }
        const edit = stack.editRestore(undefined, options.dryRun);
        edit.show(io);
        edit.apply();
        io.stdout(`\nNext (the release drops restoreFromBackup, as the manual requires after a restore):\n  pulumi preview --diff -s ${options.stack}\n  pulumi up -s ${options.stack}\n`);
        return 0;
    });
}

export const restoreFinish: Command<RestoreFinishOptions> = {
    spec: {
        name: "restore finish",
        title: "Remove the restore from a stack file after a successful restore",
        synopsis: "--stack <name> [--dry-run]",
        summary: "remove the restore block after a successful restore",
        description:
            "After a successful restore, removes the whole hopsworks-dr:restore block from Pulumi.<name>.yaml, so the next\n" +
            "pulumi up drops restoreFromBackup from the release. Needs no cluster.",
        options: ["stack", "dry-run"],
        optionHelp: { stack: "the stack: the block is removed from Pulumi.<name>.yaml in the working directory" },
        examples: [["Once the restore succeeded", "hopsworks-dr restore finish --stack prod"]],
    },
    options: (values: OptionValues) => ({ stack: required(values, "stack", "restore finish"), dryRun: values["dry-run"] === true }),
    run,
};
