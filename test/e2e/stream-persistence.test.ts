// Streams and their consumer groups through restarts of the real server: the WAL (Deltas that
// carry the IDs `*` produced and the delivery times) and snapshots rebuild the same entries,
// node layout, PELs, delivery counts and seen-times; after SIGKILL under appendfsync always,
// every acknowledged XADD is there.
import { afterAll, expect, test } from "bun:test";
import fs, { rmSync } from "node:fs";
import { RawClient, tempDataDir } from "../support/server-process.ts";
import { kill9, pipeline, PipeClient, serverOn, waitFor } from "../persistence/e2e-helpers.ts";
import type { RespValue } from "../support/resp-decode.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const newDir = (): string => {
  const d = tempDataDir();
  dirs.push(d);
  return d;
};

const KEYS = ["orders", "events", "empty"];

/** Everything a client can see of the streams, times included (they are absolute and persisted). */
async function streamState(port: number): Promise<RespValue[]> {
  const cmds: string[][] = [];
  for (const k of KEYS) cmds.push(["XRANGE", k, "-", "+"], ["XINFO", "STREAM", k, "FULL", "COUNT", "0"], ["XINFO", "GROUPS", k], ["TYPE", k]);
  return pipeline(port, cmds);
}

function workload(): string[][] {
  const cmds: string[][] = [];
  for (let i = 1; i <= 400; i++) cmds.push(["XADD", "orders", `${1000 + i}-${i % 3}`, "sku", `p${i % 17}`, "qty", String(i % 5)]);
  for (let i = 0; i < 150; i++) cmds.push(["XADD", "events", "*", "kind", i % 2 ? "click" : "view", ...(i % 7 === 0 ? ["extra", "x".repeat(80)] : [])]);
  cmds.push(["XGROUP", "CREATE", "orders", "billing", "0"], ["XGROUP", "CREATE", "orders", "ship", "$"], ["XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM"]);
  cmds.push(["XGROUP", "CREATE", "events", "g", "0", "ENTRIESREAD", "0"], ["XGROUP", "CREATECONSUMER", "events", "g", "idle-one"]);
  for (const c of ["ann", "ben", "cat"]) cmds.push(["XREADGROUP", "GROUP", "billing", c, "COUNT", "40", "STREAMS", "orders", ">"]);
  cmds.push(["XREADGROUP", "GROUP", "g", "ann", "COUNT", "30", "NOACK", "STREAMS", "events", ">"]);
  cmds.push(["XREADGROUP", "GROUP", "g", "ben", "COUNT", "30", "STREAMS", "events", ">"]);
  return cmds;
}

function moreWork(): string[][] {
  const cmds: string[][] = [];
  for (let i = 1; i <= 40; i += 3) cmds.push(["XACK", "orders", "billing", `${1000 + i}-${i % 3}`]);
  cmds.push(["XCLAIM", "orders", "billing", "dan", "0", "1050-2", "1051-0", "1052-1"], ["XCLAIM", "orders", "billing", "dan", "0", "1060-0", "RETRYCOUNT", "7", "JUSTID"]);
  cmds.push(["XAUTOCLAIM", "orders", "billing", "eve", "0", "1090-0", "COUNT", "5"]);
  cmds.push(["XREADGROUP", "GROUP", "billing", "ann", "STREAMS", "orders", "0"]);
  cmds.push(["XDEL", "orders", "1100-1", "1101-2", "1002-2"], ["XTRIM", "orders", "MAXLEN", "~", "250"], ["XTRIM", "orders", "MINID", "1080"]);
  cmds.push(["XADD", "orders", "MAXLEN", "=", "300", "5000-*", "sku", "late"], ["XSETID", "empty", "77-7", "ENTRIESADDED", "9", "MAXDELETEDID", "70-0"]);
  cmds.push(["XGROUP", "SETID", "orders", "ship", "1200-0", "ENTRIESREAD", "200"], ["XGROUP", "DELCONSUMER", "orders", "billing", "cat"]);
  cmds.push(["XREADGROUP", "GROUP", "ship", "fin", "COUNT", "3", "STREAMS", "orders", ">"]);
  return cmds;
}

test("streams and consumer groups are the same after SIGKILL (snapshot + WAL) and after a clean restart", async () => {
  const dir = newDir();
  const srv = await serverOn(dir, ["--appendfsync", "always", "--snapshot-every-seconds", "0"]);
  for (const r of await pipeline(srv.port, workload())) expect(r).not.toHaveProperty("error");
  const c = await RawClient.connect(srv.port);
  expect(await c.command("BGSAVE")).toBe("Background saving started");
  await waitFor(() => fs.readdirSync(dir).some((n) => n.endsWith(".fcs")), 15000, "the snapshot file");
  c.close();
  for (const r of await pipeline(srv.port, moreWork())) expect(r).not.toHaveProperty("error");
  const before = await streamState(srv.port);
  expect((before[0] as unknown[]).length).toBeGreaterThan(200);
  await kill9(srv);

  const again = await serverOn(dir, ["--appendfsync", "always"]);
  expect(await streamState(again.port)).toEqual(before);
  expect(await again.stop()).toBe(0);

  const third = await serverOn(dir);
  try {
    expect(await streamState(third.port)).toEqual(before);
  } finally {
    await third.stop();
  }
}, 60000);

test("appendfsync always: every XADD * acknowledged before SIGKILL is there with its ID", async () => {
  const dir = newDir();
  const srv = await serverOn(dir, ["--appendfsync", "always"]);
  const client = await PipeClient.connect(srv.port);
  let running = true;
  const loop = (async () => {
    let i = 0;
    while (running && !client.closed) {
      for (let b = 0; b < 16; b++, i++) client.send("XADD", "log", "*", "n", String(i));
      await client.settle().catch(() => {});
    }
  })();
  await waitFor(() => client.replies.length >= 2000, 30000, "2000 acknowledged XADDs");
  await kill9(srv);
  running = false;
  await loop;
  const acked = client.replies.filter((r): r is string => typeof r === "string");
  expect(acked.length).toBeGreaterThanOrEqual(2000);

  const again = await serverOn(dir);
  try {
    const entries = (await pipeline(again.port, [["XRANGE", "log", "-", "+"]]))[0] as [string, string[]][];
    const ids = entries.map((e) => e[0]);
    expect(ids.slice(0, acked.length)).toEqual(acked);
    entries.forEach((e, i) => expect(e[1]).toEqual(["n", String(i)]));
  } finally {
    await again.stop();
  }
}, 60000);
