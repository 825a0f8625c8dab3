// Replies between Redis and Lua, with Redis 7.0's conversion rules.
//
// Redis → Lua (a command's reply inside redis.call): integer → number, bulk → string, null bulk
// or null array → false, array → table, status → {ok=…}, error → {err=…}; with redis.setresp(3)
// also map → {map={…}}, set → {set={member=true}}, double → {double=n}, null → nil, boolean →
// boolean, verbatim → {verbatim_string={format=…, string=…}}, big number → {big_number=…}.
// Lua → Redis (the script's return value): number → integer (truncated), string → bulk, true → 1,
// false and nil → null, {err=…} → error, {ok=…} → status, other tables → arrays up to the first nil.
import { lua, to_luastring, type LuaState } from "./lua-wasm.ts";
import type { ReplyWriter } from "../protocol/reply-writer.ts";

const ERR = to_luastring("err");
const OK = to_luastring("ok");
const dec = new TextDecoder();

export function pushErrorTable(L: LuaState, msg: string | Uint8Array): void {
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushstring(L, typeof msg === "string" ? to_luastring(msg) : msg);
  lua.lua_setfield(L, -2, ERR);
}

/** Where the reply being pushed ends in its buffer (pushReply reads a writer's buffer in place). */
let limit = 0;

function lineEnd(b: Uint8Array, p: number): number {
  while (p + 1 < limit && !(b[p] === 13 && b[p + 1] === 10)) p++;
  return p;
}

/** A decimal integer of a reply header or an integer reply, read without building a string. */
function num(b: Uint8Array, from: number, to: number): number {
  let i = from;
  const neg = b[i] === 45;
  if (neg) i++;
  let n = 0;
  for (; i < to; i++) n = n * 10 + (b[i]! - 48);
  return neg ? -n : n;
}

/** Pushes the first reply in `b` as a Lua value; returns the offset after it. */
function pushAt(L: LuaState, b: Uint8Array, p: number): number {
  const type = b[p]!;
  const end = lineEnd(b, p + 1);
  const next = end + 2;
  switch (type) {
    case 43: // + status
      lua.lua_createtable(L, 0, 1);
      lua.lua_pushlstring(L, b.subarray(p + 1, end), end - p - 1);
      lua.lua_setfield(L, -2, OK);
      return next;
    case 45: // - error
      pushErrorTable(L, b.slice(p + 1, end));
      return next;
    case 58: // : integer
      lua.lua_pushinteger(L, num(b, p + 1, end));
      return next;
    case 36: // $ bulk
    case 61: { // = verbatim (RESP3)
      const n = num(b, p + 1, end);
      if (n < 0) {
        lua.lua_pushboolean(L, false);
        return next;
      }
      if (type === 61) {
        lua.lua_createtable(L, 0, 1);
        lua.lua_createtable(L, 0, 2);
        lua.lua_pushlstring(L, b.subarray(next, next + 3), 3);
        lua.lua_setfield(L, -2, to_luastring("format"));
        lua.lua_pushlstring(L, b.subarray(next + 4, next + n), n - 4);
        lua.lua_setfield(L, -2, to_luastring("string"));
        lua.lua_setfield(L, -2, to_luastring("verbatim_string"));
      } else lua.lua_pushlstring(L, b.subarray(next, next + n), n);
      return next + n + 2;
    }
    case 42: // * array
    case 126: // ~ set
    case 62: { // > push
      const n = num(b, p + 1, end);
      if (n < 0) {
        lua.lua_pushboolean(L, false);
        return next;
      }
      let q = next;
      if (type === 126) {
        lua.lua_createtable(L, 0, 1);
        lua.lua_createtable(L, 0, n);
        for (let i = 0; i < n; i++) {
          q = pushAt(L, b, q);
          lua.lua_pushboolean(L, true);
          lua.lua_rawset(L, -3);
        }
        lua.lua_setfield(L, -2, to_luastring("set"));
        return q;
      }
      lua.lua_createtable(L, n, 0);
      for (let i = 1; i <= n; i++) {
        q = pushAt(L, b, q);
        lua.lua_rawseti(L, -2, i);
      }
      return q;
    }
    case 37: { // % map
      const n = num(b, p + 1, end);
      let q = next;
      lua.lua_createtable(L, 0, 1);
      lua.lua_createtable(L, 0, n);
      for (let i = 0; i < n; i++) {
        q = pushAt(L, b, q);
        q = pushAt(L, b, q);
        lua.lua_rawset(L, -3);
      }
      lua.lua_setfield(L, -2, to_luastring("map"));
      return q;
    }
    case 95: // _ null
      lua.lua_pushnil(L);
      return next;
    case 35: // # boolean
      lua.lua_pushboolean(L, b[p + 1] === 116);
      return next;
    case 44: // , double
      lua.lua_createtable(L, 0, 1);
      lua.lua_pushnumber(L, parseDouble(dec.decode(b.subarray(p + 1, end))));
      lua.lua_setfield(L, -2, to_luastring("double"));
      return next;
    case 40: // ( big number
      lua.lua_createtable(L, 0, 1);
      lua.lua_pushlstring(L, b.subarray(p + 1, end), end - p - 1);
      lua.lua_setfield(L, -2, to_luastring("big_number"));
      return next;
    default:
      pushErrorTable(L, "ERR reply the script could not read");
      return limit;
  }
}

