// Scripts inside the `bun build --compile` executable: the Lua VM's .wasm file is embedded in the
// binary (lua-wasm.ts imports it `with { type: "file" }`), so EVAL and FCALL work with nothing
// shipped beside it. The binary is built with package.json's build flags into a temp directory.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json";
import { BUN, RawClient, runToExit, spawnServer } from "../support/server-process.ts";

const outDir = mkdtempSync(join(tmpdir(), "fc-lua-bin-"));
const BINARY = join(outDir, "fast-cache-server");

beforeAll(async () => {
  // package.json's "build", with the output moved to the temp directory.
  const argv = pkg.scripts.build.split(" ");
  argv[0] = BUN;
  argv[argv.indexOf("--outfile") + 1] = BINARY;
  const r = await runToExit(argv, 120_000);
  if (r.code !== 0) throw new Error(`build failed (${r.code}): ${r.stderr}`);
}, 130_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("the compiled binary runs scripts", () => {
  test("EVAL, EVALSHA, the libraries, Redis's error texts and FCALL", async () => {
    const srv = await spawnServer([], { binary: BINARY });
    try {
      using c = await RawClient.connect(srv.port);
      expect(await c.command("EVAL", "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])", "1", "k", "v1")).toBe("v1");
      expect(await c.command("EVAL", "return {10 / 2, tostring(10 / 2), unpack({'a', 'b'})}", "0")).toEqual([5, "5", "a", "b"]);
      expect(await c.command("EVAL", "return cjson.encode(cmsgpack.unpack(cmsgpack.pack({1, 2, 'x'})))", "0")).toBe('[1,2,"x"]');
      expect(await c.command("EVAL", "return bit.band(0xff, 0x0f)", "0")).toBe(15);
      const sha = await c.command("SCRIPT", "LOAD", "return redis.call('INCR', KEYS[1])");
      expect(await c.command("EVALSHA", sha as string, "1", "n")).toBe(1);
      expect(await c.command("EVALSHA", sha as string, "1", "n")).toBe(2);
      const boom = new Bun.CryptoHasher("sha1").update("error('boom')").digest("hex");
      expect(await c.command("EVAL", "error('boom')", "0")).toEqual({ error: `ERR user_script:1: boom script: ${boom}, on @user_script:1.` });
      expect(await c.command("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('twice', function(keys, args) return args[1] * 2 end)")).toBe("lib");
      expect(await c.command("FCALL", "twice", "0", "21")).toBe(42);
    } finally {
      expect(await srv.stop()).toBe(0);
    }
  });
});
