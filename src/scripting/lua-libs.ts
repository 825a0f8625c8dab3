// The libraries Redis gives its scripts besides Lua's own: cjson (encode/decode) and bit
// (LuaBitOp's 32-bit operations), with the helpers lua-cmsgpack.ts shares. They are JavaScript
// functions on the VM's stack API; tables become arrays when their keys are 1..n.
import { lauxlib, lua, to_luastring, type LuaJsFunction, type LuaState } from "./lua-wasm.ts";

const utf8 = new TextDecoder();
const enc = new TextEncoder();

/** A Lua string argument as bytes, or undefined. */
export function bytesAt(L: LuaState, idx: number): Uint8Array | undefined {
  const t = lua.lua_type(L, idx);
  if (t !== lua.LUA_TSTRING && t !== lua.LUA_TNUMBER) return undefined;
  return lua.lua_tolstring(L, idx) ?? undefined;
}

/** Raises a Lua error with `msg` (never returns). */
export function raise(L: LuaState, msg: string): never {
  lua.lua_pushstring(L, to_luastring(msg));
  return lua.lua_error(L);
}

export function register(L: LuaState, table: string, fns: Record<string, LuaJsFunction>): void {
  lua.lua_createtable(L, 0, Object.keys(fns).length);
  for (const [name, fn] of Object.entries(fns)) {
    lua.lua_pushjsfunction(L, fn);
    lua.lua_setfield(L, -2, to_luastring(name));
  }
  lua.lua_setglobal(L, to_luastring(table));
}

/** The array length of the table at `idx` when its keys are exactly 1..n (0 for an empty table), else -1. */
export function sequenceLength(L: LuaState, idx: number): number {
  let count = 0;
  let max = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) {
    if (lua.lua_type(L, -2) !== lua.LUA_TNUMBER || !lua.lua_isinteger(L, -2) || lua.lua_tonumber(L, -2) < 1) {
      lua.lua_pop(L, 2);
      return -1;
    }
    max = Math.max(max, lua.lua_tonumber(L, -2));
    count++;
    lua.lua_pop(L, 1);
  }
  return count === max ? count : -1;
}

const NULL_KEY = to_luastring("null");
/** cjson.null: a light userdata no real pointer equals (Redis's cjson uses NULL). */
const JSON_NULL = 1;

/** A JSON string literal as Redis's cjson writes it ("/" escaped too). */
function jsonString(s: string): string {
  const j = JSON.stringify(s);
  return j.indexOf("/") < 0 ? j : j.replace(/\//g, "\\/");
}

/** The Lua value at `idx` as JSON text (tables with keys 1..n → arrays, other tables → objects). */
function encodeJson(L: LuaState, idx: number, depth: number): string {
  if (depth > 100) raise(L, "Cannot serialise, excessive nesting (101)");
  const t = lua.lua_type(L, idx);
  if (t === lua.LUA_TNIL) return "null";
  if (t === lua.LUA_TBOOLEAN) return lua.lua_toboolean(L, idx) ? "true" : "false";
  if (t === lua.LUA_TNUMBER) return jsonNumber(lua.lua_tonumber(L, idx));
  if (t === lua.LUA_TSTRING) return jsonString(utf8.decode(lua.lua_tolstringview(L, idx)!));
  if (t === lua.LUA_TTABLE) {
    lauxlib.luaL_checkstack(L, 3, null);
    const abs = idx < 0 ? lua.lua_gettop(L) + idx + 1 : idx;
    const n = sequenceLength(L, abs);
    if (n > 0) {
      let out = "[";
      for (let i = 1; i <= n; i++) {
        lua.lua_rawgeti(L, abs, i);
        out += (i > 1 ? "," : "") + encodeJson(L, -1, depth + 1);
        lua.lua_pop(L, 1);
      }
      return `${out}]`;
    }
    let out = "{";
    let first = true;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, abs) !== 0) {
      const kt = lua.lua_type(L, -2);
      const key = kt === lua.LUA_TSTRING ? utf8.decode(lua.lua_tolstringview(L, -2)!) : kt === lua.LUA_TNUMBER ? String(lua.lua_tonumber(L, -2)) : undefined;
      if (key === undefined) raise(L, "Cannot serialise table: table key must be a number or string");
      out += `${first ? "" : ","}${jsonString(key)}:${encodeJson(L, -1, depth + 1)}`;
      first = false;
      lua.lua_pop(L, 1);
    }
    return `${out}}`;
  }
  if (lua.lua_touserdata(L, idx) === JSON_NULL) return "null";
  return raise(L, `Cannot serialise ${t === lua.LUA_TFUNCTION ? "function" : "userdata"}: type not supported`);
}

