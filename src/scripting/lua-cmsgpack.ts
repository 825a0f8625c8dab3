// cmsgpack, as Redis gives it to scripts (pack/unpack; BullMQ keeps job arguments and options in
// it): JavaScript functions on the VM's stack API. Tables with keys 1..n pack as arrays, others as
// maps; tables nested 16 deep pack as nil (Redis's LUACMSGPACK_MAX_NESTING).
import { lauxlib, lua, type LuaState } from "./lua-wasm.ts";
import { bytesAt, raise, register, sequenceLength } from "./lua-libs.ts";

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
