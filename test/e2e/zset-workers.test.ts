// Sorted sets over two workers: the multi-key commands (ZUNIONSTORE & co., ZRANGESTORE, ZMPOP,
// ZINTERCARD, ZUNION) with keys on both workers answer as one server would, and a STORE never
// shows a concurrent cross-worker write half done; on a Redis Cluster port keys of different
// slots get -CROSSSLOT.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { keyHashSlot } from "../../src/cluster/slots.ts";
import { clusterPortsOf } from "../cluster/helpers.ts";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";

const owner = (key: string): number => (keyHashSlot(new TextEncoder().encode(key)) < 8192 ? 0 : 1);
function namesOn(w: number, count: number, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) if (owner(`${prefix}${i}`) === w) out.push(`${prefix}${i}`);
  return out;
}

describe("sorted sets with two workers", () => {
  let srv: ServerProcess;
  let ports: number[] = [];
  beforeAll(async () => {
    srv = await spawnServer(["--workers", "2", "--cluster-ports", "yes"]);
    ports = clusterPortsOf(srv.stdout());
  });
  afterAll(async () => {
    expect(await srv?.stop()).toBe(0);
  });

  test("algebra, ZRANGESTORE, ZMPOP and ZINTERCARD across workers", async () => {
    const c = await RawClient.connect(srv.port);
    const [a, dst] = namesOn(0, 2, "za");
    const [b, dst2] = namesOn(1, 2, "zb");
    const [s] = namesOn(1, 1, "set");
    expect(await c.command("zadd", a!, "1", "x", "2", "y", "3", "z")).toBe(3);
    expect(await c.command("zadd", b!, "10", "y", "20", "z", "30", "w")).toBe(3);
    expect(await c.command("sadd", s!, "x", "w")).toBe(2);
    expect(await c.command("zunion", "3", a!, b!, s!, "withscores")).toEqual(["x", "2", "y", "12", "z", "23", "w", "31"]);
    expect(await c.command("zinter", "2", a!, b!, "aggregate", "max", "withscores")).toEqual(["y", "10", "z", "20"]);
    expect(await c.command("zdiff", "2", b!, a!)).toEqual(["w"]);
    expect(await c.command("zintercard", "2", a!, b!)).toBe(2);
    expect(await c.command("zunionstore", dst2!, "2", a!, b!, "weights", "1", "-1")).toBe(4);
    expect(await c.command("zrange", dst2!, "0", "-1", "withscores")).toEqual(["w", "-30", "z", "-17", "y", "-8", "x", "1"]);
    expect(await c.command("zinterstore", dst!, "2", b!, s!)).toBe(1);
    expect(await c.command("zrange", dst!, "0", "-1", "withscores")).toEqual(["w", "31"]);
    expect(await c.command("zdiffstore", dst!, "2", a!, b!)).toBe(1);
    expect(await c.command("zrange", dst!, "0", "-1")).toEqual(["x"]);
    expect(await c.command("zrangestore", dst2!, a!, "(1", "+inf", "byscore")).toBe(2);
    expect(await c.command("zrange", dst2!, "0", "-1")).toEqual(["y", "z"]);
    expect(await c.command("zmpop", "2", dst!, b!, "max", "count", "5")).toEqual([dst!, [["x", "1"]]]);
    expect(await c.command("exists", dst!)).toBe(0);
    expect(await c.command("zmpop", "2", dst!, b!, "max")).toEqual([b!, [["w", "30"]]]);
    expect(await c.command("zcard", b!)).toBe(2);
    expect(await c.command("zinterstore", dst!, "2", a!, "nosuch{x}")).toBe(0);
    expect(await c.command("exists", dst!)).toBe(0);
    c.close();
  });

  test("a cross-worker ZUNIONSTORE never sees a concurrent cross-worker write half done", async () => {
    const c = await RawClient.connect(srv.port);
    const w = await RawClient.connect(srv.port);
    const [a] = namesOn(0, 1, "ca");
    const [b] = namesOn(1, 1, "cb");
    const rounds = 40;
    for (let i = 0; i < rounds; i++) {
      // MULTI over both workers: both sources move together.
      w.sendCommand("multi");
      w.sendCommand("zadd", a!, String(i), "m");
      w.sendCommand("zadd", b!, String(i), "m");
      w.sendCommand("exec");
      c.sendCommand("zunionstore", `out{${i}}`, "2", a!, b!);
      c.sendCommand("zscore", `out{${i}}`, "m");
    }
    const writes = await w.read(rounds * 4);
    expect(writes.filter((r) => Array.isArray(r)).length).toBe(rounds);
    const replies = await c.read(rounds * 2);
    let seen = 0;
    for (let i = 0; i < rounds; i++) {
      const score = replies[2 * i + 1];
      if (replies[2 * i] === 0) continue; // before the first write
      seen++;
      expect(Number(score) % 2).toBe(0); // 2·i: both sources from the same transaction
    }
    expect(seen).toBeGreaterThan(0);
    c.close();
    w.close();
  });

  test("a cluster port answers -CROSSSLOT for keys of different slots", async () => {
    const c = await RawClient.connect(ports[0]!);
    const [k] = namesOn(0, 1, "ck");
    const [other] = namesOn(1, 1, "ck");
    expect(await c.command("zadd", k!, "1", "a")).toBe(1);
    expect(await c.command("zunionstore", `{${k}}d`, "1", k!)).toBe(1);
    expect(await c.command("zunionstore", `{${k}}d`, "2", k!, other!)).toEqual({ error: "CROSSSLOT Keys in request don't hash to the same slot" });
    expect(await c.command("zmpop", "2", k!, other!, "min")).toEqual({ error: "CROSSSLOT Keys in request don't hash to the same slot" });
    expect(await c.command("zrangestore", other!, k!, "0", "-1")).toEqual({ error: "CROSSSLOT Keys in request don't hash to the same slot" });
    c.close();
  });
});
