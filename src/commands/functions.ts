// FUNCTION, Redis 7.0's function libraries, for a server that has no library engine yet
// (scripting is issue 13): no library can be loaded, so the library set is always empty and the
// subcommands that only read or clear it answer exactly as Redis does with no libraries. Test
// harnesses and client libraries call FUNCTION FLUSH before their suites; it must answer OK.
// LOAD, DUMP and RESTORE come with the Lua engine; until then they are unknown subcommands.
import { bytesToString, isKeyword } from "./args.ts";
import { defineCommand } from "./define.ts";
import { replyHelp } from "./server-help.ts";
import { CmdFlag, type Args, type Client, type CommandEntry } from "./types.ts";

const { WRITE, NOSCRIPT, ALLOW_BUSY, LOADING, STALE } = CmdFlag;
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
  c.reply.ok();
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
  c.reply.arrayHeader(0); // no library matches: there are none
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
    r.integer(0);
    r.bulkString("functions_count");
    r.integer(0);
  }
}

function sub(name: string, arity: number, flags: number, categories: readonly string[], summary: string, handler: (c: Client, argv: Args) => void): CommandEntry {
  return defineCommand({ name: `function|${name}`, arity, flags, categories, summary, since: "7.0.0", handler });
}

export const functionCommands: CommandEntry[] = [
  defineCommand({
    name: "function",
    arity: -2,
    flags: 0,
    categories: ["slow"],
    summary: "A container for function commands",
    since: "7.0.0",
    subcommands: [
      sub("delete", 3, WRITE | NOSCRIPT, WRITE_SCRIPTING, "Delete a function by name", (c) => c.reply.error("ERR Library not found")),
      sub("flush", -2, WRITE | NOSCRIPT, WRITE_SCRIPTING, "Deleting all functions", cmdFunctionFlush),
      sub("kill", 2, NOSCRIPT | ALLOW_BUSY, SCRIPTING, "Kill the function currently in execution.", (c) => c.reply.error("NOTBUSY No scripts in execution right now.")),
      sub("list", -2, NOSCRIPT, SCRIPTING, "List information about all the functions", cmdFunctionList),
      sub("stats", 2, NOSCRIPT | ALLOW_BUSY, SCRIPTING, "Return information about the function currently running (name, description, duration)", cmdFunctionStats),
      sub("help", 2, LOADING | STALE, SCRIPTING, "Show helpful text about the different subcommands", (c, argv) => replyHelp(c, argv, HELP_LINES)),
    ],
  }),
];
