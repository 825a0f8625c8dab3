// The parts of fengari (Lua 5.3 in JavaScript, from npm; a devDependency) that bench/lua-vm-micro.ts
// compares with the WebAssembly VM. fengari ships no type declarations; its C-style API takes a
// state `L` and stack indexes.
declare module "fengari" {
  /** A Lua state (opaque). */
  export type LuaState = { readonly __lua_state: unique symbol };
  /** A JS function callable from Lua: reads its arguments from the stack, pushes results, returns their count. */
  export type LuaJsFunction = (L: LuaState) => number;
  export const lua: {
    LUA_OK: number; LUA_TNIL: number; LUA_TBOOLEAN: number; LUA_TNUMBER: number; LUA_TSTRING: number; LUA_TTABLE: number;
    LUA_TFUNCTION: number; LUA_REGISTRYINDEX: number; LUA_RIDX_GLOBALS: number; LUA_MULTRET: number;
    lua_pushnil(L: LuaState): void; lua_pushboolean(L: LuaState, b: boolean | number): void; lua_pushinteger(L: LuaState, n: number): void;
    lua_pushnumber(L: LuaState, n: number): void; lua_pushstring(L: LuaState, s: Uint8Array): void;
    lua_pushlstring(L: LuaState, s: Uint8Array, len: number): void; lua_pushjsfunction(L: LuaState, f: LuaJsFunction): void;
    lua_pushcfunction(L: LuaState, f: LuaJsFunction): void; lua_pushvalue(L: LuaState, idx: number): void; lua_pushlightuserdata(L: LuaState, p: unknown): void;
    lua_createtable(L: LuaState, narr: number, nrec: number): void; lua_newtable(L: LuaState): void;
    lua_setfield(L: LuaState, idx: number, k: Uint8Array): void; lua_getfield(L: LuaState, idx: number, k: Uint8Array): number;
    lua_rawseti(L: LuaState, idx: number, n: number): void; lua_rawgeti(L: LuaState, idx: number, n: number): number;
    lua_rawset(L: LuaState, idx: number): void; lua_rawget(L: LuaState, idx: number): number; lua_rawlen(L: LuaState, idx: number): number;
    lua_setglobal(L: LuaState, name: Uint8Array): void; lua_getglobal(L: LuaState, name: Uint8Array): number;
    lua_setmetatable(L: LuaState, idx: number): void; lua_settop(L: LuaState, idx: number): void; lua_gettop(L: LuaState): number;
    lua_pop(L: LuaState, n: number): void; lua_type(L: LuaState, idx: number): number; lua_isinteger(L: LuaState, idx: number): boolean;
    lua_tonumber(L: LuaState, idx: number): number; lua_tointeger(L: LuaState, idx: number): number; lua_toboolean(L: LuaState, idx: number): boolean;
    lua_tolstring(L: LuaState, idx: number): Uint8Array | null; lua_touserdata(L: LuaState, idx: number): unknown;
    lua_pcall(L: LuaState, nargs: number, nresults: number, errfunc: number): number; lua_error(L: LuaState): never;
    lua_next(L: LuaState, idx: number): number; lua_insert(L: LuaState, idx: number): void; lua_remove(L: LuaState, idx: number): void;
    lua_getstack(L: LuaState, level: number, ar: object): number; lua_getinfo(L: LuaState, what: Uint8Array, ar: object): number;
    lua_newuserdata(L: LuaState, size: number): unknown; lua_setupvalue(L: LuaState, funcindex: number, n: number): Uint8Array | null; lua_rawequal(L: LuaState, a: number, b: number): boolean;
    lua_Debug: new () => { currentline: number; source: Uint8Array | null; short_src: Uint8Array | null };
  };
  export const lauxlib: {
    luaL_newstate(): LuaState; luaL_loadbuffer(L: LuaState, s: Uint8Array, sz: number | null, name: Uint8Array): number;
    luaL_requiref(L: LuaState, name: Uint8Array, open: LuaJsFunction, glb: number): void; luaL_checkstack(L: LuaState, n: number, msg: Uint8Array | null): void;
    luaL_newmetatable(L: LuaState, name: Uint8Array): number;
    luaL_ref(L: LuaState, t: number): number; luaL_unref(L: LuaState, t: number, ref: number): void;
  };
  export const lualib: {
    luaopen_base: LuaJsFunction; luaopen_table: LuaJsFunction; luaopen_string: LuaJsFunction; luaopen_math: LuaJsFunction;
  };
  export function to_luastring(s: string, cache?: boolean): Uint8Array;
  export function to_jsstring(b: Uint8Array): string;
}
