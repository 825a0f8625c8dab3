// The Lua VM that EVAL and EVALSHA run on: Lua 5.4 compiled to WebAssembly (wasmoon's build, from
// npm), driven through its C API (lua-wasm.ts). Chosen by measurement over fengari (Lua 5.3 in
// JavaScript): 5x faster interpretation, 2.4x on a BullMQ-like script (bench/lua-vm-micro.ts).
//
// The environment is Redis 7.0's: the base, table, string and math libraries (no os, io,
// loadfile, dofile), the Lua 5.1 names real scripts use (unpack, loadstring, table.getn,
// math.pow, math.mod), `redis.*`, cjson and bit (lua-libs.ts), cmsgpack (lua-cmsgpack.ts), and protected globals: reading a
// global that does not exist and assigning any raises Redis's errors. KEYS and ARGV are set before
// each run (as the compiled function's first locals). Scripts are compiled once, keyed by their
// SHA1 (the script cache).
//
// Known difference from Redis's Lua 5.1: numbers are 5.4's integers and floats. tostring prints
// an integral float as 5.1 does (`5`), but concatenation and string.format's %s print `5.0`;
// integer replies and redis.call arguments are converted as Redis converts them either way.
import { lauxlib, lua, lualib, to_luastring, type LuaState } from "./lua-wasm.ts";
import { openCmsgpack } from "./lua-cmsgpack.ts";
import { openBit, openCjson } from "./lua-libs.ts";

/**
 * Each script is compiled as a function of (KEYS, ARGV): the prefix declares them as locals on
 * the script's first line, so line numbers are the script's own, and a run passes two tables
 * instead of setting two globals.
 */
const PREFIX = new TextEncoder().encode("local KEYS, ARGV = ...; ");

/**
 * tostring as Lua 5.1 prints numbers: 5.1 has one number type, so an integral float prints without
 * ".0" (tostring(10/2) is "5"). A C function, so a tail call keeps the caller's line in errors.
 */
function tostring51(L: LuaState): number {
  if (lua.lua_gettop(L) === 0) {
    lauxlib.luaL_where(L, 1);
    const where = lua.lua_tolstring(L, -1)!;
    lua.lua_pushstring(L, to_luastring(`${new TextDecoder().decode(where)}bad argument #1 to 'tostring' (value expected)`));
    return lua.lua_error(L);
  }
  if (lua.lua_type(L, 1) === lua.LUA_TNUMBER && !lua.lua_isinteger(L, 1)) {
    const x = lua.lua_tonumber(L, 1);
    if (Number.isInteger(x) && Math.abs(x) < 1e15) {
      lua.lua_pushstring(L, to_luastring(Object.is(x, -0) ? "-0" : String(x)));
      return 1;
    }
  }
  lauxlib.luaL_tolstring(L, 1);
  return 1;
}

export class LuaVm {
  readonly L: LuaState;
  /** SHA1 (lower-case hex) → registry reference of the compiled script. */
  private readonly cached = new Map<string, number>();

  constructor(openRedis: (L: LuaState) => void) {
    const L = (this.L = lauxlib.luaL_newstate());
    for (const [name, open] of [["_G", lualib.luaopen_base], ["table", lualib.luaopen_table], ["string", lualib.luaopen_string], ["math", lualib.luaopen_math]] as const) {
      lauxlib.luaL_requiref(L, to_luastring(name), open, 1);
      lua.lua_pop(L, 1);
    }
    openCjson(L);
    openCmsgpack(L);
    openBit(L);
    openRedis(L);
    lua.lua_pushjsfunction(L, tostring51);
    lua.lua_setglobal(L, to_luastring("tostring"));
    this.run(`
      dofile = nil; loadfile = nil; print = nil
      unpack = table.unpack
      -- Source only, as Redis's Lua loads: precompiled chunks (string.dump's) are refused.
      local lua_load = load
      load = function(chunk, name) return lua_load(chunk, name, "t") end
      loadstring = load
      table.getn = function(t) return #t end
      math.pow = function(a, b) return a ^ b end
      math.mod = math.fmod
      string.gfind = string.gmatch
      local G = _G
      setmetatable(G, {
        __index = function(_, k) error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end,
        __newindex = function() error("Attempt to modify a readonly table", 2) end,
      })`);
  }

  /** Runs trusted set-up code (throws on error). */
  private run(code: string): void {
    const L = this.L;
    if (lauxlib.luaL_loadbuffer(L, to_luastring(code), null, to_luastring("=init")) !== lua.LUA_OK || lua.lua_pcall(L, 0, 0, 0) !== lua.LUA_OK) {
      const msg = lua.lua_tolstring(L, -1);
      lua.lua_pop(L, 1);
      throw new Error(`lua init: ${msg === null ? "?" : new TextDecoder().decode(msg)}`);
    }
  }

  /** Bytes the Lua heap holds (collectgarbage("count"); INFO's used_memory_lua). */
  usedMemory(): number {
    const L = this.L;
    lua.lua_getglobal(L, to_luastring("collectgarbage"));
    lua.lua_pushstring(L, to_luastring("count"));
    const kb = lua.lua_pcall(L, 1, 1, 0) === lua.LUA_OK ? lua.lua_tonumber(L, -1) : 0;
    lua.lua_pop(L, 1);
    return Math.round(kb * 1024);
  }

  has(sha: string): boolean {
    return this.cached.has(sha);
  }

  get size(): number {
    return this.cached.size;
  }

  /**
   * Compiles `body` as the script `sha`; returns the compile error text (Redis's wording) or
   * undefined. A script already cached is not compiled again.
   */
  load(sha: string, body: Uint8Array): string | undefined {
    if (this.cached.has(sha)) return undefined;
    const L = this.L;
    const code = new Uint8Array(PREFIX.length + body.length);
    code.set(PREFIX);
    code.set(body, PREFIX.length);
    if (lauxlib.luaL_loadbuffer(L, code, code.length, to_luastring("@user_script")) !== lua.LUA_OK) {
      const msg = lua.lua_tolstring(L, -1);
      lua.lua_pop(L, 1);
      // Lua 5.1 quotes every token in "near ..."; 5.3 leaves <eof> bare.
      const text = msg === null ? "?" : new TextDecoder().decode(msg).replace(/ near <eof>$/, " near '<eof>'");
      return `ERR Error compiling script (new function): ${text}`;
    }
    this.cached.set(sha, lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX));
    return undefined;
  }

  /** Pushes the compiled script `sha` (it must be cached). */
  pushScript(sha: string): void {
    lua.lua_rawgeti(this.L, lua.LUA_REGISTRYINDEX, this.cached.get(sha)!);
  }

  /** Pushes the value at registry reference `ref` (a library function). */
  pushRef(ref: number): void {
    lua.lua_rawgeti(this.L, lua.LUA_REGISTRYINDEX, ref);
  }

  /** SCRIPT FLUSH: forgets every compiled script. */
  flush(): void {
    for (const ref of this.cached.values()) lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, ref);
    this.cached.clear();
  }

  /** Pushes a table of `items` (KEYS, ARGV). */
  pushArray(items: readonly Uint8Array[]): void {
    const L = this.L;
    lua.lua_createtable(L, items.length, 0);
    for (let i = 0; i < items.length; i++) {
      lua.lua_pushlstring(L, items[i]!, items[i]!.length);
      lua.lua_rawseti(L, -2, i + 1);
    }
  }
}
