// Replication tests' shared parts: a redis-server on a free port, a full key-by-key image of a
// server (every type, every database that holds keys), and a writer of random commands of every
// type, so primary and replica can be compared after a load.
import type { Subprocess } from "bun";
import { PipeClient, pipeline } from "../persistence/e2e-helpers.ts";
import { freePort, REDIS_SERVER } from "../support/redis-parity.ts";

export { REDIS_SERVER };

export interface RedisProcess {
  port: number;
  proc: Subprocess;
  stop(): Promise<void>;
}

/** Starts redis-server 7.0.15 with `args` and waits until it answers PING (bounded). */
export async function startRedis(args: string[] = []): Promise<RedisProcess> {
  const port = freePort();
  const proc = Bun.spawn([REDIS_SERVER!, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...args], {
    stdout: "ignore",
    stderr: "ignore",
  });
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      const c = await PipeClient.connect(port);
      await c.command("PING");
      c.close();
      break;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await Bun.sleep(20);
    }
  }
  return {
    port,
    proc,
    async stop() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

/** One command's reply on `port`. */
export async function ask(port: number, ...argv: string[]): Promise<unknown> {
  const c = await PipeClient.connect(port);
  try {
    return await c.command(...argv);
  } finally {
    c.close();
  }
}

/**
 * Runs `cmds` on one connection, then WAIT numreplicas timeout on the same one (WAIT waits for
 * the offset of that connection's own writes, as in Redis), and returns WAIT's reply.
 */
export async function writeAndWait(port: number, cmds: string[][], replicas = 1, timeoutMs = 10000): Promise<number> {
  const c = await PipeClient.connect(port);
  try {
    for (const argv of cmds) c.send(...argv);
    await c.settle(30000);
    return Number(await c.command("WAIT", String(replicas), String(timeoutMs)));
  } finally {
    c.close();
  }
}

/** A field of INFO replication. */
export async function replInfo(port: number, field: string): Promise<string | undefined> {
  const info = String(await ask(port, "INFO", "replication"));
  return new RegExp(`^${field}:(.*)\\r?$`, "m").exec(info)?.[1]?.trim();
}

/** Waits (bounded, with a clear message) until `cond` holds. */
export async function until(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await Bun.sleep(25);
  }
}

const sorted = (xs: unknown): string[] => (xs as unknown[]).map(String).sort();

/** Every key of databases 0..3 with its type, whole contents and whether it expires, sorted. */
export async function imageOf(port: number, dbs = 4): Promise<string[]> {
  const out: string[] = [];
  for (let db = 0; db < dbs; db++) {
    const c = await PipeClient.connect(port);
    const keys: string[] = [];
    try {
      await c.command("SELECT", String(db));
      let cursor = "0";
      do {
        const r = (await c.command("SCAN", cursor, "COUNT", "1000")) as [string, string[]];
        cursor = r[0];
        keys.push(...r[1]);
      } while (cursor !== "0");
    } finally {
      c.close();
    }
    const types = await pipeline(port, [["SELECT", String(db)], ...keys.map((k) => ["TYPE", k])]);
    const cmds: string[][] = [["SELECT", String(db)]];
    keys.forEach((k, i) => {
      const t = String(types[i + 1]);
      const read: Record<string, string[]> = {
        string: ["GET", k],
        hash: ["HGETALL", k],
        list: ["LRANGE", k, "0", "-1"],
        set: ["SMEMBERS", k],
        zset: ["ZRANGE", k, "0", "-1", "WITHSCORES"],
        stream: ["XRANGE", k, "-", "+"],
      };
      cmds.push(read[t] ?? ["TYPE", k], ["PTTL", k]);
    });
    const r = await pipeline(port, cmds);
    keys.forEach((k, i) => {
      const t = String(types[i + 1]);
      let v = r[1 + 2 * i];
      if (t === "hash") {
        const flat = v as string[];
        const pairs: string[] = [];
        for (let j = 0; j < flat.length; j += 2) pairs.push(`${flat[j]}=${flat[j + 1]}`);
        v = pairs.sort();
      } else if (t === "set") {
        v = sorted(v);
      }
      const ttl = Number(r[2 + 2 * i]);
      out.push(`${db}:${k} ${t} ${JSON.stringify(v)} ${ttl >= 0 ? "expires" : "persists"}`);
    });
  }
  return out.sort();
}

/** A seeded generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` random writes of every type over a small key space in databases 0 and 1. */
export function randomWrites(n: number, seed: number): string[][] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (m: number): string => String(Math.floor(r() * m));
  const out: string[][] = [];
  let streamId = 1;
  let db = 0;
  for (let i = 0; i < n; i++) {
    if (r() < 0.02) {
      db = db === 0 ? 1 : 0;
      out.push(["SELECT", String(db)]);
    }
    const k = (p: string): string => `${p}:${int(12)}`;
    const gen: (() => string[])[] = [
      () => ["SET", k("s"), `v${int(1000)}`],
      () => ["SET", k("s"), `v${int(1000)}`, "EX", "3600"],
      () => ["INCRBY", k("n"), int(100)],
      () => ["APPEND", k("s"), "x"],
      () => ["DEL", pick([k("s"), k("h"), k("l")])],
      () => ["EXPIRE", k("s"), "5000"],
      () => ["PERSIST", k("s")],
      () => ["HSET", k("h"), `f${int(20)}`, `v${int(100)}`, `f${int(20)}`, int(9)],
      () => ["HDEL", k("h"), `f${int(20)}`],
      () => ["HINCRBY", k("h"), `c${int(3)}`, int(10)],
      () => ["LPUSH", k("l"), `a${int(100)}`, `b${int(100)}`],
      () => ["RPUSH", k("l"), `c${int(100)}`],
      () => ["LPOP", k("l")],
      () => ["RPOP", k("l"), "2"],
      () => ["LSET", k("l"), "0", `z${int(10)}`],
      () => ["LTRIM", k("l"), "0", "5"],
      () => ["LINSERT", k("l"), "BEFORE", `a${int(100)}`, "ins"],
      () => ["SADD", k("S"), `m${int(30)}`, int(50)],
      () => ["SREM", k("S"), `m${int(30)}`],
      () => ["SPOP", k("S")],
      () => ["SINTERSTORE", k("S"), k("S"), k("S")],
      () => ["ZADD", k("z"), int(100), `m${int(30)}`, `${int(1000) }.5`, `m${int(30)}`],
      () => ["ZINCRBY", k("z"), "1.25", `m${int(30)}`],
      () => ["ZREM", k("z"), `m${int(30)}`],
      () => ["ZPOPMIN", k("z")],
      () => ["ZUNIONSTORE", k("z"), "2", k("z"), k("z")],
      () => ["XADD", "stream:1", `${streamId++}-0`, "f", int(100)],
      () => ["XTRIM", "stream:1", "MAXLEN", "50"],
      () => ["XDEL", "stream:1", `${Math.max(1, streamId - 3)}-0`],
      () => ["PFADD", k("hll"), `e${int(1000)}`],
      () => ["SETBIT", k("bits"), int(4000), "1"],
      () => ["MSET", k("s"), int(9), k("s"), int(9)],
      () => ["RENAME", k("s"), k("s")],
      () => ["COPY", k("h"), k("h"), "REPLACE"],
    ];
    out.push(pick(gen)());
  }
  return out;
}
