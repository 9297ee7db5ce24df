/** `text` with control and bidirectional characters written as \uXXXX; newlines and tabs kept with `keepLines` (a whole message). */
export function terminalSafe(text: string, keepLines?: boolean): string;
