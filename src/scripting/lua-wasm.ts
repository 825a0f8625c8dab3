// Lua 5.4 compiled to WebAssembly (wasmoon's glue.wasm, from npm), instantiated here without
// wasmoon's JavaScript: its emscripten runtime wraps every call in string conversions and
// assertions. This module supplies the wasm file's few imports itself (setjmp/longjmp through JS
// exceptions, heap growth, stubs for the file and clock calls the loaded libraries never make)
// and exposes Lua's C API in the shape of fengari's (`lua.*`, `lauxlib.*`, byte strings), so the
// rest of src/scripting/ is the same code on either VM.
//
// Byte strings cross the boundary by copy: `lua_tolstring` returns a fresh Uint8Array (Lua may
// free or move its string), `lua_tolstringview` a view of wasm memory valid only until the next
// call into Lua. Pushes copy into a scratch area first. A JavaScript function becomes a C
// function through a two-export wasm stub importing it (one per function, cached).
import { readFileSync } from "node:fs";
import wasmPath from "wasmoon/dist/glue.wasm" with { type: "file" };

/** A Lua state: a pointer into wasm memory. */
export type LuaState = number;
/** A JS function callable from Lua: reads its arguments from the stack, pushes results, returns their count. */
export type LuaJsFunction = (L: LuaState) => number;

type Fn = (...args: never[]) => unknown;
interface Exports {
  memory: WebAssembly.Memory;
  __indirect_function_table: WebAssembly.Table;
  [name: string]: unknown;
}

/** The most wasm memory the VM may grow to: a script allocating more gets Lua's "not enough memory". */
const MAX_HEAP = 1024 * 1024 * 1024;

const LONGJMP = Infinity; // what emscripten's longjmp throws (a number, so `e !== e + 0` tells it apart)

/** The wasm stub that makes a JS function `int f(lua_State*)` callable through the table. */
const STUB = new WebAssembly.Module(
  new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 2, 7, 1, 1, 101, 1, 102, 0, 0, 7, 5, 1, 1, 102, 0, 0]),
);

function instantiate(): Exports {
  let ex: Exports | undefined;
  const e = (): Exports => ex!;
  const call = <T extends Fn>(name: string): T => e()[name] as T;
  const nosys = (): number => -52; // ENOSYS: io/os are not loaded, so these are never reached
  const env = {
    abort: () => {
      throw new Error("lua: wasm abort");
    },
    invoke_vii: (index: number, a: number, b: number) => {
      const sp = call<() => number>("stackSave")();
      try {
        (e().__indirect_function_table.get(index) as (a: number, b: number) => void)(a, b);
      } catch (err) {
        call<(sp: number) => void>("stackRestore")(sp);
        if (err !== (err as number) + 0) throw err;
        call<(a: number, b: number) => void>("setThrew")(1, 0);
      }
    },
    _emscripten_throw_longjmp: () => {
      throw LONGJMP;
    },
    emscripten_resize_heap: (requested: number) => {
      if (requested >>> 0 > MAX_HEAP) return 0; // malloc fails, Lua raises "not enough memory"
      const mem = e().memory;
      const have = mem.buffer.byteLength;
      const want = Math.min(MAX_HEAP, Math.max(requested >>> 0, have + Math.min(have, 96 << 20)));
      try {
        mem.grow(Math.ceil((want - have) / 65536));
        heap.refresh(mem);
        return 1;
      } catch {
        return 0;
      }
    },
    emscripten_date_now: () => Date.now(),
    _emscripten_get_now_is_monotonic: () => 1,
    strftime: () => 0,
    system: () => -1,
    exit: (code: number) => {
      throw new Error(`lua: wasm exit(${code})`);
    },
    __syscall_openat: nosys, __syscall_fcntl64: nosys, __syscall_ioctl: nosys, __syscall_dup3: nosys,
    __syscall_unlinkat: nosys, __syscall_rmdir: nosys, __syscall_renameat: nosys, __syscall_readlinkat: nosys,
    _mktime_js: () => 0, _localtime_js: () => {}, _gmtime_js: () => {}, _tzset_js: () => {},
  };
  const wasi = { fd_write: () => 8, fd_read: () => 8, fd_close: () => 8, fd_seek: () => 8, environ_sizes_get: () => 0, environ_get: () => 0 };
  const module = new WebAssembly.Module(readFileSync(wasmPath));
  ex = new WebAssembly.Instance(module, { env, wasi_snapshot_preview1: wasi }).exports as unknown as Exports;
  call<() => void>("emscripten_stack_init")();
  call<() => void>("__wasm_call_ctors")();
  return ex;
}

