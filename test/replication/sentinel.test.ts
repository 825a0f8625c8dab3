// Failover with Redis Sentinel (redis-server --sentinel, 7.0.15) over fast-cache nodes: a primary
// and two replicas; the primary is SIGKILLed ten times, Sentinel promotes a replica each time,
// the killed node comes back as a replica, and an ioredis client configured with the sentinel
// keeps writing. Every write acknowledged under WAIT 1 is on the final primary.
import { describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kill9 } from "../persistence/e2e-helpers.ts";
import { freePort } from "../support/redis-parity.ts";
import { spawnServer, type ServerProcess } from "../support/server-process.ts";
import { ask, REDIS_SERVER, replInfo, until } from "./helpers.ts";

const KILLS = 10;

async function node(port: number, primary?: number): Promise<ServerProcess> {
  const args = ["--port", String(port), "--workers", "1", "--appendonly", "no"];
  if (primary !== undefined) args.push("--replicaof", `127.0.0.1 ${primary}`);
  return spawnServer(args);
}

describe.skipIf(REDIS_SERVER === null)("Redis Sentinel over fast-cache", () => {
  test(`${KILLS} primary kills: a replica is promoted each time and no write acknowledged under WAIT 1 is lost`, async () => {
    const ports = [freePort(), freePort(), freePort()];
    const nodes = new Map<number, ServerProcess>();
    nodes.set(ports[0]!, await node(ports[0]!));
    nodes.set(ports[1]!, await node(ports[1]!, ports[0]));
    nodes.set(ports[2]!, await node(ports[2]!, ports[0]));
    const sport = freePort();
    const dir = mkdtempSync(join(tmpdir(), "fc-sentinel-"));
    const conf = join(dir, "sentinel.conf");
    writeFileSync(conf, [
      `port ${sport}`, "bind 127.0.0.1", `dir ${dir}`,
      `sentinel monitor mymaster 127.0.0.1 ${ports[0]} 1`,
      "sentinel down-after-milliseconds mymaster 2500",
      "sentinel failover-timeout mymaster 4000",
      "sentinel parallel-syncs mymaster 2", "",
    ].join("\n"));
    const logFile = join(dir, "sentinel.log");
    const sentinel = Bun.spawn([REDIS_SERVER!, conf, "--sentinel", "--logfile", logFile], { stdout: "ignore", stderr: "ignore" });
    const masterOf = async (): Promise<number> => {
      const r = (await ask(sport, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster").catch(() => null)) as string[] | null;
      return r === null ? 0 : Number(r[1]);
    };
    /** SENTINEL MASTER / REPLICAS replies as field maps. */
    const fields = (flat: unknown): Map<string, string> => {
      const a = flat as string[];
      const m = new Map<string, string>();
      for (let i = 0; i + 1 < a.length; i += 2) m.set(a[i]!, a[i + 1]!);
      return m;
    };
    const failoverEnded = async (port: number): Promise<boolean> => {
      const m = fields(await ask(sport, "SENTINEL", "MASTER", "mymaster").catch(() => []));
      return m.get("flags") === "master" && Number(m.get("port")) === port;
    };
    const healthyReplicas = async (): Promise<number> => {
      const rs = ((await ask(sport, "SENTINEL", "REPLICAS", "mymaster").catch(() => [])) as unknown[]).map(fields);
      return rs.filter((r) => r.get("flags") === "slave" && r.get("master-link-status") === "ok").length;
    };
    const client = new Redis({ sentinels: [{ host: "127.0.0.1", port: sport }], name: "mymaster", maxRetriesPerRequest: 1, retryStrategy: () => 100, sentinelRetryStrategy: () => 100 });
    client.on("error", () => {});
    const acked: number[] = [];
    let writing = true;
    let n = 0;
    const writer = (async () => {
      while (writing) {
        const i = n++;
        try {
          await client.set(`w:${i}`, String(i));
          const replicas = (await client.wait(1, 1000)) as number;
          if (replicas >= 1) acked.push(i);
        } catch {
          await Bun.sleep(50); // failing over: the client finds the new primary through the sentinel
        }
      }
    })();
    try {
      await until(async () => (await replInfo(ports[0]!, "connected_slaves")) === "2", 15000, "both replicas to connect");
      await until(async () => (await healthyReplicas()) === 2, 30000, "Sentinel to see both replicas");
      await until(async () => acked.length > 20, 15000, "the first acknowledged writes");
      for (let k = 0; k < KILLS; k++) {
        const old = await masterOf();
        const before = acked.length;
        await kill9(nodes.get(old)!);
        await until(async () => {
          const m = await masterOf();
          return m !== 0 && m !== old;
        }, 30000, `a promotion after kill ${k + 1}`);
        const now = await masterOf();
        await until(() => failoverEnded(now), 30000, `the end of failover ${k + 1}`);
        // The killed node comes back as a replica of the new primary (Sentinel would convert it too).
        nodes.set(old, await node(old, now));
        await until(async () => (await replInfo(now, "connected_slaves")) === "2", 20000, `both replicas of the new primary after kill ${k + 1}`);
        // Sentinel refreshes what it knows of replicas every 10 s: the next kill waits for it.
        await until(async () => (await healthyReplicas()) === 2, 30000, `Sentinel to see two healthy replicas after kill ${k + 1}`);
        await until(async () => acked.length > before + 5, 20000, `writes acknowledged after kill ${k + 1}`);
      }
    } catch (e) {
      console.log("SENTINEL MASTER", JSON.stringify(await ask(sport, "SENTINEL", "MASTER", "mymaster").catch((x) => String(x))));
      console.log("SENTINEL REPLICAS", JSON.stringify(await ask(sport, "SENTINEL", "REPLICAS", "mymaster").catch((x) => String(x))));
      for (const [p, s] of nodes) console.log(`node ${p}:`, s.stdout().slice(-600), s.stderr().slice(-600));
      console.log(`sentinel log (tail):\n${readFileSync(logFile, "utf8").split("\n").slice(-70).join("\n")}`);
      writing = false;
      await writer;
      client.disconnect();
      sentinel.kill("SIGKILL");
      for (const s of nodes.values()) await s.stop().catch(() => 0);
      throw e;
    } finally {
      writing = false;
      await writer;
    }
    const missing: number[] = [];
    try {
      const primary = await masterOf();
      const c = new Redis({ port: primary, host: "127.0.0.1" });
      const values = await c.mget(...acked.map((i) => `w:${i}`));
      values.forEach((v, j) => {
        if (v !== String(acked[j])) missing.push(acked[j]!);
      });
      c.disconnect();
    } finally {
      client.disconnect();
      sentinel.kill("SIGKILL");
      for (const s of nodes.values()) await s.stop().catch(() => 0);
    }
    expect(acked.length).toBeGreaterThan(KILLS * 5);
    expect(missing).toEqual([]);
  }, 300_000);
});
