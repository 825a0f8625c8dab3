// Changing the worker count between runs loses nothing: keys written by two workers (in several
// databases) are all there after a restart with one worker (which reads the other shard's files
// and removes them), and again after going back to two (the keys move to their owners).
import { expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { autoWorkers } from "../../src/config/params.ts";
import { RawClient, spawnServer, tempDataDir } from "../support/server-process.ts";

async function contents(port: number): Promise<string[]> {
  const c = await RawClient.connect(port);
  const out: string[] = [];
  for (const db of ["0", "3"]) {
    await c.command("select", db);
    for (const k of (await c.command("keys", "*")) as string[]) out.push(`${db}:${k}=${JSON.stringify(await c.command("dump", k))}`);
  }
  c.close();
  return out.sort();
}

test("the automatic worker count is one on a 1-2 core machine and one per core above", () => {
  expect([1, 2, 3, 8].map(autoWorkers)).toEqual([1, 1, 3, 8]);
});

test("2 workers → 1 worker → 2 workers: every key of every database survives", async () => {
  const dir = tempDataDir();
  try {
    const base = ["--appendonly", "yes", "--dir", dir];
    let srv = await spawnServer([...base, "--workers", "2"]);
    const c = await RawClient.connect(srv.port);
    for (let i = 0; i < 60; i++) await c.command("set", `k${i}`, `v${i}`);
    await c.command("select", "3");
    for (let i = 0; i < 20; i++) await c.command("rpush", `l${i}`, "a", String(i));
    c.close();
    const written = await contents(srv.port);
    expect(written).toHaveLength(80);
    await srv.stop();

    srv = await spawnServer([...base, "--workers", "1"]);
    expect(await contents(srv.port)).toEqual(written);
    expect(srv.stdout()).toContain("took over shard 1");
    await srv.stop();

    srv = await spawnServer([...base, "--workers", "2"]);
    expect(await contents(srv.port)).toEqual(written);
    await srv.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
