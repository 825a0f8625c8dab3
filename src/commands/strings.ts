// String commands (owned by the strings/keys family work). Placeholder until filled in.
import type { CommandEntry } from "./types.ts";
export const stringCommands: CommandEntry[] = [];
