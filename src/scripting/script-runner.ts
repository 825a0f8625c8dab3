// Runs a cached script for a client, as Redis 7.0 runs EVAL: KEYS and ARGV set, `redis.call` and
// `redis.pcall` running commands through the same command table and handlers as clients do (on
// the caller's database, atomically: nothing else runs until the script returns), replies
// converted both ways with Redis's rules (lua-reply.ts), and errors worded as Redis words them
// (`ERR user_script:1: boom script: <sha>, on @user_script:1.`).
//
// One VM per worker. Scripts run synchronously inside the EVAL handler, so there is one current
// run at a time, held in `run` for the `redis.*` functions.
import { lua, to_luastring, type LuaState } from "./lua-wasm.ts";
import { keyPositions } from "../commands/command-docs.ts";
import { commandIndex } from "../commands/name-index.ts";
import { feedMonitors, monitoring } from "../commands/monitor.ts";
import type { Args, Client, CommandEntry } from "../commands/types.ts";
import { CmdFlag } from "../commands/types.ts";
import { LuaVm } from "./lua-vm.ts";
import { luaToReply, pushReply, pushErrorTable } from "./lua-reply.ts";
import { ScriptClient } from "./script-client.ts";

const ERR_FIELD = to_luastring("err");
/** lua_pcall's status for an allocation failure (the VM's heap is capped): no message handler ran. */
const LUA_ERRMEM = 4;
const dec = new TextDecoder();

interface Run {
  /** What error texts name after `script:` (the sha, or the function's name). */
  label: string;
  /** The chunk name of the code (`@user_script`, `@user_function`): errors name its line. */
  source: string;
  caller: Client;
  client: ScriptClient;
  readOnly: boolean;
  /** Key owner check (several workers): true when `key` lives on this worker. */
  local: ((key: Uint8Array) => boolean) | undefined;
}

let run: Run | undefined;
let vm: LuaVm | undefined;
/** One client and one message handler serve every run (runs never overlap). */
let scriptClient: ScriptClient | undefined;
let handler: ((L: LuaState) => number) | undefined;

/** The worker's VM, made on first use. */
export function scriptVm(): LuaVm {
  vm ??= new LuaVm(openRedis);
  return vm;
}

/** Bytes the Lua heap holds (INFO's used_memory_lua); 0 before the first script made the VM. */
export function scriptVmBytes(): number {
  return vm?.usedMemory() ?? 0;
}

export const sha1hex = (body: Uint8Array): string => new Bun.CryptoHasher("sha1").update(body).digest("hex");

/** Raises a Redis error from inside `redis.call` (a table with `err`, as Redis raises it). */
function raiseError(L: LuaState, msg: string): never {
  pushErrorTable(L, msg);
  return lua.lua_error(L);
}

/** The command `argv` names for a script: its entry, or undefined after pushing the error table. */
function resolve(L: LuaState, argv: Args): CommandEntry | string {
  const r = run!;
  const entry = commandIndex(r.caller.server.commands).get(argv[0]!);
  if (entry === undefined) return "ERR Unknown Redis command called from script";
  let e = entry;
  if (entry.subcommands !== undefined && argv.length >= 2) {
    const sub = entry.subcommands.find((s) => s.name === `${entry.name}|${dec.decode(argv[1]!).toLowerCase()}`);
    if (sub !== undefined) e = sub;
  }
  if ((e.arity > 0 && argv.length !== e.arity) || (e.arity < 0 && argv.length < -e.arity)) return "ERR Wrong number of args calling Redis command from script";
  if (e.flags & CmdFlag.NOSCRIPT) return "ERR This Redis command is not allowed from script";
  if (r.readOnly && e.flags & CmdFlag.WRITE) return "ERR Write commands are not allowed from read-only scripts.";
  if (r.local !== undefined) {
    const positions = keyPositions(e, argv.length, argv);
    for (const i of positions) if (!r.local(argv[i]!)) return "ERR Script attempted to access a non local key in a cluster node";
  }
  void L;
  return e;
}

