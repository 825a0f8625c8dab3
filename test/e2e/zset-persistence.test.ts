// Sorted sets survive SIGKILL and restarts: every kind of change (ZADD flags, ZINCRBY, ZREM, pops,
// range removals, STORE commands, expiry) on listpack and skiplist zsets, journaled as exact
// Deltas, with a snapshot taken in the middle; the state after recovery equals the state before,
// scores, order and encodings included, and a second restart changes nothing.
import { expect, test } from "bun:test";
import { readdirSync, rmSync } from "node:fs";
import { kill9, pipeline, serverOn, waitFor } from "../persistence/e2e-helpers.ts";
import { RawClient, tempDataDir } from "../support/server-process.ts";

const KEYS = ["small", "big", "pop", "u", "r", "ttl", "gone", "lex"];

async function state(port: number): Promise<unknown[]> {
  const cmds: string[][] = [];
  for (const k of KEYS) cmds.push(["zrange", k, "0", "-1", "withscores"], ["object", "encoding", k], ["pexpiretime", k], ["zscan", k, "0", "count", "1000"]);
  const r = await pipeline(port, cmds);
  // ZSCAN of a skiplist walks the member table: compare its pairs as a set.
  return r.map((v, i) => (i % 4 === 3 && Array.isArray(v) ? [v[0], pairsSorted(v[1] as string[])] : v));
}

function pairsSorted(flat: string[]): string[] {
  const pairs: string[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`);
  return pairs.sort();
}

test("zsets after SIGKILL and restart equal the state before (WAL and a snapshot)", async () => {
  const dir = tempDataDir();
  try {
    const srv = await serverOn(dir, ["--appendfsync", "always", "--snapshot-every-seconds", "0"]);
    const big = ["zadd", "big"];
    for (let i = 0; i < 400; i++) big.push(String((i * 37) % 101) + (i % 3 === 0 ? ".25" : ""), `member:${i}`);
    await pipeline(srv.port, [
      ["zadd", "small", "1", "a", "2.5", "b", "-inf", "c", "1.1", "d"], big,
      ["zadd", "pop", "1", "p1", "2", "p2", "3", "p3", "4", "p4"], ["zadd", "ttl", "1", "t"], ["pexpireat", "ttl", String(Date.now() + 3_600_000)],
      ["zadd", "gone", "1", "g"], ["zadd", "lex", "0", "a", "0", "b", "0", "c", "0", "d"],
    ]);
    const c = await RawClient.connect(srv.port);
    expect(await c.command("bgsave")).toBe("Background saving started");
    await waitFor(() => readdirSync(dir).some((n) => n.endsWith(".fcs")), 15000, "the snapshot file");
    c.close();
    const replies = await pipeline(srv.port, [
      ["zadd", "small", "gt", "ch", "0", "a", "9", "b"], ["zincrby", "small", "0.1", "d"], ["zadd", "small", "incr", "-1", "a"], ["zrem", "small", "c"],
      ["zincrby", "big", "1000", "member:5"], ["zadd", "big", "xx", "-0.5", "member:7"], ["zrem", "big", "member:8", "member:9"],
      ["zremrangebyscore", "big", "(90", "95"], ["zremrangebyrank", "big", "0", "9"], ["zpopmax", "big", "3"],
      ["zpopmin", "pop"], ["zmpop", "1", "pop", "max", "count", "2"],
      ["zunionstore", "u", "2", "small", "pop", "weights", "2", "3"], ["zrangestore", "r", "big", "10", "20", "byscore", "limit", "0", "30"],
      ["zincrby", "ttl", "5", "t"], ["zpopmin", "gone"], ["zremrangebylex", "lex", "[b", "[c"],
    ]);
    expect(replies[0]).toBe(1);
    expect(replies[12]).toBe(4);
    const before = await state(srv.port);
    expect((before[4] as string[]).length).toBeGreaterThan(600);
    expect(before[5]).toBe("skiplist");
    await kill9(srv);

    const again = await serverOn(dir, ["--appendfsync", "always"]);
    expect(await state(again.port)).toEqual(before);
    expect(await again.stop()).toBe(0);
    const third = await serverOn(dir);
    try {
      expect(await state(third.port)).toEqual(before);
    } finally {
      await third.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 90000);
