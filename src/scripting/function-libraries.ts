// Redis 7.0 function libraries on the script VM: FUNCTION LOAD runs a library's code
// (`#!lua name=<lib>` first) in an environment where `redis` offers only register_function and
// log, collecting its functions; FCALL runs one with (KEYS, ARGV) as its arguments and the full
// `redis` API. Each library has its own environment table (its globals fall back to the VM's), so
// the functions it registers see the real `redis` once loading is over.
//
// Persistence: the libraries of a worker are written to `functions-s<shard>.json` in the data
// directory after every change (temp file, fsync, rename, directory fsync), and read back at
// start, so they survive restarts and SIGKILL without a WAL frame of their own.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { lauxlib, lua, to_luastring, type LuaState } from "./lua-wasm.ts";
import { fsyncDir } from "../persistence/io.ts";
import { scriptVm } from "./script-runner.ts";

export const FUNCTION_FLAGS = ["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"] as const;
const NAME = /^[A-Za-z0-9_]+$/;
const dec = new TextDecoder();
const enc = new TextEncoder();

export interface LibraryFunction {
  name: string;
  library: string;
  /** Registry reference of the Lua function. */
  ref: number;
  flags: string[];
  description: string | undefined;
}

interface Library {
  name: string;
  code: string;
  functions: LibraryFunction[];
  /** Registry reference of the library's environment table. */
  env: number;
}

const libraries = new Map<string, Library>();
const functions = new Map<string, LibraryFunction>();
let storage: string | undefined;
/** The functions collected by the library being loaded (register_function's target). */
let loading: { library: string; found: LibraryFunction[] } | undefined;

/** Where this worker keeps its libraries (undefined: in memory only). Reads what is there. */
export function useFunctionStorage(dir: string | undefined, shard: number): string[] {
  storage = dir === undefined ? undefined : join(dir, `functions-s${String(shard).padStart(5, "0")}.json`);
  if (storage === undefined) return [];
  let saved: { code: string }[];
  try {
    saved = JSON.parse(readFileSync(storage, "utf8")) as { code: string }[];
  } catch {
    return [];
  }
  const problems: string[] = [];
  for (const lib of saved) {
    const r = loadLibrary(lib.code, true, false);
    if (r.error !== undefined) problems.push(r.error);
  }
  return problems;
}

