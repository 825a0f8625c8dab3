// SORT over two workers: BY/GET targets and STORE destinations on the other worker are read and
// written atomically (a concurrent cross-worker MSET is never seen half done), SORT ... STORE
// inside MULTI/EXEC, on a Redis Cluster port the refusals of Redis Cluster 7.0; and STORE's
// lists survive SIGKILL (journaled).
import { clusterPortsOf } from "../cluster/helpers.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { keyHashSlot } from "../../src/cluster/slots.ts";
import { rmSync } from "node:fs";
import { kill9, pipeline, serverOn } from "../persistence/e2e-helpers.ts";
import { RawClient, spawnServer, tempDataDir, type ServerProcess } from "../support/server-process.ts";

const owner = (key: string): number => (keyHashSlot(new TextEncoder().encode(key)) < 8192 ? 0 : 1);
/** The first `prefix`N names owned by worker `w`. */
function namesOn(w: number, count: number, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) if (owner(`${prefix}${i}`) === w) out.push(`${prefix}${i}`);
  return out;
}

describe("SORT with two workers", () => {
  let srv: ServerProcess;
  let ports: number[] = [];
  beforeAll(async () => {
    srv = await spawnServer(["--workers", "2", "--cluster-ports", "yes"]);
    ports = clusterPortsOf(srv.stdout());
  });
  afterAll(async () => {
    expect(await srv?.stop()).toBe(0);
  });

  test("BY and GET targets on both workers; the sort never sees a cross-worker MSET half done", async () => {
    const c = await RawClient.connect(srv.port);
    const w = await RawClient.connect(srv.port);
    // Elements whose weight keys (wt_<e>) live on both workers.
    const els = [...namesOn(0, 3, "e"), ...namesOn(1, 3, "e")].reverse();
    expect(new Set(els.map((e) => owner(`wt_${e}`)))).toEqual(new Set([0, 1]));
    // Missing weights would sort by the element bytes: an order neither assignment gives.
    const byBytes = JSON.stringify([...els].sort());
    expect(byBytes).not.toBe(JSON.stringify(els));
    expect(byBytes).not.toBe(JSON.stringify([...els].reverse()));
    expect(await c.command("rpush", "src", ...els)).toBe(els.length);
    const up = els.flatMap((e, i) => [`wt_${e}`, String(i)]);
    const down = els.flatMap((e, i) => [`wt_${e}`, String(els.length - i)]);
    expect(await c.command("mset", ...up)).toBe("OK");
    expect(await c.command("sort", "src", "by", "wt_*", "get", "#", "get", "wt_*")).toEqual(els.flatMap((e, i) => [e, String(i)]));
    const rounds = 60;
    for (let i = 0; i < rounds; i++) {
      w.sendCommand("mset", ...(i % 2 === 0 ? down : up));
      c.sendCommand("sort", "src", "by", "wt_*", "store", `dst{${i}}`);
      c.sendCommand("lrange", `dst{${i}}`, "0", "-1");
    }
    const writes = await w.read(rounds);
    expect(writes.every((r) => r === "OK")).toBe(true);
    const replies = await c.read(rounds * 2);
    const reversed = [...els].reverse();
    for (let i = 0; i < rounds; i++) {
      expect(replies[2 * i]).toBe(els.length);
      const got = replies[2 * i + 1] as string[];
      expect([JSON.stringify(els), JSON.stringify(reversed)]).toContain(JSON.stringify(got));
    }
    c.close();
    w.close();
  });

  test("STORE to the other worker, in and out of MULTI, replaces the destination there", async () => {
    const c = await RawClient.connect(srv.port);
    const [src] = namesOn(0, 1, "msrc");
    const [dst] = namesOn(1, 1, "mdst");
    expect(await c.command("rpush", src!, "3", "1", "2")).toBe(3);
    expect(await c.command("set", dst!, "old")).toBe("OK");
    expect(await c.command("sort", src!, "desc", "store", dst!)).toBe(3);
    expect(await c.command("lrange", dst!, "0", "-1")).toEqual(["3", "2", "1"]);
    expect(await c.command("multi")).toBe("OK");
    expect(await c.command("sort", src!, "store", dst!)).toBe("QUEUED");
    expect(await c.command("lrange", dst!, "0", "-1")).toBe("QUEUED");
    expect(await c.command("exec")).toEqual([3, ["1", "2", "3"]]);
    // BY/GET targets only on the other worker, inside a transaction whose named keys are all here.
    const [list] = namesOn(0, 1, "mlist");
    const [a, b2] = namesOn(1, 2, "mw");
    expect(await c.command("rpush", list!, a!, b2!)).toBe(2);
    expect(await c.command("mset", a!, "9", b2!, "1")).toBe("OK");
    expect(await c.command("multi")).toBe("OK");
    expect(await c.command("sort", list!, "by", "*", "get", "#", "get", "*")).toBe("QUEUED");
    expect(await c.command("exec")).toEqual([[b2!, "1", a!, "9"]]);
    expect(await c.command("sort", "nosuch{x}", "store", dst!)).toBe(0);
    expect(await c.command("exists", dst!)).toBe(0);
    c.close();
  });

  test("a cluster port refuses BY patterns and GET as Redis Cluster 7.0, after its key checks", async () => {
    const [k] = namesOn(0, 1, "ck");
    const [other] = namesOn(1, 1, "ck");
    const c = await RawClient.connect(ports[0]!);
    expect(await c.command("rpush", k!, "2", "1")).toBe(2);
    expect(await c.command("sort", k!)).toEqual(["1", "2"]);
    expect(await c.command("sort", k!, "by", "nosort")).toEqual(["2", "1"]);
    expect(await c.command("sort", k!, "by", "w_*")).toEqual({ error: "ERR BY option of SORT denied in Cluster mode." });
    expect(await c.command("sort_ro", k!, "get", "#")).toEqual({ error: "ERR GET option of SORT denied in Cluster mode." });
    expect(await c.command("sort", k!, "bogus", "get", "#")).toEqual({ error: "ERR syntax error" });
    expect(await c.command("sort", k!, "store", `{${k}}d`)).toBe(2);
    expect(await c.command("sort", k!, "store", other!)).toEqual({ error: "CROSSSLOT Keys in request don't hash to the same slot" });
    const moved = (await c.command("sort", other!, "by", "w_*")) as { error: string };
    expect(moved.error).toStartWith(`MOVED ${keyHashSlot(new TextEncoder().encode(other!))} `);
    c.close();
  });
});

