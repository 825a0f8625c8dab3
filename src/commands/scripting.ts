// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (LOAD EXISTS FLUSH KILL HELP) on the Lua VM of
// src/scripting/. A script's declared keys route it like any command's keys (movableKeys): on
// one worker it runs there, over several it runs on the atomic scratch path with exactly those
// keys; a key it did not declare that another worker owns gets Redis Cluster's error. Every worker
// has its own script cache: SCRIPT LOAD and FLUSH run on all of them (cluster/aggregate.ts).
import { bytesToLatin1 as latin1, isKeyword } from "./args.ts";
import { defineCommand } from "./define.ts";
import { replyHelp } from "./server-help.ts";
import { CmdFlag, type Args, type Client, type CommandEntry } from "./types.ts";
import { runScript, scriptVm, sha1hex } from "../scripting/script-runner.ts";

const { NOSCRIPT, STALE, MAY_REPLICATE, READONLY, ALLOW_BUSY } = CmdFlag;
const dec = new TextDecoder();
const ERR_NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";

/** numkeys of EVAL-family `argv` (index 2) when valid, else undefined. */
function numKeys(argv: Args): number | undefined {
  // Read from the bytes (decoding and a regex cost a third of a µs per EVALSHA): -?\d{1,19}.
  const b = argv[2]!;
  const neg = b[0] === 45;
  const digits = b.length - (neg ? 1 : 0);
  if (digits < 1 || digits > 19) return undefined;
  let n = 0;
  for (let i = neg ? 1 : 0; i < b.length; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return neg ? -n : n;
}

/** Key positions of an EVAL-family call: argv[3 .. 3+numkeys) when numkeys is valid. */
export function evalKeyPositions(argv: Args): number[] {
  const n = numKeys(argv);
  if (n === undefined || n <= 0 || n > argv.length - 3) return [];
  return Array.from({ length: n }, (_, i) => 3 + i);
}


/** Which keys a script may touch here: undefined = all (one worker); else the owner check. */
export function localKeys(c: Client, keys: Args): ((key: Uint8Array) => boolean) | undefined {
  const cluster = c.server.cluster;
  if (c.isolated === true) {
    // The atomic scratch path holds exactly the declared keys.
    const declared = new Set(keys.map((k) => latin1(k)));
    return (k) => declared.has(latin1(k));
  }
  if (cluster !== undefined) return (k) => cluster.slots.ownerOfKey(k) === cluster.index;
  return undefined;
}

/** numkeys and the keys of an EVAL/FCALL-family call, or undefined after replying the error. */
export function keysOrReply(c: Client, argv: Args, notInteger = "ERR value is not an integer or out of range"): number | undefined {
  const n = numKeys(argv);
  if (n === undefined) return void c.reply.error(notInteger);
  if (n > argv.length - 3) return void c.reply.error("ERR Number of keys can't be greater than number of args");
  if (n < 0) return void c.reply.error("ERR Number of keys can't be negative");
  return n;
}

function evalGeneric(c: Client, argv: Args, bySha: boolean, readOnly: boolean): void {
  const n = keysOrReply(c, argv);
  if (n === undefined) return;
  const vm = scriptVm();
  let sha: string;
  if (bySha) {
    sha = dec.decode(argv[1]!).toLowerCase();
    if (sha.length !== 40 || !vm.has(sha)) return c.reply.error(ERR_NOSCRIPT);
  } else {
    sha = sha1hex(argv[1]!);
    const err = vm.load(sha, argv[1]!);
    if (err !== undefined) return c.reply.error(err);
  }
  const keys = argv.slice(3, 3 + n);
  runScript(c, { label: sha, push: (v) => v.pushScript(sha), keys, args: argv.slice(3 + n), readOnly, local: localKeys(c, keys) });
}

function cmdScriptLoad(c: Client, argv: Args): void {
  const sha = sha1hex(argv[2]!);
  const err = scriptVm().load(sha, argv[2]!);
  if (err !== undefined) return c.reply.error(err);
  c.reply.bulkString(sha);
}

function cmdScriptExists(c: Client, argv: Args): void {
  const vm = scriptVm();
  c.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.integer(vm.has(dec.decode(argv[i]!).toLowerCase()) ? 1 : 0);
}

function cmdScriptFlush(c: Client, argv: Args): void {
  if (argv.length > 3 || (argv.length === 3 && !isKeyword(argv[2]!, "sync") && !isKeyword(argv[2]!, "async"))) {
    return c.reply.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  }
  scriptVm().flush();
  c.reply.ok();
}

const HELP_LINES = [
  "DEBUG (YES|SYNC|NO)",
  "    Set the debug mode for subsequent scripts executed.",
  "EXISTS <sha1> [<sha1> ...]",
  "    Return information about the existence of the scripts in the script cache.",
  "FLUSH [ASYNC|SYNC]",
  "    Flush the Lua scripts cache. Very dangerous on replicas.",
  "    When called without the optional mode argument, the behavior is determined by the",
  "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
  "    * ASYNC: Asynchronously flush the scripts cache.",
  "    * SYNC: Synchronously flush the scripts cache.",
  "KILL",
  "    Kill the currently executing Lua script.",
  "LOAD <script>",
  "    Load a script into the scripts cache without executing it.",
];

const SCRIPTING = ["slow", "scripting"] as const;
const evalEntry = (name: string, flags: number, summary: string, bySha: boolean, readOnly: boolean): CommandEntry =>
  defineCommand({ name, arity: -3, flags: NOSCRIPT | STALE | flags, movableKeys: evalKeyPositions, categories: SCRIPTING, summary, since: readOnly ? "7.0.0" : bySha ? "2.6.0" : "2.6.0",
    handler: (c, argv) => evalGeneric(c, argv, bySha, readOnly) });
const sub = (name: string, arity: number, flags: number, summary: string, handler: (c: Client, argv: Args) => void): CommandEntry =>
  defineCommand({ name: `script|${name}`, arity, flags, categories: SCRIPTING, summary, since: "2.6.0", handler });

export const scriptingCommands: CommandEntry[] = [
  evalEntry("eval", MAY_REPLICATE, "Executes a server-side Lua script.", false, false),
  evalEntry("evalsha", MAY_REPLICATE, "Executes a server-side Lua script by SHA1 digest.", true, false),
  evalEntry("eval_ro", READONLY, "Executes a read-only server-side Lua script.", false, true),
  evalEntry("evalsha_ro", READONLY, "Executes a read-only server-side Lua script by SHA1 digest.", true, true),
  defineCommand({
    name: "script",
    arity: -2,
    flags: 0,
    categories: ["slow"],
    summary: "A container for Lua scripts management commands.",
    since: "2.6.0",
    subcommands: [
      sub("load", 3, NOSCRIPT | STALE, "Loads a server-side Lua script to the script cache.", cmdScriptLoad),
      sub("exists", -3, NOSCRIPT, "Determines whether server-side Lua scripts exist in the script cache.", cmdScriptExists),
      sub("flush", -2, NOSCRIPT, "Removes all server-side Lua scripts from the script cache.", cmdScriptFlush),
      sub("kill", 2, NOSCRIPT | ALLOW_BUSY, "Terminates a server-side Lua script during execution.", (c) => c.reply.error("NOTBUSY No scripts in execution right now.")),
      sub("help", 2, STALE, "Returns helpful text about the different subcommands.", (c, argv) => replyHelp(c, argv, HELP_LINES)),
    ],
  }),
];