function save(): void {
  if (storage === undefined) return;
  const tmp = `${storage}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, JSON.stringify([...libraries.values()].map((l) => ({ name: l.name, code: l.code }))));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, storage);
  fsyncDir(join(storage, ".."));
}

export const functionByName = (name: string): LibraryFunction | undefined => functions.get(name);
export const allLibraries = (): readonly Library[] => [...libraries.values()];

/** register_function(name, callback) or register_function{function_name=, callback=, flags=, description=}. */
function registerFunction(L: LuaState): number {
  const target = loading;
  const fail = (msg: string): never => {
    lua.lua_pushstring(L, to_luastring(msg));
    return lua.lua_error(L);
  };
  if (target === undefined) return fail("ERR redis.register_function can only be called on FUNCTION LOAD command");
  let name: string | undefined;
  let flags: string[] = [];
  let description: string | undefined;
  let fnIndex: number;
  if (lua.lua_gettop(L) === 1 && lua.lua_type(L, 1) === lua.LUA_TTABLE) {
    lua.lua_getfield(L, 1, to_luastring("function_name"));
    const n = lua.lua_tolstring(L, -1);
    name = n === null ? undefined : dec.decode(n);
    lua.lua_getfield(L, 1, to_luastring("description"));
    const d = lua.lua_tolstring(L, -1);
    description = d === null ? undefined : dec.decode(d);
    lua.lua_getfield(L, 1, to_luastring("flags"));
    if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
      for (let i = 1; ; i++) {
        lua.lua_rawgeti(L, -1, i);
        const f = lua.lua_tolstring(L, -1);
        lua.lua_pop(L, 1);
        if (f === null) break;
        flags.push(dec.decode(f));
      }
    } else if (lua.lua_type(L, -1) !== lua.LUA_TNIL) return fail("ERR flags argument to redis.register_function must be a table representing function flags");
    lua.lua_getfield(L, 1, to_luastring("callback"));
    fnIndex = lua.lua_gettop(L);
  } else {
    if (lua.lua_gettop(L) !== 2) return fail("ERR wrong number of arguments to redis.register_function");
    const n = lua.lua_tolstring(L, 1);
    name = n === null ? undefined : dec.decode(n);
    fnIndex = 2;
  }
  const positional = fnIndex === 2;
  if (name === undefined) return fail(positional ? "ERR first argument to redis.register_function must be a string" : "ERR redis.register_function must get a function name argument");
  if (lua.lua_type(L, fnIndex) !== lua.LUA_TFUNCTION) {
    return fail(positional ? "ERR second argument to redis.register_function must be a function" : "ERR callback argument given to redis.register_function must be a function");
  }
  // Redis 7.0.15 says "Library names" here too, for a function name.
  if (!NAME.test(name)) return fail("ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long");
  if (target.found.some((f) => f.name === name)) return fail("ERR Function already exists in the library");
  flags = [...new Set(flags)];
  if (flags.some((f) => !(FUNCTION_FLAGS as readonly string[]).includes(f))) return fail("ERR unknown flag given");
  lua.lua_pushvalue(L, fnIndex);
  const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  target.found.push({ name, library: target.library, ref, flags, description });
  return 0;
}

/** The `#!lua name=<lib>` line's library name, or the error Redis gives. */
function parseShebang(code: string): { name: string; body: string } | { error: string } {
  if (!code.startsWith("#!")) return { error: "ERR Missing library metadata" };
  const nl = code.indexOf("\n");
  const first = (nl < 0 ? code : code.slice(0, nl)).slice(2).trim().split(/\s+/);
  const engine = first[0] ?? "";
  if (engine.toLowerCase() !== "lua") return { error: `ERR Engine '${engine}' not found` };
  let name: string | undefined;
  for (const part of first.slice(1)) {
    if (part.startsWith("name=")) name = part.slice(5);
    else return { error: `ERR Invalid metadata value given: ${part}` };
  }
  if (name === undefined) return { error: "ERR Library name was not given" };
  if (!NAME.test(name)) return { error: "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long" };
  // The shebang line becomes empty: the code keeps its own line numbers.
  return { name, body: nl < 0 ? "" : `\n${code.slice(nl + 1)}` };
}

/** FUNCTION LOAD: the library's name, or the error text. */
export function loadLibrary(code: string, replace: boolean, persist = true): { name?: string; error?: string } {
  const meta = parseShebang(code);
  if ("error" in meta) return { error: meta.error };
  const old = libraries.get(meta.name);
  if (old !== undefined && !replace) return { error: `ERR Library '${meta.name}' already exists` };
  const L = scriptVm().L;
  const top = lua.lua_gettop(L);
  const found: LibraryFunction[] = [];
  const unref = (): void => found.forEach((f) => lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, f.ref));
  try {
    if (lauxlib.luaL_loadbuffer(L, enc.encode(meta.body), null, to_luastring("@user_function")) !== lua.LUA_OK) {
      const m = lua.lua_tolstring(L, -1);
      return { error: `ERR Error compiling function: ${m === null ? "?" : dec.decode(m)}` };
    }
    // The library's environment: its own `redis` (register_function and log only while loading).
    lua.lua_createtable(L, 0, 1);
    const env = lua.lua_gettop(L);
    pushLoadTimeRedis(L);
    lua.lua_setfield(L, env, to_luastring("redis"));
    lua.lua_createtable(L, 0, 2);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
    lua.lua_setfield(L, -2, to_luastring("__index"));
    lua.lua_setmetatable(L, env);
    lua.lua_pushvalue(L, env);
    lua.lua_setupvalue(L, env - 1, 1); // the chunk's _ENV
    lua.lua_pushvalue(L, env - 1);
    loading = { library: meta.name, found };
    lua.lua_pushjsfunction(L, (L) => {
      const s = lua.lua_tolstring(L, 1);
      const msg = s === null ? "unknown error" : dec.decode(s);
      lua.lua_pushstring(L, to_luastring(msg.startsWith("ERR ") ? msg : `ERR ${msg}`));
      return 1;
    });
    lua.lua_insert(L, -2);
    if (lua.lua_pcall(L, 0, 0, -2) !== lua.LUA_OK) {
      const m = lua.lua_tolstring(L, -1);
      unref();
      return { error: `ERR Error registering functions: ${m === null ? "?" : dec.decode(m)}` };
    }
    if (found.length === 0) return { error: "ERR No functions registered" };
    for (const f of found) {
      const other = functions.get(f.name);
      if (other !== undefined && other.library !== meta.name) {
        unref();
        return { error: `ERR Function ${f.name} already exists` };
      }
    }
    // Loading is over: the functions see the whole redis API from now on.
    lua.lua_getglobal(L, to_luastring("redis"));
    lua.lua_setfield(L, env, to_luastring("redis"));
    lua.lua_pushvalue(L, env);
    const envRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    if (old !== undefined) dropLibrary(old);
    libraries.set(meta.name, { name: meta.name, code, functions: found, env: envRef });
    for (const f of found) functions.set(f.name, f);
    if (persist) save();
    return { name: meta.name };
  } finally {
    loading = undefined;
    lua.lua_settop(L, top);
  }
}

/** The `redis` table of a library while it loads: register_function, log and the constants. */
function pushLoadTimeRedis(L: LuaState): void {
  lua.lua_createtable(L, 0, 8);
  lua.lua_pushjsfunction(L, registerFunction);
  lua.lua_setfield(L, -2, to_luastring("register_function"));
  lua.lua_pushjsfunction(L, () => 0);
  lua.lua_setfield(L, -2, to_luastring("log"));
  for (const [k, v] of Object.entries({ LOG_DEBUG: 0, LOG_VERBOSE: 1, LOG_NOTICE: 2, LOG_WARNING: 3 })) {
    lua.lua_pushinteger(L, v);
    lua.lua_setfield(L, -2, to_luastring(k));
  }
  // Anything else (redis.call...) is the missing-global error, as Redis answers it at load time.
  lua.lua_createtable(L, 0, 1);
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
  lua.lua_setfield(L, -2, to_luastring("__index"));
  lua.lua_setmetatable(L, -2);
}

function dropLibrary(lib: Library): void {
  const L = scriptVm().L;
  for (const f of lib.functions) {
    functions.delete(f.name);
    lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, f.ref);
  }
  lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, lib.env);
  libraries.delete(lib.name);
}

/** FUNCTION DELETE: false when there is no such library. */
export function deleteLibrary(name: string): boolean {
  const lib = libraries.get(name);
  if (lib === undefined) return false;
  dropLibrary(lib);
  save();
  return true;
}

/** FUNCTION FLUSH. */
export function flushLibraries(): void {
  for (const lib of [...libraries.values()]) dropLibrary(lib);
  save();
}
