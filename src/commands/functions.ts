// FUNCTION and FCALL, Redis 7.0's function libraries on the script VM (src/scripting/
// function-libraries.ts): LOAD [REPLACE], DELETE, FLUSH, LIST [WITHCODE] [LIBRARYNAME], STATS,
// KILL, HELP, and FCALL / FCALL_RO (keys routed like EVAL's). DUMP and RESTORE (Redis's RDB
// payload) are not there yet.
import { globMatch } from "../engine/glob.ts";
import { allLibraries, deleteLibrary, flushLibraries, functionByName, loadLibrary } from "../scripting/function-libraries.ts";
import { runScript } from "../scripting/script-runner.ts";
import { bytesToString, isKeyword } from "./args.ts";
import { evalKeyPositions, keysOrReply, localKeys } from "./scripting.ts";
import { defineCommand } from "./define.ts";
import { replyHelp } from "./server-help.ts";
import { CmdFlag, type Args, type Client, type CommandEntry } from "./types.ts";

const { WRITE, NOSCRIPT, ALLOW_BUSY, LOADING, STALE, DENYOOM, MAY_REPLICATE, READONLY } = CmdFlag;
const SCRIPTING = ["slow", "scripting"] as const;
const WRITE_SCRIPTING = ["write", "slow", "scripting"] as const;

/** The engines a FUNCTION STATS reply lists (Redis 7.0 registers LUA at start-up). */
const ENGINES = ["LUA"] as const;

const HELP_LINES = [
  "DELETE <LIBRARY NAME>",
  "    Delete the given library.",
  "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
  "    Return general information on all the libraries:",
  "    * Library name",
  "    * The engine used to run the Library",
  "    * Library description",
  "    * Functions list",
  "    * Library code (if WITHCODE is given)",
  "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
  "STATS",
  "    Return information about the current function running:",
  "    * Function name",
  "    * Command used to run the function",
  "    * Duration in MS that the function is running",
  "    If no function is running, return nil",
  "    In addition, returns a list of available engines.",
  "KILL",
  "    Kill the current running function.",
  "FLUSH [ASYNC|SYNC]",
  "    Delete all the libraries.",
  "    When called without the optional mode argument, the behavior is determined by the",
  "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
  "    * ASYNC: Asynchronously flush the libraries.",
  "    * SYNC: Synchronously flush the libraries.",
];

/** Redis's addReplySubcommandSyntaxError. */
function subcommandSyntaxError(c: Client, argv: Args): void {
  const sub = bytesToString(argv[1]!);
  c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${sub}'. Try FUNCTION HELP.`);
}

// FUNCTION FLUSH [ASYNC|SYNC]
function cmdFunctionFlush(c: Client, argv: Args): void {
  if (argv.length > 3) return subcommandSyntaxError(c, argv);
  if (argv.length === 3 && !isKeyword(argv[2]!, "sync") && !isKeyword(argv[2]!, "async")) {
    return c.reply.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  }
  flushLibraries();
  c.reply.ok();
}

// FUNCTION LOAD [REPLACE] code
function cmdFunctionLoad(c: Client, argv: Args): void {
  let replace = false;
  let i = 2;
  for (; i < argv.length - 1; i++) {
    if (isKeyword(argv[i]!, "replace")) replace = true;
    else return c.reply.error(`ERR Unknown option given: ${bytesToString(argv[i]!)}`);
  }
  if (i >= argv.length) return c.reply.error("ERR Function code was not given");
  const r = loadLibrary(new TextDecoder().decode(argv[i]!), replace);
  if (r.error !== undefined) return c.reply.error(r.error);
  c.reply.bulkString(r.name!);
}

// FUNCTION DELETE library
function cmdFunctionDelete(c: Client, argv: Args): void {
  if (!deleteLibrary(bytesToString(argv[2]!))) return c.reply.error("ERR Library not found");
  c.reply.ok();
}

// FCALL / FCALL_RO function numkeys [key ...] [arg ...]
function fcall(c: Client, argv: Args, readOnly: boolean): void {
  const fn = functionByName(bytesToString(argv[1]!));
  if (fn === undefined) return c.reply.error("ERR Function not found");
  const n = keysOrReply(c, argv, "ERR Bad number of keys provided");
  if (n === undefined) return;
  const noWrites = fn.flags.includes("no-writes");
  if (readOnly && !noWrites) return c.reply.error("ERR Can not execute a script with write flag using *_ro command.");
  const keys = argv.slice(3, 3 + n);
  runScript(c, {
    label: fn.name,
    source: "@user_function",
    push: (vm) => vm.pushRef(fn.ref),
    keys,
    args: argv.slice(3 + n),
    readOnly: readOnly || noWrites,
    local: localKeys(c, keys),
  });
}

