// Several worker processes behind one port: connections spread over workers, replies keep
// pipeline order across workers, multi-key commands split and merge exactly, MSET is atomic,
// whole-keyspace commands see every worker.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";
import { alive, infoField, keysByWorker, until } from "../cluster/helpers.ts";

/** Opens connections until one lands on every worker; returns one client per worker index. */
async function clientPerWorker(port: number, n: number): Promise<{ clients: RawClient[]; extra: RawClient[]; pids: number[] }> {
  const clients: (RawClient | undefined)[] = new Array(n).fill(undefined);
  const pids: number[] = new Array<number>(n).fill(0);
  const extra: RawClient[] = [];
  for (let tries = 0; tries < 200 && clients.some((c) => c === undefined); tries++) {
    const c = await RawClient.connect(port);
    const info = String(await c.command("INFO", "cores"));
    const w = Number(infoField(info, "worker_index"));
    if (clients[w] === undefined) {
      clients[w] = c;
      pids[w] = Number(infoField(info, "worker_pid"));
    } else {
      extra.push(c);
    }
  }
  if (clients.some((c) => c === undefined)) throw new Error("connections never reached every worker");
  return { clients: clients as RawClient[], extra, pids };
}

for (const n of [2, 3]) {
  describe(`${n} workers on one port`, () => {
    let srv: ServerProcess;
    let redis: Redis;
    let pids: number[] = [];
    const keys = keysByWorker(n, 50);

    beforeAll(async () => {
      srv = await spawnServer(["--workers", String(n), "--appendfsync", "no"]);
      redis = new Redis({ port: srv.port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
    });

    afterAll(async () => {
      redis?.disconnect();
      expect(await srv?.stop()).toBe(0);
      // Every worker is gone with the supervisor: none is left holding the port.
      for (const pid of pids) expect(alive(pid)).toBe(false);
    });

    test("connections land on every worker and client ids are unique across them", async () => {
      const { clients, extra, pids: p } = await clientPerWorker(srv.port, n);
      pids = p;
      expect(new Set(p).size).toBe(n);
      const ids = await Promise.all([...clients, ...extra].map((c) => c.command("CLIENT", "ID")));
      expect(new Set(ids).size).toBe(ids.length);
      const list = String(await clients[0]!.command("CLIENT", "LIST"));
      for (const id of ids) expect(list).toContain(`id=${String(id)} `);
      for (const c of [...clients, ...extra]) c.close();
    });

    test("a pipeline that alternates between workers gets its replies in order", async () => {
      await redis.flushall();
      const c = await RawClient.connect(srv.port);
      const want: unknown[] = [];
      let out = "";
      const cmd = (...a: string[]): void => {
        out += `*${a.length}\r\n${a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join("")}`;
      };
      for (let i = 0; i < 2000; i++) {
        const k = keys[i % n]![i % 50]!;
        cmd("SET", k, `v${i}`);
        want.push("OK");
        cmd("GET", k);
        want.push(`v${i}`);
        cmd("INCR", `ctr{${keys[(i + 1) % n]![0]}}`);
        want.push(Math.floor(i / n) + 1 + (((i + 1) % n) < (i % n) + 0 ? 0 : 0));
      }
      c.send(out);
      const got = await c.read(want.length, 20000);
      for (let i = 0; i < 2000; i++) {
        expect(got[3 * i]).toBe("OK");
        expect(got[3 * i + 1]).toBe(`v${i}`);
      }
      // Each counter went up by one per use, in order.
      const counters = new Map<string, number>();
      for (let i = 0; i < 2000; i++) {
        const name = keys[(i + 1) % n]![0]!;
        const v = (counters.get(name) ?? 0) + 1;
        counters.set(name, v);
        expect(got[3 * i + 2]).toBe(v);
      }
      c.close();
    });

    test("MSET, MGET, DEL, EXISTS, TOUCH, UNLINK over several workers give Redis's replies", async () => {
      await redis.flushall();
      const ks = keys.map((l) => l[0]!);
      const args = ks.flatMap((k, i) => [k, `x${i}`]);
      expect(await redis.mset(...args)).toBe("OK");
      expect(await redis.mget(...ks, "missing", ks[0]!)).toEqual([...ks.map((_k, i) => `x${i}`), null, "x0"]);
      expect(await redis.exists(...ks, ks[0]!, "missing")).toBe(n + 1);
      expect(await redis.touch(...ks)).toBe(n);
      expect(await redis.del(ks[0]!, ks[1]!, ks[0]!, "missing")).toBe(2);
      expect(await redis.unlink(...ks)).toBe(n - 2);
      expect(await redis.dbsize()).toBe(0);
      await expect(redis.call("mset", ks[0]!, "1", ks[1]!)).rejects.toThrow("ERR wrong number of arguments for 'mset' command");
    });

    test("RENAME, RENAMENX, COPY and MSETNX across workers keep values and expiries", async () => {
      await redis.flushall();
      const [a, b] = [keys[0]![1]!, keys[1]![1]!];
      await redis.set(a, "va", "PX", 100000);
      expect(await redis.rename(a, b)).toBe("OK");
      expect(await redis.get(a)).toBeNull();
      expect(await redis.get(b)).toBe("va");
      expect(await redis.pttl(b)).toBeGreaterThan(90000);
      await expect(redis.rename(a, b)).rejects.toThrow("ERR no such key");
      await redis.set(a, "other");
      expect(await redis.renamenx(a, b)).toBe(0);
      expect(await redis.copy(b, a)).toBe(0);
      expect(await redis.copy(b, a, "REPLACE")).toBe(1);
      expect(await redis.get(a)).toBe("va");
      await expect(redis.call("copy", b, a, "bogus")).rejects.toThrow("ERR syntax error");
      expect(await redis.msetnx(a, "1", keys[1]![2]!, "2")).toBe(0);
      expect(await redis.msetnx(keys[0]![3]!, "1", keys[1]![3]!, "2")).toBe(1);
      expect(await redis.mget(keys[0]![3]!, keys[1]![3]!)).toEqual(["1", "2"]);
      await redis.mset(a, "ohmytext", b, "mynewtext");
      expect(await redis.call("lcs", a, b)).toBe("mytext");
    });

    test("MSET over several workers is atomic for a concurrent reader", async () => {
      await redis.flushall();
      const ks = keys.map((l) => l[4]!);
      const reader = new Redis({ port: srv.port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
      let torn = 0;
      let reads = 0;
      let writing = true;
      const readLoop = (async () => {
        while (writing) {
          const vals = await reader.mget(...ks);
          reads++;
          if (vals[0] !== null && vals.some((v) => v !== vals[0])) torn++;
        }
      })();
      for (let i = 0; i < 300; i++) await redis.mset(...ks.flatMap((k) => [k, String(i)]));
      writing = false;
      await readLoop;
      reader.disconnect();
      expect(reads).toBeGreaterThan(0);
      expect(torn).toBe(0);
    });

    test("many clients on every worker running cross-worker MSET and MGET never deadlock nor tear", async () => {
      await redis.flushall();
      const ks = keys.map((l) => l[5]!);
      const clients = Array.from({ length: 12 }, () => new Redis({ port: srv.port, host: "127.0.0.1", maxRetriesPerRequest: 1 }));
      let torn = 0;
      await Promise.all(
        clients.map(async (c, ci) => {
          for (let i = 0; i < 60; i++) {
            if ((i + ci) % 2 === 0) {
              await c.mset(...ks.flatMap((k) => [k, `${ci}-${i}`]));
            } else {
              const vals = await c.mget(...ks);
              if (vals[0] !== null && vals.some((v) => v !== vals[0])) torn++;
            }
          }
        }),
      );
      for (const c of clients) c.disconnect();
      expect(torn).toBe(0);
      const final = await redis.mget(...ks);
      expect(new Set(final).size).toBe(1);
    }, 30000);

    test("MULTI/EXEC over several workers replies like Redis and is atomic for a concurrent reader", async () => {
      await redis.flushall();
      const ks = keys.map((l) => l[6]!);
      const tx = redis.multi();
      for (const k of ks) tx.set(k, "0");
      tx.incr(ks[0]!).get(ks[0]!).get("missing");
      const want: [null, unknown][] = [...ks.map((): [null, unknown] => [null, "OK"]), [null, 1], [null, "1"], [null, null]];
      expect(await tx.exec()).toEqual(want as never);
      const reader = new Redis({ port: srv.port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
      let torn = 0;
      let reads = 0;
      let writing = true;
      const readLoop = (async () => {
        while (writing) {
          const t = reader.multi();
          for (const k of ks) t.get(k);
          const vals = (await t.exec())!.map(([, v]) => v);
          reads++;
          if (vals.some((v) => v !== vals[0])) torn++;
        }
      })();
      for (let i = 1; i <= 200; i++) {
        const t = redis.multi();
        for (const k of ks) t.set(k, String(i));
        await t.exec();
      }
      writing = false;
      await readLoop;
      reader.disconnect();
      expect(reads).toBeGreaterThan(0);
      expect(torn).toBe(0);
      expect(await redis.mget(...ks)).toEqual(ks.map(() => "200"));
    });

    test("PUBLISH on one worker reaches subscribers on every worker", async () => {
      const { clients, extra } = await clientPerWorker(srv.port, n);
      for (const c of extra) c.close();
      for (const c of clients) expect(await c.command("SUBSCRIBE", "news")).toEqual(["subscribe", "news", 1]);
      expect(await redis.publish("news", "hello")).toBe(n);
      for (const c of clients) expect(await c.read(1)).toEqual([["message", "news", "hello"]]);
      for (const c of clients) c.close();
      await until(async () => (await redis.publish("news", "gone")) === 0, 5000, "subscribers to be forgotten");
    });

    test("DBSIZE, KEYS, SCAN, RANDOMKEY, INFO keyspace and FLUSHALL cover every worker", async () => {
      await redis.flushall();
      const all = keys.flatMap((l) => l.slice(0, 20));
      await redis.mset(...all.flatMap((k) => [k, "1"]));
      expect(await redis.dbsize()).toBe(all.length);
      expect((await redis.keys("*")).sort()).toEqual([...all].sort());
      const seen: string[] = [];
      let cursor = "0";
      do {
        const [next, batch] = await redis.scan(cursor, "COUNT", 7);
        seen.push(...batch);
        cursor = next;
      } while (cursor !== "0");
      expect(seen.sort()).toEqual([...all].sort());
      expect(all).toContain((await redis.randomkey())!);
      expect(infoField(await redis.info("keyspace"), "db0")).toBe(`keys=${all.length},expires=0,avg_ttl=0`);
      expect(await redis.flushall()).toBe("OK");
      expect(await redis.dbsize()).toBe(0);
      expect(await redis.randomkey()).toBeNull();
    });
  });
}
