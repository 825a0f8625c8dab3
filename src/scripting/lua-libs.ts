// The libraries Redis gives its scripts besides Lua's own: cjson (encode/decode), cmsgpack
// (pack/unpack; BullMQ keeps job options in it) and bit (LuaBitOp's 32-bit operations). They are
// JavaScript functions on the VM's stack API; tables become arrays when their keys are 1..n.
import { lauxlib, lua, to_luastring, type LuaJsFunction, type LuaState } from "./lua-wasm.ts";

const utf8 = new TextDecoder();
const enc = new TextEncoder();

/** A Lua string argument as bytes, or undefined. */
function bytesAt(L: LuaState, idx: number): Uint8Array | undefined {
  const t = lua.lua_type(L, idx);
  if (t !== lua.LUA_TSTRING && t !== lua.LUA_TNUMBER) return undefined;
  return lua.lua_tolstring(L, idx) ?? undefined;
}

/** Raises a Lua error with `msg` (never returns). */
export function raise(L: LuaState, msg: string): never {
  lua.lua_pushstring(L, to_luastring(msg));
  return lua.lua_error(L);
}

function register(L: LuaState, table: string, fns: Record<string, LuaJsFunction>): void {
  lua.lua_createtable(L, 0, Object.keys(fns).length);
  for (const [name, fn] of Object.entries(fns)) {
    lua.lua_pushjsfunction(L, fn);
    lua.lua_setfield(L, -2, to_luastring(name));
  }
  lua.lua_setglobal(L, to_luastring(table));
}