/** Views of wasm memory, replaced when it grows. */
const heap = {
  u8: new Uint8Array(0),
  i32: new Int32Array(0),
  refresh(mem: WebAssembly.Memory): void {
    this.u8 = new Uint8Array(mem.buffer);
    this.i32 = new Int32Array(mem.buffer);
  },
};

const X = instantiate();
heap.refresh(X.memory);
const f = <T extends Fn>(name: string): T => X[name] as T;
const table = X.__indirect_function_table;
const malloc = f<(n: number) => number>("malloc");
const free = f<(p: number) => void>("free");

/** A scratch area for pushed strings and C names (grown on demand), and one size_t cell. */
let scratch = malloc(64 * 1024);
let scratchSize = 64 * 1024;
const lenCell = malloc(8);

function scratchFor(n: number): number {
  if (n > scratchSize) {
    free(scratch);
    scratchSize = Math.max(n, scratchSize * 2);
    scratch = malloc(scratchSize);
    if (scratch === 0) throw new Error("lua: out of memory");
  }
  return scratch;
}

/** Copies `s` NUL-terminated into the scratch area at `at` bytes in. */
function cstr(s: Uint8Array, at = 0): number {
  const p = scratchFor(at + s.length + 1) + at;
  heap.u8.set(s, p);
  heap.u8[p + s.length] = 0;
  return p;
}

function cstrToBytes(p: number): Uint8Array | null {
  if (p === 0) return null;
  const u8 = heap.u8;
  let end = p;
  while (u8[end] !== 0) end++;
  return u8.slice(p, end);
}

/** Table slots of the C functions made from JS functions. */
const fnSlots = new Map<LuaJsFunction, number>();

function slotOf(fn: LuaJsFunction | ((L: number) => number)): number {
  let slot = fnSlots.get(fn);
  if (slot === undefined) {
    // A JS exception other than longjmp must not unwind through Lua's C frames: it becomes a Lua error.
    const guarded = (L: number): number => {
      try {
        return fn(L);
      } catch (err) {
        if (err === LONGJMP) throw err;
        lua.lua_pushstring(L, enc.encode(err instanceof Error ? err.message : String(err)));
        return lua.lua_error(L);
      }
    };
    const stub = new WebAssembly.Instance(STUB, { e: { f: guarded } }).exports.f as (L: number) => number;
    slot = table.grow(1);
    table.set(slot, stub);
    fnSlots.set(fn, slot);
  }
  return slot;
}

/** A wasm export as a C function pointer (the standard library openers). */
function exportSlot(name: string): LuaJsFunction {
  const fn = X[name] as LuaJsFunction;
  const slot = table.grow(1);
  table.set(slot, fn);
  fnSlots.set(fn, slot);
  return fn;
}

const enc = new TextEncoder();
export const to_luastring = (s: string): Uint8Array => enc.encode(s);
const dec = new TextDecoder();
export const to_jsstring = (b: Uint8Array): string => dec.decode(b);

const lua_settop = f<(L: number, i: number) => void>("lua_settop");
const lua_rotate = f<(L: number, i: number, n: number) => void>("lua_rotate");
const lua_tolstring_ = f<(L: number, i: number, len: number) => number>("lua_tolstring");
const lua_pushlstring_ = f<(L: number, s: number, n: number) => number>("lua_pushlstring");
const lua_pushinteger_ = f<(L: number, n: bigint) => void>("lua_pushinteger");
const lua_tointegerx = f<(L: number, i: number, isnum: number) => bigint>("lua_tointegerx");
const lua_rawgeti_ = f<(L: number, i: number, n: bigint) => number>("lua_rawgeti");
const lua_rawseti_ = f<(L: number, i: number, n: bigint) => void>("lua_rawseti");
const lua_getfield_ = f<(L: number, i: number, k: number) => number>("lua_getfield");
const lua_setfield_ = f<(L: number, i: number, k: number) => void>("lua_setfield");
const lua_getglobal_ = f<(L: number, k: number) => number>("lua_getglobal");
const lua_setglobal_ = f<(L: number, k: number) => void>("lua_setglobal");
const lua_pushcclosure = f<(L: number, fn: number, n: number) => void>("lua_pushcclosure");
const lua_pcallk = f<(L: number, na: number, nr: number, eh: number, ctx: number, k: number) => number>("lua_pcallk");
const lua_getinfo_ = f<(L: number, what: number, ar: number) => number>("lua_getinfo");
const lua_setupvalue_ = f<(L: number, fi: number, n: number) => number>("lua_setupvalue");
const luaL_loadbufferx = f<(L: number, s: number, n: number, name: number, mode: number) => number>("luaL_loadbufferx");
const luaL_requiref_ = f<(L: number, name: number, fn: number, glb: number) => void>("luaL_requiref");
const luaL_checkstack_ = f<(L: number, n: number, msg: number) => void>("luaL_checkstack");
const luaL_newmetatable_ = f<(L: number, name: number) => number>("luaL_newmetatable");
const MODE_TEXT = malloc(2);
heap.u8[MODE_TEXT] = 116; // "t": source only, never precompiled chunks
heap.u8[MODE_TEXT + 1] = 0;