/** redis.call / redis.pcall: `protectedCall` returns errors as tables instead of raising them. */
function callCommand(L: LuaState, protectedCall: boolean): number {
  const r = run;
  if (r === undefined) return raiseError(L, "ERR redis.call is only available while a script runs");
  const n = lua.lua_gettop(L);
  if (n === 0) return raiseError(L, "ERR Please specify at least one argument for this redis lib call");
  const argv: Args = [];
  for (let i = 1; i <= n; i++) {
    const t = lua.lua_type(L, i);
    if (t === lua.LUA_TSTRING) argv.push(lua.lua_tolstring(L, i)!); // Lua strings never change: a view is enough
    else if (t === lua.LUA_TNUMBER) argv.push(to_luastring(String(lua.lua_tonumber(L, i))));
    else return raiseError(L, "ERR Lua redis lib command arguments must be strings or integers");
  }
  const entry = resolve(L, argv);
  if (typeof entry === "string") {
    if (protectedCall) {
      pushErrorTable(L, entry);
      return 1;
    }
    return raiseError(L, entry);
  }
  const c = r.client;
  c.reply.reset();
  try {
    entry.handler!(c, argv);
  } catch (e) {
    c.reply.reset();
    c.reply.error(`ERR ${e instanceof Error ? e.message : String(e)}`);
  }
  entry.calls++;
  if (monitoring(c.server)) feedMonitors(c, entry, argv, "lua");
  // A write wakes the clients blocked on its keys once the script is done (EVAL's own command end).
  const blocking = c.server.blocking;
  if (blocking !== undefined && blocking.waiting > 0 && (entry.flags & CmdFlag.WRITE) !== 0) blocking.wrote(c.db, entry, argv);
  const w = c.reply;
  pushReply(L, w.buf, w.len);
  if (!protectedCall && w.len > 0 && w.buf[0] === 45) return lua.lua_error(L); // the error table is on top
  return 1;
}

function openRedis(L: LuaState): void {
  const fns: Record<string, (L: LuaState) => number> = {
    call: (L) => callCommand(L, false),
    pcall: (L) => callCommand(L, true),
    error_reply: (L) => {
      const s = lua.lua_tolstring(L, 1);
      if (s === null) return raiseError(L, "ERR wrong number or type of arguments");
      lua.lua_createtable(L, 0, 1);
      lua.lua_pushstring(L, s);
      lua.lua_setfield(L, -2, ERR_FIELD);
      return 1;
    },
    status_reply: (L) => {
      const s = lua.lua_tolstring(L, 1);
      if (s === null) return raiseError(L, "ERR wrong number or type of arguments");
      lua.lua_createtable(L, 0, 1);
      lua.lua_pushstring(L, s);
      lua.lua_setfield(L, -2, to_luastring("ok"));
      return 1;
    },
    sha1hex: (L) => {
      const s = lua.lua_tolstring(L, 1);
      if (s === null) return raiseError(L, "ERR wrong number of arguments");
      lua.lua_pushstring(L, to_luastring(sha1hex(s)));
      return 1;
    },
    log: () => 0,
    setresp: (L) => {
      const v = lua.lua_tointeger(L, 1);
      if (v !== 2 && v !== 3) return raiseError(L, "ERR RESP version must be 2 or 3.");
      if (run !== undefined) run.client.reply.resp = v;
      return 0;
    },
    set_repl: () => 0,
    replicate_commands: (L) => (lua.lua_pushboolean(L, true), 1),
    breakpoint: (L) => (lua.lua_pushboolean(L, false), 1),
    debug: () => 0,
  };
  lua.lua_createtable(L, 0, 24);
  for (const [name, fn] of Object.entries(fns)) {
    lua.lua_pushjsfunction(L, fn);
    lua.lua_setfield(L, -2, to_luastring(name));
  }
  const consts: Record<string, number> = { REPL_NONE: 0, REPL_AOF: 1, REPL_SLAVE: 2, REPL_REPLICA: 2, REPL_ALL: 3, LOG_DEBUG: 0, LOG_VERBOSE: 1, LOG_NOTICE: 2, LOG_WARNING: 3 };
  for (const [name, v] of Object.entries(consts)) {
    lua.lua_pushinteger(L, v);
    lua.lua_setfield(L, -2, to_luastring(name));
  }
  lua.lua_setglobal(L, to_luastring("redis"));
}

