// COMMAND and its subcommands (COUNT INFO DOCS LIST GETKEYS HELP), rendered from the command table
// in Redis 7.0's reply shapes.
import { globMatch } from "../engine/glob.ts";
import { ERR_SYNTAX } from "../protocol/errors.ts";
import { bytesToString, isKeyword } from "./args.ts";
import { defineCommand } from "./define.ts";
import { replyHelp } from "./server-help.ts";
import { CMD_FLAG_NAMES, CmdFlag, type Args, type Client, type CommandEntry, type CommandTable } from "./types.ts";

export const ERR_INVALID_COMMAND = "ERR Invalid command specified";
export const ERR_NO_KEY_ARGS = "ERR The command has no key arguments";
export const ERR_GETKEYS_ARGS = "ERR Invalid number of arguments specified for command";

const { LOADING, STALE } = CmdFlag;
const encoder = new TextEncoder();

/** The entry named `name` (`get`, or `config|get` / `config get` style), or undefined. */
function findEntry(table: CommandTable, name: string): CommandEntry | undefined {
  const lower = name.toLowerCase();
  const bar = lower.indexOf("|");
  if (bar < 0) return table.get(lower);
  return table.get(lower.slice(0, bar))?.subcommands?.find((s) => s.name === lower);
}

/** Key positions of a call (argv includes the command name), per the entry's first/last/step or its movableKeys. */
export function keyPositions(entry: CommandEntry, argc: number, argv?: Args): number[] {
  if (entry.movableKeys !== undefined && argv !== undefined) return entry.movableKeys(argv);
  if (entry.firstKey <= 0) return [];
  const last = entry.lastKey < 0 ? argc + entry.lastKey : entry.lastKey;
  const out: number[] = [];
  for (let i = entry.firstKey; i <= last && i < argc; i += Math.max(1, entry.step)) out.push(i);
  return out;
}

function replyFlags(c: Client, e: CommandEntry): void {
  const names = CMD_FLAG_NAMES.filter(([bit]) => e.flags & bit).map(([, n]) => n);
  c.reply.setHeader(names.length);
  for (const n of names) c.reply.simple(n);
}

function replyKeySpecs(c: Client, e: CommandEntry): void {
  if (e.firstKey <= 0) return c.reply.setHeader(0);
  const r = c.reply;
  const access = e.flags & CmdFlag.WRITE ? ["RW", "update"] : ["RO", "access"];
  r.setHeader(1);
  r.mapHeader(3);
  r.bulkString("flags");
  r.setHeader(access.length);
  for (const a of access) r.simple(a);
  r.bulkString("begin_search");
  r.mapHeader(2);
  r.bulkString("type");
  r.bulkString("index");
  r.bulkString("spec");
  r.mapHeader(1);
  r.bulkString("index");
  r.integer(e.firstKey);
  r.bulkString("find_keys");
  r.mapHeader(2);
  r.bulkString("type");
  r.bulkString("range");
  r.bulkString("spec");
  r.mapHeader(3);
  r.bulkString("lastkey");
  r.integer(e.lastKey < 0 ? e.lastKey : e.lastKey - e.firstKey);
  r.bulkString("keystep");
  r.integer(e.step);
  r.bulkString("limit");
  r.integer(0);
}

/** One COMMAND / COMMAND INFO row: the 10-element array of Redis 7. */
export function replyCommandInfo(c: Client, e: CommandEntry): void {
  const r = c.reply;
  r.arrayHeader(10);
  r.bulkString(e.name);
  r.integer(e.arity);
  replyFlags(c, e);
  r.integer(e.firstKey);
  r.integer(e.lastKey);
  r.integer(e.step);
  r.setHeader(e.categories.length);
  for (const cat of e.categories) r.simple(`@${cat}`);
  r.setHeader(0); // tips
  replyKeySpecs(c, e);
  if (!e.subcommands) return r.setHeader(0);
  r.arrayHeader(e.subcommands.length);
  for (const s of e.subcommands) replyCommandInfo(c, s);
}

/** Redis's documentation group, from the ACL categories. */
function group(e: CommandEntry): string {
  const cats = e.categories;
  for (const g of ["string", "hash", "list", "set", "sortedset", "stream", "geo", "pubsub", "transaction", "scripting", "connection"]) {
    if (cats.includes(g)) return g === "sortedset" ? "sorted-set" : g === "transaction" ? "transactions" : g;
  }
  if (cats.includes("keyspace")) return "generic";
  return "server";
}

function replyDocs(c: Client, e: CommandEntry): void {
  const r = c.reply;
  const subs = e.subcommands;
  r.mapHeader(subs ? 4 : 3);
  r.bulkString("summary");
  r.bulkString(e.summary);
  r.bulkString("since");
  r.bulkString(e.since);
  r.bulkString("group");
  r.bulkString(group(e));
  if (!subs) return;
  r.bulkString("subcommands");
  r.mapHeader(subs.length);
  for (const s of subs) {
    r.bulkString(s.name);
    replyDocs(c, s);
  }
}