/** The array length of the table at `idx` when its keys are exactly 1..n (0 for an empty table), else -1. */
function sequenceLength(L: LuaState, idx: number): number {
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

// ---- cmsgpack ---------------------------------------------------------------------------------

class Packer {
  private buf = new Uint8Array(64);
  len = 0;
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  byte(b: number): void {
    this.room(1);
    this.buf[this.len++] = b;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  uint(n: number, size: 1 | 2 | 4 | 8): void {
    this.room(size);
    const dv = new DataView(this.buf.buffer, this.len, size);
    if (size === 1) dv.setUint8(0, n);
    else if (size === 2) dv.setUint16(0, n);
    else if (size === 4) dv.setUint32(0, n);
    else dv.setBigUint64(0, BigInt.asUintN(64, BigInt(n)));
    this.len += size;
  }
  double(n: number): void {
    this.room(9);
    this.buf[this.len] = 0xcb;
    new DataView(this.buf.buffer, this.len + 1, 8).setFloat64(0, n);
    this.len += 9;
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

function packValue(L: LuaState, idx: number, p: Packer, depth: number): void {
  const t = lua.lua_type(L, idx);
  if (t === lua.LUA_TNIL || (t === lua.LUA_TTABLE && depth >= 16)) return p.byte(0xc0); // Redis: LUACMSGPACK_MAX_NESTING
  if (t === lua.LUA_TBOOLEAN) return p.byte(lua.lua_toboolean(L, idx) ? 0xc3 : 0xc2);
  if (t === lua.LUA_TNUMBER) {
    const n = lua.lua_tonumber(L, idx);
    if (!Number.isInteger(n) || Math.abs(n) > Number.MAX_SAFE_INTEGER) return p.double(n);
    if (n >= 0) {
      if (n < 128) return p.byte(n);
      if (n < 256) return p.byte(0xcc), p.uint(n, 1);
      if (n < 65536) return p.byte(0xcd), p.uint(n, 2);
      if (n < 2 ** 32) return p.byte(0xce), p.uint(n, 4);
      return p.byte(0xcf), p.uint(n, 8);
    }
    if (n >= -32) return p.byte(n & 0xff);
    if (n >= -128) return p.byte(0xd0), p.uint(n & 0xff, 1);
    if (n >= -32768) return p.byte(0xd1), p.uint(n & 0xffff, 2);
    if (n >= -(2 ** 31)) return p.byte(0xd2), p.uint(n >>> 0, 4);
    return p.byte(0xd3), p.uint(n, 8);
  }
  if (t === lua.LUA_TSTRING) {
    const s = lua.lua_tolstring(L, idx)!;
    if (s.length < 32) p.byte(0xa0 | s.length);
    else if (s.length < 256) p.byte(0xd9), p.uint(s.length, 1);
    else if (s.length < 65536) p.byte(0xda), p.uint(s.length, 2);
    else p.byte(0xdb), p.uint(s.length, 4);
    return p.bytes(s);
  }
  if (t === lua.LUA_TTABLE) {
    const abs = idx < 0 ? lua.lua_gettop(L) + idx + 1 : idx;
    const n = sequenceLength(L, abs);
    if (n >= 0 && !(n === 0 && hasAnyKey(L, abs))) {
      if (n < 16) p.byte(0x90 | n);
      else if (n < 65536) p.byte(0xdc), p.uint(n, 2);
      else p.byte(0xdd), p.uint(n, 4);
      for (let i = 1; i <= n; i++) {
        lua.lua_rawgeti(L, abs, i);
        packValue(L, -1, p, depth + 1);
        lua.lua_pop(L, 1);
      }
      return;
    }
    let count = 0;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, abs) !== 0) {
      count++;
      lua.lua_pop(L, 1);
    }
    if (count < 16) p.byte(0x80 | count);
    else if (count < 65536) p.byte(0xde), p.uint(count, 2);
    else p.byte(0xdf), p.uint(count, 4);
    lua.lua_pushnil(L);
    while (lua.lua_next(L, abs) !== 0) {
      packValue(L, -2, p, depth + 1);
      packValue(L, -1, p, depth + 1);
      lua.lua_pop(L, 1);
    }
    return;
  }
  p.byte(0xc0);
}

function hasAnyKey(L: LuaState, idx: number): boolean {
  lua.lua_pushnil(L);
  if (lua.lua_next(L, idx) === 0) return false;
  lua.lua_pop(L, 2);
  return true;
}

/** The input of the unpack in progress (one at a time: unpacking never runs Lua code). */
let inBuf: Uint8Array = new Uint8Array(0);
let inView: DataView = new DataView(inBuf.buffer);
let inPos = 0;

function need(L: LuaState, n: number): void {
  if (inPos + n > inBuf.length) raise(L, "Missing bytes in input.");
}

function readUint(L: LuaState, size: 1 | 2 | 4): number {
  need(L, size);
  const p = inPos;
  inPos += size;
  return size === 1 ? inBuf[p]! : size === 2 ? inView.getUint16(p) : inView.getUint32(p);
}

function unpackStr(L: LuaState, n: number): void {
  need(L, n);
  lua.lua_pushlstring(L, inBuf.subarray(inPos, inPos + n), n);
  inPos += n;
}

function unpackArray(L: LuaState, n: number): void {
  lauxlib.luaL_checkstack(L, 2, null);
  lua.lua_createtable(L, n, 0);
  for (let i = 1; i <= n; i++) {
    unpackValue(L);
    lua.lua_rawseti(L, -2, i);
  }
}

function unpackMap(L: LuaState, n: number): void {
  lauxlib.luaL_checkstack(L, 3, null);
  lua.lua_createtable(L, 0, n);
  for (let i = 0; i < n; i++) {
    unpackValue(L);
    unpackValue(L);
    lua.lua_rawset(L, -3);
  }
}

/** Decodes one msgpack value at `inBuf[inPos]` and pushes it. */
function unpackValue(L: LuaState): void {
  need(L, 1);
  const c = inBuf[inPos++]!;
  if (c < 0x80) return lua.lua_pushinteger(L, c);
  if (c >= 0xe0) return lua.lua_pushinteger(L, c - 256);
  if ((c & 0xe0) === 0xa0) return unpackStr(L, c & 0x1f);
  if ((c & 0xf0) === 0x90) return unpackArray(L, c & 0x0f);
  if ((c & 0xf0) === 0x80) return unpackMap(L, c & 0x0f);
  const dv = inView;
  const at = inPos;
  switch (c) {
    case 0xc0: return lua.lua_pushnil(L);
    case 0xc2: return lua.lua_pushboolean(L, false);
    case 0xc3: return lua.lua_pushboolean(L, true);
    case 0xcc: return lua.lua_pushinteger(L, readUint(L, 1));
    case 0xcd: return lua.lua_pushinteger(L, readUint(L, 2));
    case 0xce: return lua.lua_pushinteger(L, readUint(L, 4));
    case 0xcf: need(L, 8); inPos += 8; return lua.lua_pushinteger(L, Number(dv.getBigUint64(at)));
    case 0xd0: need(L, 1); inPos += 1; return lua.lua_pushinteger(L, dv.getInt8(at));
    case 0xd1: need(L, 2); inPos += 2; return lua.lua_pushinteger(L, dv.getInt16(at));
    case 0xd2: need(L, 4); inPos += 4; return lua.lua_pushinteger(L, dv.getInt32(at));
    case 0xd3: need(L, 8); inPos += 8; return lua.lua_pushinteger(L, Number(dv.getBigInt64(at)));
    case 0xca: need(L, 4); inPos += 4; return lua.lua_pushnumber(L, dv.getFloat32(at));
    case 0xcb: need(L, 8); inPos += 8; return lua.lua_pushnumber(L, dv.getFloat64(at));
    case 0xd9: case 0xc4: return unpackStr(L, readUint(L, 1));
    case 0xda: case 0xc5: return unpackStr(L, readUint(L, 2));
    case 0xdb: case 0xc6: return unpackStr(L, readUint(L, 4));
    case 0xdc: return unpackArray(L, readUint(L, 2));
    case 0xdd: return unpackArray(L, readUint(L, 4));
    case 0xde: return unpackMap(L, readUint(L, 2));
    case 0xdf: return unpackMap(L, readUint(L, 4));
    default: return raise(L, `Bad data format in input.`);
  }
}

export function openCmsgpack(L: LuaState): void {
  register(L, "cmsgpack", {
    pack: (L) => {
      const n = lua.lua_gettop(L);
      if (n === 0) raise(L, "MessagePack pack needs input.");
      const p = new Packer();
      for (let i = 1; i <= n; i++) packValue(L, i, p, 0);
      const out = p.result();
      lua.lua_pushlstring(L, out, out.length);
      return 1;
    },
    unpack: (L) => {
      const b = bytesAt(L, 1);
      if (b === undefined) raise(L, "MessagePack unpack needs a string.");
      inBuf = b;
      inView = new DataView(b.buffer, b.byteOffset, b.length);
      inPos = 0;
      let count = 0;
      while (inPos < b.length) {
        lauxlib.luaL_checkstack(L, 1, null);
        unpackValue(L);
        count++;
      }
      return count;
    },
  });
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