/** The current line of the user's code in the stack of an error (the message handler's view). */
export function scriptLine(L: LuaState, source: string): number {
  const ar = new lua.lua_Debug();
  for (let level = 0; level < 64 && lua.lua_getstack(L, level, ar) === 1; level++) {
    lua.lua_getinfo(L, to_luastring("Sl"), ar);
    if (ar.source !== null && dec.decode(ar.source) === source) return ar.currentline;
  }
  return 0;
}

/**
 * A runtime error in Lua 5.1's words: 5.3 says "attempt to index a nil value (local 'a')" where
 * 5.1 (and so Redis) says "attempt to index local 'a' (a nil value)".
 */
const as51 = (msg: string): string => msg.replace(/attempt to (.+?) an? (\w+) value \((\w+) '(.*?)'\)/, "attempt to $1 $3 '$4' (a $2 value)");

/** pcall's message handler: the error as Redis words it, with the script's sha and line. */
function messageHandler(): (L: LuaState) => number {
  return (L) => {
    const label = run?.label ?? "";
    const source = run?.source ?? "@user_script";
    let msg: string;
    if (lua.lua_type(L, 1) === lua.LUA_TTABLE) {
      lua.lua_getfield(L, 1, ERR_FIELD);
      const e = lua.lua_tolstring(L, -1);
      msg = e !== null ? dec.decode(e) : "ERR unknown error";
      lua.lua_pop(L, 1);
    } else {
      const s = lua.lua_tolstring(L, 1);
      msg = `ERR ${s !== null ? as51(dec.decode(s)) : "unknown error"}`;
    }
    lua.lua_pushstring(L, to_luastring(`${msg} script: ${label}, on ${source}:${scriptLine(L, source)}.`));
    return 1;
  };
}

export interface ScriptCall {
  /** The sha of an EVAL script, or the name of a function (FCALL). */
  label: string;
  /** Pushes the Lua function to run; it gets (KEYS, ARGV). */
  push: (vm: LuaVm) => void;
  /** Its chunk name. @default "@user_script" */
  source?: string;
  keys: Args;
  args: Args;
  readOnly: boolean;
  local?: (key: Uint8Array) => boolean;
}

/** Runs a cached script or a library function for `caller`; its reply (or error) goes to caller.reply. */
export function runScript(caller: Client, call: ScriptCall): void {
  const v = scriptVm();
  const L = v.L;
  if (run !== undefined) return caller.reply.error("ERR This Redis command is not allowed from script");
  const client = (scriptClient ??= new ScriptClient());
  client.bind(caller);
  run = { label: call.label, source: call.source ?? "@user_script", caller, client, readOnly: call.readOnly, local: call.local };
  const top = lua.lua_gettop(L);
  try {
    lua.lua_pushjsfunction(L, (handler ??= messageHandler()));
    call.push(v);
    v.pushArray(call.keys);
    v.pushArray(call.args);
    const status = lua.lua_pcall(L, 2, 1, top + 1);
    if (status === LUA_ERRMEM) {
      caller.reply.error(`ERR Error running script: not enough memory script: ${call.label}, on ${run.source}:0.`);
    } else if (status !== lua.LUA_OK) {
      const s = lua.lua_tolstring(L, -1);
      caller.reply.error(s !== null ? dec.decode(s) : "ERR Error running script");
    } else {
      luaToReply(L, -1, caller.reply);
    }
  } finally {
    lua.lua_settop(L, top);
    run = undefined; // a SELECT inside the script changed only the script client's database (Redis 7)
    client.unbind();
  }
}
