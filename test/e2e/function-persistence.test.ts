// Function libraries survive a restart and a SIGKILL on both workers (they live beside the shard's
// files), and FUNCTION LOAD / DELETE reach every worker: FCALL works whichever worker the keys
// route the call to.
import { expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { RawClient, spawnServer, tempDataDir } from "../support/server-process.ts";

const LIB = "#!lua name=counters\nredis.register_function('bump', function(keys, args) return redis.call('incrby', keys[1], args[1]) end)";

test("libraries come back after SIGKILL and a clean restart, on every worker", async () => {
  const dir = tempDataDir();
  try {
    const args = ["--appendonly", "yes", "--appendfsync", "always", "--dir", dir];
    let srv = await spawnServer(args);
    let c = await RawClient.connect(srv.port);
    expect(await c.command("function", "load", LIB)).toBe("counters");
    // Ten keys: both workers run the function.
    for (let i = 0; i < 10; i++) expect(await c.command("fcall", "bump", "1", `k${i}`, String(i))).toBe(i);
    c.close();
    srv.proc.kill("SIGKILL");
    await srv.proc.exited;

    srv = await spawnServer(args);
    c = await RawClient.connect(srv.port);
    for (let i = 0; i < 10; i++) expect(await c.command("fcall", "bump", "1", `k${i}`, "100")).toBe(i + 100);
    expect(await c.command("function", "delete", "counters")).toBe("OK");
    c.close();
    await srv.stop();

    srv = await spawnServer(args);
    c = await RawClient.connect(srv.port);
    for (let i = 0; i < 10; i++) expect(await c.command("fcall", "bump", "1", `k${i}`, "1")).toEqual({ error: "ERR Function not found" });
    c.close();
    await srv.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
