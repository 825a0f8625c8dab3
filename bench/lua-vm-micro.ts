// The Lua VM alone, in-process: fengari (Lua 5.3 in JavaScript) against wasmoon's Lua 5.4
// WebAssembly build driven through its raw C API (src/scripting/lua-wasm.ts), on the same code.
//
//   bun bench/lua-vm-micro.ts
//
// bridge: a JS function registered as a C function, called from a Lua loop with two string
//   arguments (as redis.call gets them), returning an integer: µs per call.
// keys/argv: pushing 2 KEYS + 8 ARGV strings of 24 bytes as two tables and running an empty
//   script with them: µs per run.
// bullmq-like: a script doing `cmsgpack.unpack` of a 6-field table (a JS decoder, as in
//   lua-libs.ts) and 5 bridge calls with string concatenation and a table build: µs per run.
// interp: a pure-Lua loop (string and table work, no bridge): µs per run.
import * as fengari from "fengari";
import * as wasm from "../src/scripting/lua-wasm.ts";

type Api = typeof wasm;
const enc = new TextEncoder();

function setup(api: Api): number {
  const { lua, lauxlib, lualib, to_luastring } = api;
  const L = lauxlib.luaL_newstate();
  for (const [n, o] of [["_G", lualib.luaopen_base], ["table", lualib.luaopen_table], ["string", lualib.luaopen_string], ["math", lualib.luaopen_math]] as const) {
    lauxlib.luaL_requiref(L, to_luastring(n), o, 1);
    lua.lua_pop(L, 1);
  }
  let sink = 0;
  lua.lua_pushjsfunction(L, (L) => {
    const n = lua.lua_gettop(L);
    for (let i = 1; i <= n; i++) sink += lua.lua_tolstring(L, i)!.length;
    lua.lua_pushinteger(L, sink & 0xffff);
    return 1;
  });
  lua.lua_setglobal(L, to_luastring("call"));
  // A msgpack map of short strings and small integers (what BullMQ's job options are).
  lua.lua_pushjsfunction(L, (L) => {
    const b = lua.lua_tolstring(L, 1)!;
    let p = 1;
    const n = b[0]! & 0x0f;
    lua.lua_createtable(L, 0, n);
    const item = (): void => {
      const c = b[p++]!;
      if (c < 0x80) lua.lua_pushinteger(L, c);
      else {
        const len = c & 0x1f;
        lua.lua_pushlstring(L, b.subarray(p, p + len), len);
        p += len;
      }
    };
    for (let i = 0; i < n; i++) {
      item();
      item();
      lua.lua_rawset(L, -3);
    }
    return 1;
  });
  lua.lua_setglobal(L, to_luastring("unpack_opts"));
  return L;
}

function load(api: Api, L: number, code: string): number {
  const { lua, lauxlib, to_luastring } = api;
  if (lauxlib.luaL_loadbuffer(L, to_luastring(code), null, to_luastring("@bench")) !== 0) throw new Error(String(lua.lua_tolstring(L, -1)));
  return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
}

function pushArray(api: Api, L: number, items: Uint8Array[]): void {
  const { lua } = api;
  lua.lua_createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    lua.lua_pushlstring(L, items[i]!, items[i]!.length);
    lua.lua_rawseti(L, -2, i + 1);
  }
}

function timeRuns(api: Api, L: number, ref: number, keys: Uint8Array[], args: Uint8Array[], runs: number): number {
  const { lua } = api;
  const once = (): void => {
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
    pushArray(api, L, keys);
    pushArray(api, L, args);
    if (lua.lua_pcall(L, 2, 1, 0) !== 0) throw new Error(new TextDecoder().decode(lua.lua_tolstring(L, -1)!));
    lua.lua_settop(L, 0);
  };
  for (let i = 0; i < Math.min(2000, runs); i++) once();
  const t0 = Bun.nanoseconds();
  for (let i = 0; i < runs; i++) once();
  return (Bun.nanoseconds() - t0) / 1000 / runs;
}

const KEYS = [enc.encode("bull:queue:id-000000000"), enc.encode("bull:queue:wait-0000000")];
const ARGV = Array.from({ length: 8 }, (_, i) => enc.encode(`argument-${i}-abcdefghijklmn`.slice(0, 24)));
const opts = new Uint8Array([0x86, ...[["attempts", 3], ["delay", 0], ["lifo", 0], ["priority", 0], ["jobId", "j-1"], ["name", "job"]].flatMap(([k, v]) => {
  const kb = enc.encode(k as string);
  const vb = typeof v === "number" ? [v] : [0xa0 | (v as string).length, ...enc.encode(v as string)];
  return [0xa0 | kb.length, ...kb, ...vb];
})]);
const BULL_ARGV = [opts, ...ARGV.slice(1)];

const CASES = [
  { name: "bridge (per call)", code: "local KEYS, ARGV = ...; local c, k = call, KEYS[1]; for i = 1, 10000 do c('GET', k) end", runs: 50, per: 10000, argv: ARGV },
  { name: "keys/argv (per run)", code: "local KEYS, ARGV = ...; return #ARGV", runs: 100000, per: 1, argv: ARGV },
  {
    name: "bullmq-like (per run)",
    code: [
      "local KEYS, ARGV = ...",
      "local o = unpack_opts(ARGV[1])",
      "local id = o['jobId'] or call('INCR', KEYS[1] .. ':id')",
      "local jobKey = KEYS[1] .. ':' .. id",
      "call('HMSET', jobKey, 'name', o['name'], 'data', ARGV[2], 'opts', ARGV[1], 'timestamp', ARGV[3])",
      "call('XADD', KEYS[2] .. ':events', '*', 'event', 'added', 'jobId', id, 'name', o['name'])",
      "if o['delay'] > 0 then call('ZADD', KEYS[2], o['delay'], id) else call('LPUSH', KEYS[2], id) end",
      "call('XADD', KEYS[2] .. ':events', '*', 'event', 'waiting', 'jobId', id)",
      "call('HINCRBY', KEYS[1] .. ':meta', 'count', 1)",
      "local r = {} for k, v in pairs(o) do r[#r + 1] = k end",
      "return id",
    ].join("\n"),
    runs: 50000,
    per: 1,
    argv: BULL_ARGV,
  },
  {
    name: "interp (per run)",
    code: "local KEYS, ARGV = ...; local t = {} for i = 1, 200 do t[i] = 'k' .. i end local n = 0 for i, v in ipairs(t) do if v:sub(1, 1) == 'k' then n = n + #v end end return n",
    runs: 5000,
    per: 1,
    argv: ARGV,
  },
];

const vms: [string, Api][] = [["fengari", fengari as unknown as Api], ["wasm (raw C API)", wasm]];
console.log(`Bun ${Bun.version}, ${new Date().toISOString()}`);
console.log("| case | fengari µs | wasm µs | speed-up |\n|---|---|---|---|");
for (const c of CASES) {
  const r = vms.map(([, api]) => {
    const L = setup(api);
    const ref = load(api, L, c.code);
    const best = Math.min(...[0, 1, 2].map(() => timeRuns(api, L, ref, KEYS, c.argv, c.runs)));
    return best / c.per;
  });
  console.log(`| ${c.name} | ${r[0]!.toFixed(3)} | ${r[1]!.toFixed(3)} | ${(r[0]! / r[1]!).toFixed(1)}× |`);
}
