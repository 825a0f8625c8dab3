// The 16 databases against the real server process (two workers, the default here): SELECT, MOVE,
// SWAPDB, COPY ... DB, FLUSHDB/FLUSHALL and DBSIZE per database, compared reply for reply with
// redis-server 7.0.15 (RESP2 and RESP3); INFO keyspace per database; ioredis's `db` option; and
// every database back after a SIGKILL, from the WAL alone and from a snapshot plus the WAL.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { parityDiffs, REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";
import { RawClient, spawnServer, tempDataDir } from "../support/server-process.ts";
import { rmSync } from "node:fs";

const SCRIPT: string[][] = [
  ["#flush"], ["set", "a", "0"], ["select", "3"], ["set", "a", "3"], ["rpush", "{l}", "x", "y"], ["hset", "h", "f", "v"], ["dbsize"],
  ["select", "0"], ["dbsize"], ["get", "a"], ["lrange", "{l}", "0", "-1"],
  ["select", "3"], ["move", "a", "4"], ["move", "a", "4"], ["move", "{l}", "3"], ["move", "nosuch", "4"], ["move", "{l}", "16"],
  ["move", "{l}", "-1"], ["move", "{l}", "x"], ["move", "a"], ["set", "taken", "3"], ["select", "5"], ["set", "taken", "5"], ["select", "3"],
  ["move", "taken", "5"], ["get", "taken"],
  ["select", "4"], ["get", "a"], ["swapdb", "4", "0"], ["get", "a"], ["select", "0"], ["get", "a"], ["swapdb", "0", "16"], ["swapdb", "x", "0"],
  ["swapdb", "0", "y"], ["swapdb", "0", "-1"], ["swapdb", "0", "0"], ["get", "a"], ["swapdb", "0"],
  ["select", "3"], ["copy", "{l}", "{l}2", "db", "7"], ["copy", "{l}", "{l}2", "db", "7"], ["copy", "{l}", "{l}", "db", "7"], ["copy", "{l}", "{l}", "db", "3"],
  ["copy", "{l}", "{l}2", "db", "16"], ["select", "7"], ["lrange", "{l}2", "0", "-1"], ["lrange", "{l}", "0", "-1"], ["rpush", "{l}", "z"],
  ["select", "3"], ["copy", "{l}", "{l}", "db", "7", "replace"], ["select", "7"], ["lrange", "{l}", "0", "-1"], ["type", "{l}2"],
  ["flushdb"], ["dbsize"], ["select", "3"], ["dbsize"], ["hget", "h", "f"], ["flushall"], ["dbsize"], ["select", "0"], ["dbsize"],
  ["select", "16"], ["select", "-1"], ["select", "x"], ["select", "1", "2"],
];

let pair: ParityPair | undefined;
beforeAll(async () => {
  if (REDIS_SERVER) pair = await startParityPair();
  else console.log("notice: redis-server not installed; skipping the databases parity test");
});
afterAll(async () => {
  await pair?.stop();
});

describe.skipIf(!REDIS_SERVER)("replies match redis-server 7.0.15 for SELECT, MOVE, SWAPDB, COPY DB, FLUSHDB", () => {
  test.each([2, 3] as const)("over RESP%d", async (resp) => {
    expect(await parityDiffs(pair!, SCRIPT, resp)).toEqual([]);
  });
});

/** What every database holds, as `db:key=value` lines (strings, lists and hashes). */
async function dump(c: RawClient): Promise<string[]> {
  const out: string[] = [];
  for (let db = 0; db < 16; db++) {
    await c.command("select", String(db));
    const keys = ((await c.command("keys", "*")) as string[]).sort();
    for (const k of keys) {
      const type = await c.command("type", k);
      const v = type === "string" ? await c.command("get", k) : type === "list" ? await c.command("lrange", k, "0", "-1") : await c.command("hgetall", k);
      out.push(`${db}:${k}=${JSON.stringify(v)}`);
    }
  }
  await c.command("select", "0");
  return out;
}

