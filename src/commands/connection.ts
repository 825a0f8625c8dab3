// Connection commands (PING, ECHO, HELLO, AUTH, QUIT, RESET, CLIENT, SELECT). Placeholder until filled in.
import type { CommandEntry } from "./types.ts";
export const connectionCommands: CommandEntry[] = [];
