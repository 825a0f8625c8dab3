// Generic key commands. Placeholder until filled in.
import type { CommandEntry } from "./types.ts";
export const keyCommands: CommandEntry[] = [];