/** A string's bytes as a view of wasm memory (valid until the next call into Lua), or null. */
function lua_tolstringview(L: LuaState, i: number): Uint8Array | null {
  const p = lua_tolstring_(L, i, lenCell);
  if (p === 0) return null;
  return heap.u8.subarray(p, p + heap.i32[lenCell >> 2]!);
}

const DEBUG_SIZE = 128; // sizeof(lua_Debug) is 108 on wasm32

/** lua_Debug's fields that scripts' error lines need (offsets of Lua 5.4's struct on wasm32). */
class LuaDebug {
  readonly ptr = malloc(DEBUG_SIZE);
  get currentline(): number {
    return heap.i32[(this.ptr + 24) >> 2]!;
  }
  get source(): Uint8Array | null {
    return cstrToBytes(heap.i32[(this.ptr + 16) >> 2]!);
  }
}

export const lua = {
  LUA_OK: 0, LUA_TNIL: 0, LUA_TBOOLEAN: 1, LUA_TLIGHTUSERDATA: 2, LUA_TNUMBER: 3, LUA_TSTRING: 4, LUA_TTABLE: 5, LUA_TFUNCTION: 6,
  LUA_TUSERDATA: 7, LUA_REGISTRYINDEX: -1001000, LUA_RIDX_GLOBALS: 2, LUA_MULTRET: -1,
  lua_pushnil: f<(L: LuaState) => void>("lua_pushnil"),
  lua_pushboolean: f<(L: LuaState, b: boolean | number) => void>("lua_pushboolean") as (L: LuaState, b: boolean | number) => void,
  lua_pushinteger: (L: LuaState, n: number): void => lua_pushinteger_(L, BigInt(n)),
  lua_pushnumber: f<(L: LuaState, n: number) => void>("lua_pushnumber"),
  lua_pushlstring(L: LuaState, s: Uint8Array, len: number): void {
    const p = scratchFor(len);
    heap.u8.set(len === s.length ? s : s.subarray(0, len), p);
    lua_pushlstring_(L, p, len);
  },
  lua_pushstring(L: LuaState, s: Uint8Array): void {
    lua.lua_pushlstring(L, s, s.length);
  },
  lua_pushjsfunction(L: LuaState, fn: LuaJsFunction): void {
    lua_pushcclosure(L, slotOf(fn), 0);
  },
  lua_pushcfunction(L: LuaState, fn: LuaJsFunction): void {
    lua_pushcclosure(L, slotOf(fn), 0);
  },
  lua_pushvalue: f<(L: LuaState, i: number) => void>("lua_pushvalue"),
  lua_pushlightuserdata: f<(L: LuaState, p: number) => void>("lua_pushlightuserdata"),
  lua_createtable: f<(L: LuaState, narr: number, nrec: number) => void>("lua_createtable"),
  lua_newtable: (L: LuaState): void => lua.lua_createtable(L, 0, 0),
  lua_setfield: (L: LuaState, i: number, k: Uint8Array): void => lua_setfield_(L, i, cstr(k)),
  lua_getfield: (L: LuaState, i: number, k: Uint8Array): number => lua_getfield_(L, i, cstr(k)),
  lua_rawseti: (L: LuaState, i: number, n: number): void => lua_rawseti_(L, i, BigInt(n)),
  lua_rawgeti: (L: LuaState, i: number, n: number): number => lua_rawgeti_(L, i, BigInt(n)),
  lua_rawset: f<(L: LuaState, i: number) => void>("lua_rawset"),
  lua_rawget: f<(L: LuaState, i: number) => number>("lua_rawget"),
  lua_rawlen: f<(L: LuaState, i: number) => number>("lua_rawlen"),
  lua_setglobal: (L: LuaState, k: Uint8Array): void => lua_setglobal_(L, cstr(k)),
  lua_getglobal: (L: LuaState, k: Uint8Array): number => lua_getglobal_(L, cstr(k)),
  lua_setmetatable: f<(L: LuaState, i: number) => void>("lua_setmetatable"),
  lua_settop,
  lua_gettop: f<(L: LuaState) => number>("lua_gettop"),
  lua_pop: (L: LuaState, n: number): void => lua_settop(L, -n - 1),
  lua_type: f<(L: LuaState, i: number) => number>("lua_type"),
  lua_isinteger: (L: LuaState, i: number): boolean => f<(L: number, i: number) => number>("lua_isinteger")(L, i) !== 0,
  lua_tonumber: (L: LuaState, i: number): number => f<(L: number, i: number, p: number) => number>("lua_tonumberx")(L, i, 0),
  lua_tointeger: (L: LuaState, i: number): number => Number(lua_tointegerx(L, i, 0)),
  lua_toboolean: (L: LuaState, i: number): boolean => f<(L: number, i: number) => number>("lua_toboolean")(L, i) !== 0,
  /** A string's bytes (a copy), or null when the value is neither a string nor a number. */
  lua_tolstring(L: LuaState, i: number): Uint8Array | null {
    const p = lua_tolstring_(L, i, lenCell);
    return p === 0 ? null : heap.u8.slice(p, p + heap.i32[lenCell >> 2]!);
  },
  lua_tolstringview,
  lua_touserdata: f<(L: LuaState, i: number) => number>("lua_touserdata"),
  lua_pcall: (L: LuaState, nargs: number, nresults: number, errfunc: number): number => lua_pcallk(L, nargs, nresults, errfunc, 0, 0),
  lua_error: f<(L: LuaState) => never>("lua_error"),
  lua_next: f<(L: LuaState, i: number) => number>("lua_next"),
  lua_insert: (L: LuaState, i: number): void => lua_rotate(L, i, 1),
  lua_remove(L: LuaState, i: number): void {
    lua_rotate(L, i, -1);
    lua_settop(L, -2);
  },
  lua_getstack: f<(L: LuaState, level: number, ar: number) => number>("lua_getstack") as unknown as (L: LuaState, level: number, ar: LuaDebug) => number,
  lua_getinfo: (L: LuaState, what: Uint8Array, ar: LuaDebug): number => lua_getinfo_(L, cstr(what), ar.ptr),
  lua_newuserdata: (L: LuaState, size: number): number => f<(L: number, n: number, uv: number) => number>("lua_newuserdatauv")(L, size, 1),
  lua_setupvalue: (L: LuaState, fi: number, n: number): Uint8Array | null => cstrToBytes(lua_setupvalue_(L, fi, n)),
  lua_rawequal: (L: LuaState, a: number, b: number): boolean => f<(L: number, a: number, b: number) => number>("lua_rawequal")(L, a, b) !== 0,
  lua_Debug: LuaDebug,
};
// lua_getstack takes the struct's pointer.
{
  const getstack = f<(L: number, level: number, ar: number) => number>("lua_getstack");
  lua.lua_getstack = (L, level, ar) => getstack(L, level, ar.ptr);
}