function visible(table: CommandTable): CommandEntry[] {
  return table.all().filter((e) => !(e.flags & CmdFlag.HIDDEN));
}

// COMMAND
function cmdCommand(c: Client): void {
  const all = visible(c.server.commands);
  c.reply.arrayHeader(all.length);
  for (const e of all) replyCommandInfo(c, e);
}

// COMMAND COUNT
function cmdCount(c: Client): void {
  c.reply.integer(visible(c.server.commands).length);
}

// COMMAND INFO [command-name ...]
function cmdInfo(c: Client, argv: Args): void {
  if (argv.length === 2) return cmdCommand(c);
  c.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const e = findEntry(c.server.commands, bytesToString(argv[i]!));
    if (e) replyCommandInfo(c, e);
    else c.reply.nullArray();
  }
}

// COMMAND DOCS [command-name ...]
function cmdDocs(c: Client, argv: Args): void {
  let list: CommandEntry[];
  if (argv.length === 2) list = visible(c.server.commands);
  else {
    list = [];
    for (let i = 2; i < argv.length; i++) {
      const e = findEntry(c.server.commands, bytesToString(argv[i]!));
      if (e) list.push(e);
    }
  }
  c.reply.mapHeader(list.length);
  for (const e of list) {
    c.reply.bulkString(e.name);
    replyDocs(c, e);
  }
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]
function cmdList(c: Client, argv: Args): void {
  let keep: (e: CommandEntry) => boolean = () => true;
  if (argv.length === 5 && isKeyword(argv[2]!, "filterby")) {
    const kind = argv[3]!;
    const value = bytesToString(argv[4]!);
    if (isKeyword(kind, "module")) keep = () => false;
    else if (isKeyword(kind, "aclcat")) keep = (e) => e.categories.includes(value.toLowerCase());
    else if (isKeyword(kind, "pattern")) {
      const p = argv[4]!;
      keep = (e) => globMatch(p, encoder.encode(e.name), true);
    } else return c.reply.error(ERR_SYNTAX);
  } else if (argv.length !== 2) {
    return c.reply.error(ERR_SYNTAX);
  }
  const names: string[] = [];
  for (const e of visible(c.server.commands)) {
    if (keep(e)) names.push(e.name);
    for (const s of e.subcommands ?? []) if (keep(s)) names.push(s.name);
  }
  c.reply.stringArray(names);
}

// COMMAND GETKEYS command [arg ...]
function cmdGetKeys(c: Client, argv: Args): void {
  const inner = argv.slice(2);
  let e = c.server.commands.get(bytesToString(inner[0]!).toLowerCase());
  if (e?.subcommands && inner.length > 1) {
    e = e.subcommands.find((s) => s.name === `${e!.name}|${bytesToString(inner[1]!).toLowerCase()}`) ?? e;
  }
  if (!e) return c.reply.error(ERR_INVALID_COMMAND);
  if (e.firstKey <= 0) return c.reply.error(ERR_NO_KEY_ARGS);
  if ((e.arity > 0 && e.arity !== inner.length) || inner.length < -e.arity) return c.reply.error(ERR_GETKEYS_ARGS);
  const pos = keyPositions(e, inner.length, inner);
  c.reply.arrayHeader(pos.length);
  for (const p of pos) c.reply.bulk(inner[p]!);
}

const HELP_LINES = [
  "(no subcommand)",
  "    Return details about all Redis commands.",
  "COUNT",
  "    Return the total number of commands in this Redis server.",
  "LIST",
  "    Return a list of all commands in this Redis server.",
  "INFO [<command-name> ...]",
  "    Return details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "DOCS [<command-name> ...]",
  "    Return documentation details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "GETKEYS <full-command>",
  "    Return the keys from a full Redis command.",
];

const CAT = ["slow", "connection"] as const;
const sub = (name: string, arity: number, summary: string, since: string, handler: (c: Client, argv: Args) => void): CommandEntry =>
  defineCommand({ name: `command|${name}`, arity, flags: LOADING | STALE, categories: CAT, summary, since, handler });

export const commandCommand: CommandEntry = defineCommand({
  name: "command",
  arity: -1,
  flags: LOADING | STALE,
  categories: CAT,
  summary: "Returns detailed information about all commands.",
  since: "2.8.13",
  handler: cmdCommand,
  subcommands: [
    sub("count", 2, "Returns a count of commands.", "2.8.13", cmdCount),
    sub("info", -2, "Returns information about one, multiple or all commands.", "2.8.13", cmdInfo),
    sub("docs", -2, "Returns documentary information about one, multiple or all commands.", "7.0.0", cmdDocs),
    sub("list", -2, "Returns a list of command names.", "7.0.0", cmdList),
    sub("getkeys", -4, "Extracts the key names from an arbitrary command.", "2.8.13", cmdGetKeys),
    sub("help", 2, "Returns helpful text about the different subcommands.", "5.0.0", (c, argv) => replyHelp(c, argv, HELP_LINES)),
  ],
});