describe("SORT ... STORE is journaled", () => {
  test("after SIGKILL and a restart the stored lists are back, the replaced and emptied ones too", async () => {
    const dir = tempDataDir();
    try {
      const srv = await serverOn(dir, ["--appendfsync", "always"]);
      const big = Array.from({ length: 200 }, (_, i) => String((i * 31) % 200));
      const replies = await pipeline(srv.port, [
        ["rpush", "src", ...big], ["set", "old", "x", "ex", "1000"], ["rpush", "gone", "a"],
        ["sort", "src", "limit", "0", "3", "store", "small"], ["sort", "src", "desc", "store", "large"],
        ["sort", "src", "alpha", "limit", "0", "2", "store", "old"], ["sort", "nosuch", "store", "gone"],
      ]);
      expect(replies.slice(3)).toEqual([3, 200, 2, 0]);
      await kill9(srv);
      const again = await serverOn(dir, ["--appendfsync", "always"]);
      const back = await pipeline(again.port, [
        ["lrange", "small", "0", "-1"], ["lrange", "large", "0", "-1"], ["lrange", "old", "0", "-1"], ["ttl", "old"], ["exists", "gone"],
      ]);
      const desc = [...big].sort((a, b) => Number(b) - Number(a));
      expect(back).toEqual([["0", "1", "2"], desc, ["0", "1"], -1, 0]);
      expect(await again.stop()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
