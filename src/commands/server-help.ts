// Shared pieces of the connection and server families: HELP replies in Redis's layout, the
// version we report to clients, and small flag shorthands.
import { bytesToString } from "./args.ts";
import type { Args, Client } from "./types.ts";

/** The Redis version whose behaviour we follow; reported as redis_version and in HELLO. */
export const REDIS_COMPAT_VERSION = "7.0.15";

/**
 * Redis's addReplyHelp: a header naming the container, the given lines, then HELP, all as
 * simple strings in one array.
 */
export function replyHelp(c: Client, argv: Args, lines: readonly string[]): void {
  const cmd = bytesToString(argv[0]!).toUpperCase();
  c.reply.arrayHeader(lines.length + 3);
  c.reply.simple(`${cmd} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const l of lines) c.reply.simple(l);
  c.reply.simple("HELP");
  c.reply.simple("    Prints this help.");
}

/** Constant-time comparison of two byte strings (password checks). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