/** Pushes a decoded JSON value (null → cjson.null, as Redis's cjson decodes it). */
function pushJs(L: LuaState, v: unknown): void {
  if (v === null) lua.lua_pushlightuserdata(L, JSON_NULL);
  else if (typeof v === "boolean") lua.lua_pushboolean(L, v);
  else if (typeof v === "number") {
    if (Number.isInteger(v) && Math.abs(v) < 2 ** 53) lua.lua_pushinteger(L, v);
    else lua.lua_pushnumber(L, v);
  } else if (typeof v === "string") lua.lua_pushstring(L, enc.encode(v));
  else if (Array.isArray(v)) {
    lua.lua_createtable(L, v.length, 0);
    v.forEach((x, i) => {
      pushJs(L, x);
      lua.lua_rawseti(L, -2, i + 1);
    });
  } else {
    const o = v as Record<string, unknown>;
    lua.lua_createtable(L, 0, Object.keys(o).length);
    for (const [k, x] of Object.entries(o)) {
      pushJs(L, x);
      lua.lua_setfield(L, -2, enc.encode(k));
    }
  }
}

/** Numbers as Redis's cjson prints them (integers without a fraction, others with up to 14 digits). */
function jsonNumber(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? "inf" : n < 0 ? "-inf" : "nan";
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(14)));
}

export function openCjson(L: LuaState): void {
  register(L, "cjson", {
    encode: (L) => {
      lua.lua_pushstring(L, enc.encode(encodeJson(L, 1, 0)));
      return 1;
    },
    decode: (L) => {
      const b = bytesAt(L, 1);
      if (b === undefined) raise(L, "bad argument #1 to 'decode' (string expected)");
      let v: unknown;
      try {
        v = JSON.parse(utf8.decode(b));
      } catch (e) {
        raise(L, `Expected value but found invalid token at character 1`);
      }
      pushJs(L, v);
      return 1;
    },
  });
  lua.lua_getglobal(L, to_luastring("cjson"));
  lua.lua_pushlightuserdata(L, JSON_NULL);
  lua.lua_setfield(L, -2, NULL_KEY);
  lua.lua_pop(L, 1);
}

// ---- bit (LuaBitOp) ---------------------------------------------------------------------------

function intArg(L: LuaState, i: number): number {
  if (lua.lua_type(L, i) !== lua.LUA_TNUMBER) raise(L, `bad argument #${i} (number expected)`);
  const n = lua.lua_tonumber(L, i);
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(n)))) | 0;
}

const bit1 = (f: (a: number) => number): LuaJsFunction => (L) => (lua.lua_pushinteger(L, f(intArg(L, 1)) | 0), 1);
const bitN = (f: (a: number, b: number) => number): LuaJsFunction => (L) => {
  let acc = intArg(L, 1);
  for (let i = 2; i <= lua.lua_gettop(L); i++) acc = f(acc, intArg(L, i));
  lua.lua_pushinteger(L, acc | 0);
  return 1;
};
const shift = (f: (a: number, n: number) => number): LuaJsFunction => (L) => (lua.lua_pushinteger(L, f(intArg(L, 1), intArg(L, 2) & 31) | 0), 1);

export function openBit(L: LuaState): void {
  register(L, "bit", {
    tobit: bit1((a) => a),
    bnot: bit1((a) => ~a),
    bswap: bit1((a) => ((a & 0xff) << 24) | ((a & 0xff00) << 8) | ((a >>> 8) & 0xff00) | (a >>> 24)),
    band: bitN((a, b) => a & b),
    bor: bitN((a, b) => a | b),
    bxor: bitN((a, b) => a ^ b),
    lshift: shift((a, n) => a << n),
    rshift: shift((a, n) => a >>> n),
    arshift: shift((a, n) => a >> n),
    rol: shift((a, n) => (a << n) | (a >>> (32 - n))),
    ror: shift((a, n) => (a >>> n) | (a << (32 - n))),
    tohex: (L) => {
      const a = intArg(L, 1);
      const n = lua.lua_gettop(L) >= 2 ? intArg(L, 2) : 8;
      const digits = Math.min(8, Math.abs(n) || 8);
      let hex = (a >>> 0).toString(16).padStart(8, "0").slice(8 - digits);
      if (n < 0) hex = hex.toUpperCase();
      lua.lua_pushstring(L, to_luastring(hex));
      return 1;
    },
  });
}
