// The WebAssembly Lua VM at its limits: a script that overflows Lua's stack, nests C calls too
// deep, asks for more memory than the VM's heap may grow to (1 GiB), or unpacks more values than
// a C function's stack reserve gets an error reply, and the VM keeps serving scripts afterwards.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";

let srv: ServerProcess;
let c: RawClient;
beforeAll(async () => {
  srv = await spawnServer(["--workers", "1"]);
  c = await RawClient.connect(srv.port);
});
afterAll(async () => {
  c?.close();
  await srv?.stop();
});

const errorText = (r: unknown): string => (r as { error?: string }).error ?? `not an error: ${JSON.stringify(r)}`;

describe("scripts past the VM's limits", () => {
  test("infinite recursion is Lua's stack overflow error", async () => {
    const r = await c.command("EVAL", "local function f(n) return 1 + f(n + 1) end return f(1)", "0");
    expect(errorText(r)).toMatch(/^ERR user_script:1: stack overflow/);
    expect(await c.command("EVAL", "return 1", "0")).toBe(1);
  });

  test("pcall nested past the C-call limit is an error, not a crash", async () => {
    const r = await c.command("EVAL", "local function f(n) local ok, e = pcall(f, n + 1) if not ok then error(e, 0) end return e end return f(1)", "0");
    expect(errorText(r)).toMatch(/stack overflow/);
    expect(await c.command("EVAL", "return redis.call('PING')", "0")).toEqual("PONG");
  });

  test("an allocation over the heap cap is 'not enough memory'", async () => {
    const r = await c.command("EVAL", "return #string.rep('x', 1.5e9)", "0");
    expect(errorText(r)).toMatch(/^ERR Error running script: not enough memory/);
    expect(await c.command("EVAL", "return #string.rep('x', 1e6)", "0")).toBe(1_000_000);
  });

  test("cmsgpack.unpack of 1,000 values and of 15-deep nesting", async () => {
    const many = "local t = {} for i = 1, 1000 do t[i] = i end return select('#', cmsgpack.unpack(cmsgpack.pack(unpack(t))))";
    expect(await c.command("EVAL", many, "0")).toBe(1000);
    const deep = "local t = {} local x = t for i = 1, 14 do x[1] = {} x = x[1] end x[1] = 'leaf' local u = cmsgpack.unpack(cmsgpack.pack(t)) for i = 1, 15 do u = u[1] end return u";
    expect(await c.command("EVAL", deep, "0")).toBe("leaf");
  });

  test("a redis.call argument error leaves the VM usable", async () => {
    expect(errorText(await c.command("EVAL", "return redis.call('SET', KEYS[1], {})", "1", "k"))).toMatch(/^ERR Lua redis lib command arguments must be strings or integers/);
    expect(await c.command("EVAL", "redis.call('SET', KEYS[1], 'v') return redis.call('GET', KEYS[1])", "1", "k")).toBe("v");
  });
});
