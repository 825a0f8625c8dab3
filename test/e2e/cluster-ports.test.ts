// --cluster-ports: every worker also serves Redis Cluster clients on its own port. CLUSTER
// SLOTS/SHARDS/NODES/INFO/MYID/KEYSLOT/COUNTKEYSINSLOT describe the workers, a key sent to the
// wrong worker gets -MOVED like Redis Cluster, and ioredis's Cluster client talks to each owner
// directly (no MOVED after it loaded the topology, nothing forwarded).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Redis, { Cluster } from "ioredis";
import { keyHashSlot } from "../../src/cluster/slots.ts";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";
import { infoField, keysByWorker } from "../cluster/helpers.ts";

const b = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("2 workers with cluster ports", () => {
  let srv: ServerProcess;
  let ports: number[] = [];

  beforeAll(async () => {
    srv = await spawnServer(["--workers", "2", "--cluster-ports", "yes"]);
    const m = /cluster ports (\d+),(\d+)/.exec(srv.stderr());
    expect(m).not.toBeNull();
    ports = [Number(m![1]), Number(m![2])];
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
