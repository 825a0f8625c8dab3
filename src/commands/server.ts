// Server commands (COMMAND, CONFIG, INFO, TIME, DBSIZE, SHUTDOWN, LATENCY, SLOWLOG). Placeholder until filled in.
import type { CommandEntry } from "./types.ts";
export const serverCommands: CommandEntry[] = [];