const DOUBLE = to_luastring("double");
const MAP = to_luastring("map");
const SET = to_luastring("set");
const BIG = to_luastring("big_number");

/**
 * The RESP3 forms a script may return after redis.setresp(3) (or build itself): {double=n},
 * {map={…}}, {set={…}}, {big_number=s}; written in the caller's protocol. True when it was one.
 */
function resp3Table(L: LuaState, abs: number, w: ReplyWriter, depth: number): boolean {
  lua.lua_getfield(L, abs, DOUBLE);
  if (lua.lua_type(L, -1) === lua.LUA_TNUMBER) {
    const x = lua.lua_tonumber(L, -1);
    lua.lua_pop(L, 1);
    if (w.resp === 3) w.double(x);
    else w.bulkString(formatDouble(x));
    return true;
  }
  lua.lua_pop(L, 1);
  const big = field(L, abs, BIG);
  if (big !== undefined) {
    if (w.resp === 3) w.raw(new Uint8Array([40, ...big, 13, 10]));
    else w.bulk(big);
    return true;
  }
  for (const [name, isMap] of [[MAP, true], [SET, false]] as const) {
    lua.lua_getfield(L, abs, name);
    if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) {
      lua.lua_pop(L, 1);
      continue;
    }
    const t = lua.lua_gettop(L);
    let n = 0;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, t) !== 0) {
      n++;
      lua.lua_pop(L, 1);
    }
    if (isMap) w.mapHeader(n);
    else if (w.resp === 3) w.setHeader(n);
    else w.arrayHeader(n);
    lua.lua_pushnil(L);
    while (lua.lua_next(L, t) !== 0) {
      luaToReply(L, -2, w, depth + 1);
      if (isMap) luaToReply(L, -1, w, depth + 1);
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
    return true;
  }
  return false;
}

/** A double as Redis prints one in RESP2 (%.17g: shortest round-trip form). */
const formatDouble = (x: number): string => (x === Infinity ? "inf" : x === -Infinity ? "-inf" : Number.isNaN(x) ? "nan" : String(x));

const parseDouble = (s: string): number => (s === "inf" ? Infinity : s === "-inf" ? -Infinity : s === "nan" ? NaN : Number(s));

/** Pushes a command's complete reply (one RESP value, the first `len` bytes of `reply`) as a Lua value. */
export function pushReply(L: LuaState, reply: Uint8Array, len = reply.length): void {
  limit = len;
  if (len === 0) lua.lua_pushnil(L);
  else pushAt(L, reply, 0);
}

/** A string field of the table at `idx`, or undefined. */
function field(L: LuaState, idx: number, name: Uint8Array): Uint8Array | undefined {
  lua.lua_getfield(L, idx, name);
  const v = lua.lua_type(L, -1) === lua.LUA_TSTRING ? lua.lua_tolstring(L, -1)! : undefined;
  lua.lua_pop(L, 1);
  return v;
}

/** Writes the Lua value at `idx` (the script's result) as the caller's reply. */
export function luaToReply(L: LuaState, idx: number, w: ReplyWriter, depth = 0): void {
  const abs = idx < 0 ? lua.lua_gettop(L) + idx + 1 : idx;
  switch (lua.lua_type(L, abs)) {
    case lua.LUA_TSTRING: {
      w.bulk(lua.lua_tolstringview(L, abs)!); // copied at once: a view is enough
      return;
    }
    case lua.LUA_TNUMBER:
      w.integer(Math.trunc(lua.lua_tonumber(L, abs)));
      return;
    case lua.LUA_TBOOLEAN:
      if (lua.lua_toboolean(L, abs)) w.integer(1);
      else w.nullBulk();
      return;
    case lua.LUA_TTABLE: {
      const err = field(L, abs, ERR);
      if (err !== undefined) {
        w.error(dec.decode(err));
        return;
      }
      const ok = field(L, abs, OK);
      if (ok !== undefined) {
        w.simple(dec.decode(ok));
        return;
      }
      if (resp3Table(L, abs, w, depth)) return;
      if (depth > 64) {
        w.error("ERR reached lua stack limit");
        return;
      }
      let n = 0;
      for (;;) {
        lua.lua_rawgeti(L, abs, n + 1);
        const isNil = lua.lua_type(L, -1) === lua.LUA_TNIL;
        lua.lua_pop(L, 1);
        if (isNil) break;
        n++;
      }
      w.arrayHeader(n);
      for (let i = 1; i <= n; i++) {
        lua.lua_rawgeti(L, abs, i);
        luaToReply(L, -1, w, depth + 1);
        lua.lua_pop(L, 1);
      }
      return;
    }
    default:
      w.nullBulk();
  }
}
