// Server commands: COMMAND (command-docs.ts), CONFIG (server-config.ts), INFO (info.ts), TIME,
// DBSIZE, SHUTDOWN (LASTSAVE is in persistence.ts), and SLOWLOG / LATENCY (server-monitor.ts).
import { ERR_SYNTAX } from "../protocol/errors.ts";
import { bytesToString, isKeyword } from "./args.ts";
import { commandCommand } from "./command-docs.ts";
import { defineCommand } from "./define.ts";
import { renderInfo } from "./info.ts";
import { configCommand } from "./server-config.ts";
import { latencyCommand, slowlogCommand } from "./server-monitor.ts";
import { CmdFlag, type Args, type Client, type CommandEntry } from "./types.ts";

const { READONLY, ADMIN, NOSCRIPT, LOADING, STALE, FAST, NO_MULTI, ALLOW_BUSY } = CmdFlag;
export const ERR_NO_SHUTDOWN = "ERR No shutdown in progress.";

// INFO [section [section ...]]: a bulk string in RESP2, verbatim text in RESP3.
function cmdInfo(c: Client, argv: Args): void {
  const sections = argv.slice(1).map((a) => bytesToString(a).toLowerCase());
  c.reply.verbatim(renderInfo(c.server, sections, c.server.keyspace.now()));
}

// TIME: [unix seconds, microseconds] as bulk strings.
function cmdTime(c: Client): void {
  const us = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
  c.reply.arrayHeader(2);
  c.reply.bulkString(String(us / 1_000_000n));
  c.reply.bulkString(String(us % 1_000_000n));
}

// DBSIZE
function cmdDbsize(c: Client): void {
  c.reply.integer(c.db.size);
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. No reply on success: the connection closes.
function cmdShutdown(c: Client, argv: Args): void {
  let save: boolean | undefined;
  let nosave = false;
  let abort = false;
  let now = false;
  let force = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (isKeyword(a, "nosave")) nosave = true;
    else if (isKeyword(a, "save")) save = true;
    else if (isKeyword(a, "now")) now = true;
    else if (isKeyword(a, "force")) force = true;
    else if (isKeyword(a, "abort")) abort = true;
    else return c.reply.error(ERR_SYNTAX);
  }
  if ((save && nosave) || (abort && argv.length > 2)) return c.reply.error(ERR_SYNTAX);
  if (abort) return c.reply.error(ERR_NO_SHUTDOWN);
  if (nosave) save = false;
  const refused = c.server.shutdown(save, { now, force });
  if (refused !== undefined) c.reply.error(refused);
}

export const serverCommands: CommandEntry[] = [
  commandCommand,
  configCommand,
  defineCommand({ name: "info", arity: -1, flags: LOADING | STALE, categories: ["slow", "dangerous"], summary: "Returns information and statistics about the server.", since: "1.0.0", handler: cmdInfo }),
  defineCommand({ name: "time", arity: 1, flags: LOADING | STALE | FAST, categories: ["fast"], summary: "Returns the server time.", since: "2.6.0", handler: cmdTime }),
  defineCommand({ name: "dbsize", arity: 1, flags: READONLY | FAST, categories: ["keyspace", "read", "fast"], summary: "Returns the number of keys in the database.", since: "1.0.0", handler: cmdDbsize }),
  defineCommand({
    name: "shutdown",
    arity: -1,
    flags: ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY,
    categories: ["admin", "slow", "dangerous"],
    summary: "Synchronously saves the database(s) to disk and shuts down the Redis server.",
    since: "1.0.0",
    handler: cmdShutdown,
  }),
  slowlogCommand,
  latencyCommand,
];