// FUNCTION LIST [WITHCODE] [LIBRARYNAME pattern]
function cmdFunctionList(c: Client, argv: Args): void {
  let withCode = false;
  let pattern = false;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (!withCode && isKeyword(a, "withcode")) {
      withCode = true;
    } else if (!pattern && isKeyword(a, "libraryname")) {
      if (i + 1 >= argv.length) return c.reply.error("ERR library name argument was not given");
      pattern = true;
      i++;
    } else {
      return c.reply.error(`ERR Unknown argument ${bytesToString(a)}`);
    }
  }
  const glob = pattern ? new TextEncoder().encode(bytesToString(argv[argv.findIndex((a, i) => i >= 2 && isKeyword(a, "libraryname")) + 1]!)) : undefined;
  const libs = allLibraries().filter((l) => glob === undefined || globMatch(glob, new TextEncoder().encode(l.name), false));
  const r = c.reply;
  r.arrayHeader(libs.length);
  for (const lib of libs) {
    r.mapHeader(withCode ? 4 : 3);
    r.bulkString("library_name");
    r.bulkString(lib.name);
    r.bulkString("engine");
    r.bulkString("LUA");
    r.bulkString("functions");
    r.arrayHeader(lib.functions.length);
    for (const f of lib.functions) {
      r.mapHeader(3);
      r.bulkString("name");
      r.bulkString(f.name);
      r.bulkString("description");
      if (f.description === undefined) r.nullBulk();
      else r.bulkString(f.description);
      r.bulkString("flags");
      r.setHeader(f.flags.length);
      for (const flag of f.flags) r.bulkString(flag);
    }
    if (withCode) {
      r.bulkString("library_code");
      r.bulkString(lib.code);
    }
  }
}

// FUNCTION STATS
function cmdFunctionStats(c: Client): void {
  const r = c.reply;
  r.mapHeader(2);
  r.bulkString("running_script");
  r.nullBulk();
  r.bulkString("engines");
  r.mapHeader(ENGINES.length);
  for (const name of ENGINES) {
    r.bulkString(name);
    r.mapHeader(2);
    r.bulkString("libraries_count");
    r.integer(allLibraries().length);
    r.bulkString("functions_count");
    r.integer(allLibraries().reduce((n, l) => n + l.functions.length, 0));
  }
}

function sub(name: string, arity: number, flags: number, categories: readonly string[], summary: string, handler: (c: Client, argv: Args) => void): CommandEntry {
  return defineCommand({ name: `function|${name}`, arity, flags, categories, summary, since: "7.0.0", handler });
}

export const functionCommands: CommandEntry[] = [
  defineCommand({ name: "fcall", arity: -3, flags: NOSCRIPT | STALE | MAY_REPLICATE, movableKeys: evalKeyPositions, categories: SCRIPTING,
    summary: "Invokes a function.", since: "7.0.0", handler: (c, argv) => fcall(c, argv, false) }),
  defineCommand({ name: "fcall_ro", arity: -3, flags: NOSCRIPT | STALE | READONLY, movableKeys: evalKeyPositions, categories: SCRIPTING,
    summary: "Invokes a read-only function.", since: "7.0.0", handler: (c, argv) => fcall(c, argv, true) }),
  defineCommand({
    name: "function",
    arity: -2,
    flags: 0,
    categories: ["slow"],
    summary: "A container for function commands",
    since: "7.0.0",
    subcommands: [
      sub("delete", 3, WRITE | NOSCRIPT, WRITE_SCRIPTING, "Delete a function by name", cmdFunctionDelete),
      sub("load", -3, WRITE | DENYOOM | NOSCRIPT, WRITE_SCRIPTING, "Create a function with the given arguments (name, code, description)", cmdFunctionLoad),
      sub("flush", -2, WRITE | NOSCRIPT, WRITE_SCRIPTING, "Deleting all functions", cmdFunctionFlush),
      sub("kill", 2, NOSCRIPT | ALLOW_BUSY, SCRIPTING, "Kill the function currently in execution.", (c) => c.reply.error("NOTBUSY No scripts in execution right now.")),
      sub("list", -2, NOSCRIPT, SCRIPTING, "List information about all the functions", cmdFunctionList),
      sub("stats", 2, NOSCRIPT | ALLOW_BUSY, SCRIPTING, "Return information about the function currently running (name, description, duration)", cmdFunctionStats),
      sub("help", 2, LOADING | STALE, SCRIPTING, "Show helpful text about the different subcommands", (c, argv) => replyHelp(c, argv, HELP_LINES)),
    ],
  }),
];