describe("databases on the real server", () => {
  test("INFO keyspace and DBSIZE count each database over both workers; CLIENT LIST shows db=", async () => {
    await using srv = await spawnServer(["--appendonly", "no"]);
    const c = await RawClient.connect(srv.port);
    for (let i = 0; i < 40; i++) await c.command("set", `k${i}`, "v");
    await c.command("select", "2");
    for (let i = 0; i < 25; i++) await c.command("set", `k${i}`, "v", "px", "100000");
    expect(await c.command("dbsize")).toBe(25);
    const info = String(await c.command("info", "keyspace"));
    expect(info).toContain("db0:keys=40,expires=0");
    expect(info).toContain("db2:keys=25,expires=25");
    expect(String(await c.command("client", "info"))).toContain(" db=2 ");
    expect(await c.command("flushdb")).toBe("OK");
    expect(await c.command("dbsize")).toBe(0);
    await c.command("select", "0");
    expect(await c.command("dbsize")).toBe(40);
    c.close();
  });

  test("ioredis's db option keeps its keys apart from database 0", async () => {
    await using srv = await spawnServer(["--appendonly", "no"]);
    const zero = new Redis({ port: srv.port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
    const two = new Redis({ port: srv.port, host: "127.0.0.1", db: 2, lazyConnect: true, maxRetriesPerRequest: 1 });
    await zero.connect();
    await two.connect();
    try {
      await two.hset("user:1", { name: "ada", n: "1" });
      await two.set("only-in-2", "yes");
      expect(await two.hgetall("user:1")).toEqual({ name: "ada", n: "1" });
      expect(await zero.exists("user:1", "only-in-2")).toBe(0);
      expect(await zero.move("missing", 2)).toBe(0);
      await zero.set("mover", "m");
      expect(await zero.move("mover", 2)).toBe(1);
      expect(await two.get("mover")).toBe("m");
      expect(await zero.swapdb(0, 2)).toBe("OK");
      expect(await zero.get("only-in-2")).toBe("yes");
      expect(await two.exists("only-in-2")).toBe(0);
    } finally {
      zero.disconnect();
      two.disconnect();
    }
  });

  test("every database comes back after SIGKILL, from the WAL and from a snapshot plus the WAL", async () => {
    const dir = tempDataDir();
    try {
      const args = ["--appendonly", "yes", "--appendfsync", "always", "--dir", dir];
      let srv = await spawnServer(args);
      let c = await RawClient.connect(srv.port);
      await c.command("set", "s", "zero");
      await c.command("select", "1");
      await c.command("set", "s", "one");
      await c.command("rpush", "list", "a", "b", "c");
      await c.command("select", "5");
      await c.command("hset", "h", "f", "v", "g", "w");
      await c.command("set", "gone", "x");
      await c.command("move", "gone", "6");
      await c.command("swapdb", "1", "9");
      await c.command("select", "9");
      await c.command("lpop", "list");
      const before = await dump(c);
      expect(before).toContain('9:list=["b","c"]');
      expect(before).toContain('6:gone="x"');
      c.close();
      srv.proc.kill("SIGKILL");
      await srv.proc.exited;

      srv = await spawnServer(args);
      c = await RawClient.connect(srv.port);
      expect(await dump(c)).toEqual(before);
      expect(await c.command("save")).toBe("OK");
      await c.command("select", "5");
      await c.command("hset", "h", "after", "snapshot");
      await c.command("swapdb", "5", "15");
      await c.command("select", "0");
      await c.command("flushdb");
      const later = await dump(c);
      expect(later).toContain('15:h=["f","v","g","w","after","snapshot"]');
      expect(later.some((l) => l.startsWith("0:"))).toBe(false);
      c.close();
      srv.proc.kill("SIGKILL");
      await srv.proc.exited;

      srv = await spawnServer(args);
      c = await RawClient.connect(srv.port);
      expect(await dump(c)).toEqual(later);
      c.close();
      await srv.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test("SELECT inside MULTI over keys of both workers writes each key in its database, and stays selected", async () => {
    await using srv = await spawnServer(["--appendonly", "no"]);
    const c = await RawClient.connect(srv.port);
    const queue = [["multi"], ["set", "spread0", "zero"], ["select", "2"]];
    for (let i = 0; i < 10; i++) queue.push(["set", `spread${i}`, `two${i}`]); // ten keys: both workers
    queue.push(["select", "99"], ["incr", "spread1"], ["select", "3"], ["rpush", "spread2", "three"]);
    for (const cmd of queue) await c.command(...cmd);
    const replies = (await c.command("exec")) as unknown[];
    expect(replies.slice(0, 2)).toEqual(["OK", "OK"]);
    expect(replies[12]).toEqual({ error: "ERR DB index is out of range" });
    expect(replies[13]).toEqual({ error: "ERR value is not an integer or out of range" });
    expect(replies.slice(14)).toEqual(["OK", 1]);
    expect(await c.command("lrange", "spread2", "0", "-1")).toEqual(["three"]); // database 3 stays selected
    expect(await c.command("dbsize")).toBe(1);
    await c.command("select", "0");
    expect(await c.command("get", "spread0")).toBe("zero");
    expect(await c.command("dbsize")).toBe(1);
    await c.command("select", "2");
    expect(await c.command("mget", ...Array.from({ length: 10 }, (_, i) => `spread${i}`))).toEqual(Array.from({ length: 10 }, (_, i) => `two${i}`));
    c.close();
  });

  test("with cluster ports only database 0 exists, as in Redis Cluster", async () => {
    await using srv = await spawnServer(["--appendonly", "no", "--cluster-ports", "yes"]);
    const c = await RawClient.connect(srv.port);
    expect(await c.command("select", "0")).toBe("OK");
    expect(await c.command("select", "1")).toEqual({ error: "ERR SELECT is not allowed in cluster mode" });
    expect(await c.command("swapdb", "0", "1")).toEqual({ error: "ERR SWAPDB is not allowed in cluster mode" });
    expect(await c.command("move", "k", "1")).toEqual({ error: "ERR MOVE is not allowed in cluster mode" });
    c.close();
  });
});
