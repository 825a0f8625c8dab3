// The supervisor: restarts a SIGKILLed worker (its data back from its WAL) while the others keep
// serving, stops every worker on SIGTERM, fails when workers cannot start, and a restart with a
// different worker count loses nothing.
import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import Redis from "ioredis";
import { BUN, RawClient, REPO_ROOT, spawnServer, tempDataDir } from "../support/server-process.ts";
import { alive, infoField, keysByWorker, until } from "../cluster/helpers.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const newDir = (): string => {
  const d = tempDataDir();
  dirs.push(d);
  return d;
};

/** A client connected to worker `w` (opens connections until one lands there). */
async function clientOn(port: number, w: number): Promise<{ c: RawClient; pid: number }> {
  const spare: RawClient[] = [];
  try {
    for (let i = 0; i < 200; i++) {
      const c = await RawClient.connect(port);
      const info = String(await c.command("INFO", "cores"));
      if (Number(infoField(info, "worker_index")) === w) return { c, pid: Number(infoField(info, "worker_pid")) };
      spare.push(c);
    }
  } finally {
    for (const s of spare) s.close();
  }
  throw new Error(`no connection reached worker ${w}`);
}

test("a SIGKILLed worker is restarted with its data from the WAL while the other keeps serving", async () => {
  const dir = newDir();
  const srv = await spawnServer(["--workers", "2", "--dir", dir, "--appendfsync", "always"], { keepDir: true, timeoutMs: 20000 });
  try {
    const [mine, theirs] = keysByWorker(2, 200);
    const redis = new Redis({ port: srv.port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
    await redis.mset(...theirs!.flatMap((k) => [k, `before-${k}`]));
    const { c: on0 } = await clientOn(srv.port, 0);
    const { c: admin } = await clientOn(srv.port, 0);
    const { c: on1, pid: victim } = await clientOn(srv.port, 1);
    on1.close();

    // Load on worker 0 (its own keys) before, during and after the kill: every reply is right.
    let running = true;
    let served = 0;
    const load = (async () => {
      for (let i = 0; running; i++) {
        const k = mine![i % mine!.length]!;
        expect(await on0.command("SET", k, String(i))).toBe("OK");
        expect(await on0.command("GET", k)).toBe(String(i));
        served++;
      }
    })();
    await until(() => served > 50, 10000, "load before the kill");
    process.kill(victim, "SIGKILL");
    await until(() => !alive(victim), 5000, "the worker to die");
    const atKill = served;
    await until(
      async () => Number(infoField(String(await admin.command("INFO", "cores")), "worker_restarts")) >= 1,
      15000,
      "the restart to be counted",
    );
    // Worker 1 is back: its keys come from its WAL, through the shared port.
    await until(async () => (await redis.get(theirs![0]!).catch(() => null)) === `before-${theirs![0]}`, 15000, "worker 1 back");
    expect(await redis.mget(...theirs!)).toEqual(theirs!.map((k) => `before-${k}`));
    running = false;
    await load;
    expect(served).toBeGreaterThan(atKill);
    const { pid: replacement } = await clientOn(srv.port, 1);
    expect(replacement).not.toBe(victim);
    expect(srv.stdout()).toMatch(/worker 1 \(pid \d+\) exited \(SIGKILL\); restart 1/);
    on0.close();
    admin.close();
    redis.disconnect();
  } finally {
    expect(await srv.stop()).toBe(0);
  }
}, 60000);

test("SIGTERM stops every worker and the supervisor exits 0", async () => {
  const srv = await spawnServer(["--workers", "3"]);
  const pids: number[] = [];
  for (let w = 0; w < 3; w++) {
    const { c, pid } = await clientOn(srv.port, w);
    pids.push(pid);
    c.close();
  }
  expect(await srv.stop()).toBe(0);
  await until(() => pids.every((p) => !alive(p)), 5000, "all workers gone");
}, 30000);

test("workers that cannot start make the supervisor exit 1 with the reason", async () => {
  const dir = newDir();
  // A single-process server holds shard 0's lock in this directory.
  const holder = await spawnServer(["--workers", "1", "--dir", dir], { keepDir: true });
  try {
    const proc = Bun.spawn([BUN, "src/cli.ts", "--port", "0", "--workers", "2", "--dir", dir], { cwd: REPO_ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const killer = setTimeout(() => proc.kill("SIGKILL"), 20000);
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    clearTimeout(killer);
    expect(code).toBe(1);
    expect(stdout).not.toContain("Ready to accept connections");
    expect(stderr).toContain("is in use by another fast-cache process");
  } finally {
    await holder.stop();
  }
}, 30000);

test("a restart with another worker count keeps every key (3 → 2 → 4 workers)", async () => {
  const dir = newDir();
  const keys = Array.from({ length: 600 }, (_v, i) => `key:${i}`);
  const run = async (n: number, body: (r: Redis) => Promise<void>): Promise<void> => {
    const srv = await spawnServer(["--workers", String(n), "--dir", dir], { keepDir: true, timeoutMs: 20000 });
    const r = new Redis({ port: srv.port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
    try {
      await body(r);
    } finally {
      r.disconnect();
      expect(await srv.stop()).toBe(0);
    }
  };
  await run(3, async (r) => {
    await r.mset(...keys.flatMap((k) => [k, `v-${k}`]));
    await r.set("ttl-key", "t", "PX", 600000);
  });
  for (const n of [2, 4]) {
    await run(n, async (r) => {
      expect(await r.dbsize()).toBe(keys.length + 1);
      expect(await r.mget(...keys)).toEqual(keys.map((k) => `v-${k}`));
      expect(await r.pttl("ttl-key")).toBeGreaterThan(500000);
    });
  }
}, 90000);
