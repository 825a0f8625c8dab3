// --cluster-ports: every worker also serves Redis Cluster clients on its own port. CLUSTER
// SLOTS/SHARDS/NODES/INFO/MYID/KEYSLOT/COUNTKEYSINSLOT describe the workers, a key sent to the
// wrong worker gets -MOVED like Redis Cluster, and ioredis's Cluster client talks to each owner
// directly (no MOVED after it loaded the topology, nothing forwarded).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Redis, { Cluster } from "ioredis";
import { keyHashSlot } from "../../src/cluster/slots.ts";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";
import { infoField, keysByWorker, clusterPortsOf } from "../cluster/helpers.ts";

const b = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("2 workers with cluster ports", () => {
  let srv: ServerProcess;
  let ports: number[] = [];

  beforeAll(async () => {
    srv = await spawnServer(["--workers", "2", "--cluster-ports", "yes"]);
    ports = clusterPortsOf(srv.stdout());
  });

  afterAll(async () => {
    expect(await srv?.stop()).toBe(0);
  });

  /** Sum of a counter over both workers (asked on their own ports). */
  async function total(field: string): Promise<number> {
    let n = 0;
    for (const p of ports) {
      const c = await RawClient.connect(p);
      n += Number(infoField(String(await c.command("INFO", "cores")), field));
      c.close();
    }
    return n;
  }

  test("each cluster port is one worker, and CLUSTER describes both", async () => {
    for (const [w, p] of ports.entries()) {
      const c = await RawClient.connect(p);
      expect(infoField(String(await c.command("INFO", "cores")), "worker_index")).toBe(String(w));
      const slots = (await c.command("CLUSTER", "SLOTS")) as unknown[][];
      expect(slots.map((s) => [s[0], s[1], (s[2] as unknown[])[1]])).toEqual([
        [0, 8191, ports[0]],
        [8192, 16383, ports[1]],
      ]);
      const nodes = String(await c.command("CLUSTER", "NODES")).trim().split("\n");
      expect(nodes.length).toBe(2);
      expect(nodes[w]).toContain("myself,master");
      expect(nodes[w]!.startsWith(String(await c.command("CLUSTER", "MYID")))).toBe(true);
      expect(String(await c.command("CLUSTER", "INFO"))).toContain("cluster_state:ok\r\ncluster_slots_assigned:16384");
      expect(await c.command("CLUSTER", "KEYSLOT", "{user1000}.following")).toBe(keyHashSlot(b("user1000")));
      const shards = (await c.command("CLUSTER", "SHARDS")) as unknown[];
      expect(shards.length).toBe(2);
      c.close();
    }
  });

  test("a key sent to the wrong worker's port gets -MOVED slot host:port; CROSSSLOT across slots", async () => {
    const [k0, k1] = keysByWorker(2, 1).map((l) => l[0]!);
    const c = await RawClient.connect(ports[0]!);
    expect(await c.command("SET", k0!, "here")).toBe("OK");
    expect(await c.command("GET", k1!)).toEqual({ error: `MOVED ${keyHashSlot(b(k1!))} 127.0.0.1:${ports[1]}` });
    expect(await c.command("MGET", k0!, k1!)).toEqual({ error: "CROSSSLOT Keys in request don't hash to the same slot" });
    expect(await c.command("MSET", "{t}a", "1", "{t}b", "2")).toEqual(
      keyHashSlot(b("t")) <= 8191 ? "OK" : { error: `MOVED ${keyHashSlot(b("t"))} 127.0.0.1:${ports[1]}` },
    );
    expect(await c.command("CLUSTER", "COUNTKEYSINSLOT", String(keyHashSlot(b(k0!))))).toBe(1);
    expect(await c.command("CLUSTER", "COUNTKEYSINSLOT", "16384")).toEqual({ error: "ERR Invalid slot" });
    // Inside MULTI the check happens at queue time and the transaction aborts, as in Redis Cluster.
    expect(await c.command("MULTI")).toBe("OK");
    expect(await c.command("SET", k0!, "in-tx")).toBe("QUEUED");
    expect(await c.command("SET", k1!, "x")).toEqual({ error: `MOVED ${keyHashSlot(b(k1!))} 127.0.0.1:${ports[1]}` });
    expect(await c.command("EXEC")).toEqual({ error: "EXECABORT Transaction discarded because of previous errors." });
    expect(await c.command("GET", k0!)).toBe("here");
    c.close();
    // The shared port still serves every key, forwarding as needed.
    const shared = await RawClient.connect(srv.port);
    expect(await shared.command("GET", k0!)).toBe("here");
    shared.close();
  });

  test("ioredis Cluster reads and writes through the owners with no MOVED after the first topology load", async () => {
    const cluster = new Cluster([{ host: "127.0.0.1", port: ports[0]! }], { lazyConnect: true, redisOptions: { maxRetriesPerRequest: 1 } });
    await cluster.connect();
    await cluster.get("warm-up");
    const movedBefore = await total("moved_replies");
    const forwardedBefore = await total("forwarded_commands");
    const keys = Array.from({ length: 300 }, (_v, i) => `ck:${i}`);
    for (const k of keys) expect(await cluster.set(k, `v-${k}`)).toBe("OK");
    const got = await Promise.all(keys.map((k) => cluster.get(k)));
    expect(got).toEqual(keys.map((k) => `v-${k}`));
    const pipe = cluster.pipeline();
    for (const k of keys) pipe.incr(`{counters}:${k}`); // a cluster pipeline stays in one slot
    const res = await pipe.exec();
    expect(res!.every(([err, v]) => err === null && v === 1)).toBe(true);
    expect(await total("moved_replies")).toBe(movedBefore);
    expect(await total("forwarded_commands")).toBe(forwardedBefore);
    // Each worker holds exactly its own keys.
    const direct = new Redis({ port: srv.port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
    expect(await direct.mget(...keys)).toEqual(keys.map((k) => `v-${k}`));
    direct.disconnect();
    await cluster.quit();
  });
});

test("without cluster ports CLUSTER says cluster support is disabled", async () => {
  const srv = await spawnServer(["--workers", "2"]);
  try {
    const c = await RawClient.connect(srv.port);
    expect(await c.command("CLUSTER", "SLOTS")).toEqual({ error: "ERR This instance has cluster support disabled" });
    c.close();
  } finally {
    await srv.stop();
  }
});

/** A base port with `n` free ports from it (checked by binding them). */
function freeRun(n: number): number {
  for (let tries = 0; tries < 100; tries++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    const held: { stop(force?: boolean): void }[] = [];
    try {
      for (let i = 0; i < n; i++) held.push(Bun.listen({ hostname: "127.0.0.1", port: base + i, socket: { data() {} } }));
      return base;
    } catch {
      // taken: try another run
    } finally {
      for (const l of held) l.stop(true);
    }
  }
  throw new Error("no free port run");
}

test("two machines share the slot space through a static map; ioredis Cluster spans both", async () => {
  const pa = freeRun(3);
  let pb = freeRun(2);
  while (Math.abs(pb - pa) < 3) pb = freeRun(2);
  const ma = await spawnServer([
    "--port", String(pa), "--workers", "2", "--cluster-ports", "yes",
    "--cluster-slots", "0-8191", "--cluster-peers", `8192-16383@127.0.0.1:${pb + 1}`,
  ]);
  const mb = await spawnServer([
    "--port", String(pb), "--workers", "1", "--cluster-ports", "yes",
    "--cluster-slots", "8192-16383", "--cluster-peers", `0-4095@127.0.0.1:${pa + 1},4096-8191@127.0.0.1:${pa + 2}`,
  ]);
  try {
    const c = await RawClient.connect(pa);
    const slots = (await c.command("CLUSTER", "SLOTS")) as unknown[][];
    expect(slots.map((s) => [s[0], s[1], (s[2] as unknown[])[1]])).toEqual([
      [0, 4095, pa + 1],
      [4096, 8191, pa + 2],
      [8192, 16383, pb + 1],
    ]);
    // Even the shared port sends another machine's keys there.
    const far = "foo"; // slot 12182
    expect(await c.command("SET", far, "1")).toEqual({ error: `MOVED 12182 127.0.0.1:${pb + 1}` });
    c.close();
    const cluster = new Cluster([{ host: "127.0.0.1", port: pa + 1 }], { lazyConnect: true, redisOptions: { maxRetriesPerRequest: 1 } });
    await cluster.connect();
    const keys = Array.from({ length: 200 }, (_v, i) => `mk:${i}`);
    for (const k of keys) expect(await cluster.set(k, k)).toBe("OK");
    expect(await Promise.all(keys.map((k) => cluster.get(k)))).toEqual(keys);
    // Each machine holds the keys of its own slots.
    const onB = new Redis({ port: pb, host: "127.0.0.1", maxRetriesPerRequest: 1 });
    const onA = new Redis({ port: pa, host: "127.0.0.1", maxRetriesPerRequest: 1 });
    const inB = keys.filter((k) => keyHashSlot(b(k)) >= 8192);
    expect(await onB.dbsize()).toBe(inB.length);
    expect(await onA.dbsize()).toBe(keys.length - inB.length);
    onA.disconnect();
    onB.disconnect();
    await cluster.quit();
  } finally {
    await ma.stop();
    await mb.stop();
  }
}, 30000);
