/**
 * `npm run cli:help`: writes cli/help.json, the help texts and usage lines the bin answers
 * --help and usage errors from without loading tsx. Run it after changing a command's spec or an
 * option; test/cli/bin.test.ts fails while the file differs from what this writes.
 */
import * as fs from "fs";
import * as path from "path";
import { HELP_TABLE } from "./main";

export const HELP_JSON = path.join(__dirname, "help.json");

/** cli/help.json's text: HELP_TABLE as JSON, one key a line. */
export function helpJson(): string {
    return `${JSON.stringify(HELP_TABLE, null, 2)}\n`;
}

if (require.main === module) {
    fs.writeFileSync(HELP_JSON, helpJson());
    process.stdout.write(`wrote ${path.relative(process.cwd(), HELP_JSON)}\n`);
}