export const lauxlib = {
  luaL_newstate: f<() => LuaState>("luaL_newstate"),
  /** Loads source text (never a precompiled chunk) as a function named `name`. */
  luaL_loadbuffer(L: LuaState, s: Uint8Array, sz: number | null, name: Uint8Array): number {
    const n = sz ?? s.length;
    const p = scratchFor(n + name.length + 1);
    heap.u8.set(n === s.length ? s : s.subarray(0, n), p);
    return luaL_loadbufferx(L, p, n, cstr(name, n), MODE_TEXT);
  },
  luaL_requiref: (L: LuaState, name: Uint8Array, open: LuaJsFunction, glb: number): void => luaL_requiref_(L, cstr(name), slotOf(open), glb),
  luaL_checkstack: (L: LuaState, n: number, msg: Uint8Array | null): void => luaL_checkstack_(L, n, msg === null ? 0 : cstr(msg)),
  luaL_newmetatable: (L: LuaState, name: Uint8Array): number => luaL_newmetatable_(L, cstr(name)),
  /** Pushes "chunk:line:" of the function at `level` (1: the caller of the running C function), or "". */
  luaL_where: f<(L: LuaState, level: number) => void>("luaL_where"),
  /** Pushes the value at `i` as Lua's tostring converts it (metamethods included). */
  luaL_tolstring: (L: LuaState, i: number): void => void f<(L: number, i: number, len: number) => number>("luaL_tolstring")(L, i, 0),
  luaL_ref: f<(L: LuaState, t: number) => number>("luaL_ref"),
  luaL_unref: f<(L: LuaState, t: number, ref: number) => void>("luaL_unref"),
};

export const lualib = {
  luaopen_base: exportSlot("luaopen_base"),
  luaopen_table: exportSlot("luaopen_table"),
  luaopen_string: exportSlot("luaopen_string"),
  luaopen_math: exportSlot("luaopen_math"),
};

/** Bytes of wasm memory in use by the VM (its whole linear memory). */
export const wasmMemoryBytes = (): number => X.memory.buffer.byteLength;
