// Blocking list commands on two workers: the blocked client and the pushing client on different
// workers, keys owned by the other worker (placement forced with keysByWorker and one connection
// per worker), a BLPOP over keys of both workers, FIFO across workers, BLMOVE between workers
// waking a second waiter, timeouts, CLIENT UNBLOCK from the other worker, disconnects, and
// -CROSSSLOT / -MOVED on the cluster ports. A wake-up across workers lands one round trip after
// the push, so each test reads the woken client's reply before it looks at the data.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { alive, clusterPortsOf, infoField, keysByWorker, until } from "../cluster/helpers.ts";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";

/** Connections until `per` of them sit on each of the two workers. */
async function clientsOnWorkers(port: number, per: number): Promise<RawClient[][]> {
  const on: RawClient[][] = [[], []];
  for (let tries = 0; tries < 400 && (on[0]!.length < per || on[1]!.length < per); tries++) {
    const c = await RawClient.connect(port);
    const w = Number(infoField(String(await c.command("INFO", "cores")), "worker_index"));
    if (on[w]!.length < per) on[w]!.push(c);
    else c.close();
  }
  if (on[0]!.length < per || on[1]!.length < per) throw new Error("connections never reached both workers");
  return on;
}

/** Bounded wait until `c` is listed with flags=b by `by` (there is no event for it). */
async function blocked(by: RawClient, c: RawClient, id: string): Promise<void> {
  const end = Date.now() + 5000;
  for (;;) {
    const line = String(await by.command("CLIENT", "LIST")).split("\n").find((l) => l.startsWith(`id=${id} `));
    if (line !== undefined && / flags=b/.test(line)) return;
    if (c.closed || Date.now() > end) throw new Error(`client ${id} never blocked`);
    await Bun.sleep(5);
  }
}

describe("blocking over two workers", () => {
  let srv: ServerProcess;
  let on: RawClient[][];
  let ids: string[][];
  // keys[w] are owned by worker w.
  const keys = keysByWorker(2, 40, "bk");
  const k = (w: number, i: number): string => keys[w]![i]!;

  beforeAll(async () => {
    srv = await spawnServer(["--workers", "2", "--appendfsync", "no"]);
    on = await clientsOnWorkers(srv.port, 4);
    ids = await Promise.all(on.map((l) => Promise.all(l.map(async (c) => String(await c.command("CLIENT", "ID"))))));
  });
  afterAll(async () => {
    for (const l of on ?? []) for (const c of l) c.close();
    expect(await srv?.stop()).toBe(0);
  });

  const block = async (w: number, i: number, ...argv: string[]): Promise<RawClient> => {
    const c = on[w]![i]!;
    c.sendCommand(...argv);
    await blocked(on[1 - w]![3]!, c, ids[w]![i]!);
    return c;
  };

  test("a client on worker 0 blocked on a key of worker 1 is woken by a push from worker 1", async () => {
    const a = await block(0, 0, "BLPOP", k(1, 0), "0");
    expect(await on[1]![0]!.command("RPUSH", k(1, 0), "x")).toBe(1);
    expect(await a.read(1)).toEqual([[k(1, 0), "x"]]);
    expect(await on[1]![0]!.command("EXISTS", k(1, 0))).toBe(0);
  });

  test("a client on worker 0 blocked on its own worker's key is woken by a push sent to worker 1", async () => {
    const a = await block(0, 0, "BRPOP", k(0, 1), "0");
    expect(await on[1]![0]!.command("RPUSH", k(0, 1), "y", "z")).toBe(2);
    expect(await a.read(1)).toEqual([[k(0, 1), "z"]]);
    expect(await on[1]![0]!.command("LRANGE", k(0, 1), "0", "-1")).toEqual(["y"]);
  });

  test("a BLPOP over keys of both workers is served from whichever is pushed, once", async () => {
    const a = await block(0, 0, "BLPOP", k(1, 2), k(0, 2), "0");
    expect(await on[1]![1]!.command("RPUSH", k(0, 2), "from0")).toBe(1);
    expect(await a.read(1)).toEqual([[k(0, 2), "from0"]]);
    // Its watch on the other key was dropped: a later push stays in the list.
    expect(await on[1]![1]!.command("RPUSH", k(1, 2), "stays")).toBe(1);
    expect(await a.command("LRANGE", k(1, 2), "0", "-1")).toEqual(["stays"]);
    // Served at once when the first key already holds data (keys in argument order).
    expect(await a.command("BLPOP", k(0, 3), k(1, 2), "0")).toEqual([k(1, 2), "stays"]);
  });

  test("waiters on both workers are served in the order they blocked", async () => {
    const key = k(1, 4);
    const order = [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
      [0, 2],
    ] as const;
    const waiters: RawClient[] = [];
    for (const [w, i] of order) waiters.push(await block(w, i, "BLPOP", key, "0"));
    expect(await on[1]![3]!.command("RPUSH", key, "1", "2", "3", "4", "5")).toBe(5);
    const got = await Promise.all(waiters.map(async (c) => (await c.read(1))[0]));
    expect(got).toEqual(["1", "2", "3", "4", "5"].map((v) => [key, v]));
  });

  test("BLMOVE between workers pushes to its destination and wakes the destination's waiter", async () => {
    const src = k(1, 5);
    const dst = k(0, 5);
    const mover = await block(0, 0, "BLMOVE", src, dst, "LEFT", "RIGHT", "0");
    const next = await block(1, 0, "BLPOP", dst, "0");
    expect(await on[1]![1]!.command("RPUSH", src, "m")).toBe(1);
    expect(await mover.read(1)).toEqual(["m"]);
    expect(await next.read(1)).toEqual([[dst, "m"]]);
    expect(await on[1]![1]!.command("EXISTS", src, dst)).toBe(0);
  });

  test("BLMOVE from this worker's key to another worker's key moves it there (regression: it was pushed here)", async () => {
    const a = on[0]![0]!;
    const src = k(0, 13);
    const dst = k(1, 13);
    expect(await a.command("RPUSH", src, "e1", "e2")).toBe(2);
    expect(await a.command("BLMOVE", src, dst, "LEFT", "LEFT", "0")).toBe("e1");
    expect(await on[1]![0]!.command("LRANGE", dst, "0", "-1")).toEqual(["e1"]);
    expect(await a.command("SET", dst, "str")).toBe("OK");
    expect(await a.command("BRPOPLPUSH", src, dst, "0")).toEqual({ error: "WRONGTYPE Operation against a key holding the wrong kind of value" });
    expect(await a.command("LRANGE", src, "0", "-1")).toEqual(["e2"]);
    // Waiting on the local source, woken by a push: the element still lands on the other worker.
    expect(await a.command("DEL", dst, src)).toBe(2);
    const mover = await block(0, 0, "BLMOVE", src, dst, "RIGHT", "RIGHT", "0");
    expect(await on[1]![1]!.command("RPUSH", src, "e3")).toBe(1);
    expect(await mover.read(1)).toEqual(["e3"]);
    expect(await on[1]![1]!.command("LRANGE", dst, "0", "-1")).toEqual(["e3"]);
  });

  test("a decimal timeout ends the wait with a null array; RESP3 gets a null", async () => {
    const a = on[0]![0]!;
    expect(await a.command("BLPOP", k(1, 6), "0.05")).toBeNull();
    expect(await a.command("BRPOPLPUSH", k(1, 6), k(0, 6), "0.02")).toBeNull();
    const raw = a.bytes().length;
    a.sendCommand("BLMPOP", "0.02", "2", k(1, 6), k(0, 6), "LEFT");
    await a.read(1);
    expect(new TextDecoder().decode(a.bytes().subarray(raw))).toBe("*-1\r\n");
    const r3 = await RawClient.connect(srv.port);
    try {
      await r3.command("HELLO", "3");
      const at = r3.bytes().length;
      r3.sendCommand("BLPOP", k(1, 6), k(0, 6), "0.02");
      await r3.read(1);
      expect(new TextDecoder().decode(r3.bytes().subarray(at))).toBe("_\r\n");
    } finally {
      r3.close();
    }
    expect(await a.command("EXISTS", k(1, 6), k(0, 6))).toBe(0);
  });

  test("CLIENT UNBLOCK from the other worker, both modes, and flags=b / blocked_clients", async () => {
    const a = await block(0, 0, "BLPOP", k(1, 7), "0");
    const other = on[1]![0]!;
    expect(String(await other.command("INFO", "clients"))).toContain("blocked_clients:1");
    expect(await other.command("CLIENT", "UNBLOCK", ids[0]![0]!, "TIMEOUT")).toBe(1);
    expect(await a.read(1)).toEqual([null]);
    await block(0, 0, "BLMOVE", k(1, 7), k(1, 8), "LEFT", "LEFT", "0");
    expect(await other.command("CLIENT", "UNBLOCK", ids[0]![0]!, "ERROR")).toBe(1);
    expect(await a.read(1)).toEqual([{ error: "UNBLOCKED client unblocked via CLIENT UNBLOCK" }]);
    expect(await other.command("CLIENT", "UNBLOCK", ids[0]![0]!)).toBe(0);
    // The unblocked wait holds nothing: a push stays.
    expect(await other.command("RPUSH", k(1, 7), "v")).toBe(1);
    expect(await a.command("LPOP", k(1, 7))).toBe("v");
  });

  test("a client that disconnects while blocked on another worker's key takes nothing", async () => {
    const gone = await RawClient.connect(srv.port);
    const w = Number(infoField(String(await gone.command("INFO", "cores")), "worker_index"));
    const key = k(1 - w, 9);
    const id = String(await gone.command("CLIENT", "ID"));
    gone.sendCommand("BLPOP", key, "0");
    const watcher = on[1 - w]![3]!;
    await blocked(watcher, gone, id);
    gone.close();
    const end = Date.now() + 5000;
    while (String(await watcher.command("CLIENT", "LIST")).includes(`id=${id} `) && Date.now() < end) await Bun.sleep(5);
    const b = await block(w, 1, "BLPOP", key, "0");
    expect(await watcher.command("RPUSH", key, "1", "2")).toBe(2);
    expect(await b.read(1)).toEqual([[key, "1"]]);
    expect(await watcher.command("LRANGE", key, "0", "-1")).toEqual(["2"]);
  });

  test("a transaction over both workers wakes the waiters of both once it ran", async () => {
    const w0 = await block(0, 1, "BLPOP", k(0, 14), "0");
    const w1 = await block(1, 1, "BRPOP", k(1, 14), "0");
    const tx = on[0]![2]!;
    expect(await tx.command("MULTI")).toBe("OK");
    expect(await tx.command("RPUSH", k(0, 14), "a0", "b0")).toBe("QUEUED");
    expect(await tx.command("LPOP", k(0, 14))).toBe("QUEUED");
    expect(await tx.command("RPUSH", k(1, 14), "a1", "b1")).toBe("QUEUED");
    expect(await tx.command("EXEC")).toEqual([2, "a0", 2]);
    expect(await w0.read(1)).toEqual([[k(0, 14), "b0"]]);
    expect(await w1.read(1)).toEqual([[k(1, 14), "b1"]]);
    expect(await tx.command("LRANGE", k(1, 14), "0", "-1")).toEqual(["a1"]);
    expect(await tx.command("EXISTS", k(0, 14))).toBe(0);
  });

  test("waits that time out, are unblocked, served or disconnected leave no wait or watch behind", async () => {
    const conns = await Promise.all(Array.from({ length: 30 }, () => RawClient.connect(srv.port)));
    try {
      const key = (i: number): string => k(i % 2, 20 + Math.floor(i / 2));
      // A third time out, a third get a push, a third disconnect.
      conns.forEach((c, i) => c.sendCommand("BLPOP", key(i), k((i + 1) % 2, 18), i % 3 === 0 ? "0.05" : "0"));
      const admin = on[0]![3]!;
      const total = async (field: string): Promise<number> => {
        let n = 0;
        for (const w of [0, 1]) n += Number(infoField(String(await on[w]![3]!.command("INFO", "cores")), field));
        return n;
      };
      await until(async () => Number(infoField(String(await admin.command("INFO", "clients")), "blocked_clients")) === 20, 5000, "20 waiting");
      for (let i = 0; i < 30; i++) {
        if (i % 3 === 1) expect(await admin.command("RPUSH", key(i), `v${i}`)).toBe(1);
        if (i % 3 === 2) conns[i]!.close();
      }
      for (let i = 0; i < 30; i++) {
        if (i % 3 === 0) expect(await conns[i]!.read(1)).toEqual([null]);
        if (i % 3 === 1) expect(await conns[i]!.read(1)).toEqual([[key(i), `v${i}`]]);
      }
      await until(async () => (await total("blocking_remote_waits")) === 0 && (await total("blocking_watches")) === 0, 5000, "no waits or watches left");
      expect(Number(infoField(String(await admin.command("INFO", "clients")), "blocked_clients"))).toBe(0);
    } finally {
      for (const c of conns) c.close();
    }
  });

  test("inside MULTI nothing blocks, wherever the keys live", async () => {
    const a = on[0]![0]!;
    expect(await a.command("MULTI")).toBe("OK");
    for (const argv of [["BLPOP", k(1, 10), "0"], ["BLMOVE", k(1, 10), k(0, 10), "LEFT", "LEFT", "0"], ["BLMPOP", "0", "2", k(0, 10), k(1, 10), "RIGHT"]]) {
      expect(await a.command(...argv)).toBe("QUEUED");
    }
    expect(await a.command("EXEC")).toEqual([null, null, null]);
  });

  test("WRONGTYPE on another worker's key answers at once", async () => {
    const a = on[0]![0]!;
    expect(await a.command("SET", k(1, 11), "str")).toBe("OK");
    expect(await a.command("BLPOP", k(0, 11), k(1, 11), "0")).toEqual({ error: "WRONGTYPE Operation against a key holding the wrong kind of value" });
    expect(await a.command("RPUSH", k(1, 12), "e")).toBe(1);
    expect(await a.command("BLMOVE", k(1, 12), k(1, 11), "LEFT", "LEFT", "0")).toEqual({
      error: "WRONGTYPE Operation against a key holding the wrong kind of value",
    });
    expect(await a.command("LRANGE", k(1, 12), "0", "-1")).toEqual(["e"]);
  });
});

test("a wait on a key of a worker that is SIGKILLed and restarted goes on with the new worker", async () => {
  const srv = await spawnServer(["--workers", "2", "--appendfsync", "always"], { timeoutMs: 20000 });
  try {
    const on = await clientsOnWorkers(srv.port, 2);
    const victim = Number(infoField(String(await on[1]![0]!.command("INFO", "cores")), "worker_pid"));
    for (const c of on[1]!) c.close(); // the kill ends them anyway
    const [key, other] = keysByWorker(2, 1, "rk").reverse().map((l) => l[0]!) as [string, string];
    const waiter = on[0]![0]!;
    const id = String(await waiter.command("CLIENT", "ID"));
    waiter.sendCommand("BLPOP", key, "0");
    await blocked(on[0]![1]!, waiter, id);
    process.kill(victim, "SIGKILL");
    await until(() => !alive(victim), 5000, "the worker to die");
    await until(async () => Number(infoField(String(await on[0]![1]!.command("INFO", "cores")), "worker_restarts")) >= 1, 15000, "the restart");
    // Pushed through worker 0 once worker 1 serves again (retried while it starts).
    await until(async () => (await on[0]![1]!.command("RPUSH", key, "after")) === 1, 15000, "worker 1 back");
    expect(await waiter.read(1, 10000)).toEqual([[key, "after"]]);
    expect(await on[0]![1]!.command("EXISTS", key, other)).toBe(0);
    for (const c of on[0]!) c.close();
  } finally {
    expect(await srv.stop()).toBe(0);
  }
}, 60000);

describe("blocking on cluster ports", () => {
  let srv: ServerProcess;
  beforeAll(async () => {
    srv = await spawnServer(["--workers", "2", "--cluster-ports", "yes", "--appendfsync", "no"]);
  });
  afterAll(async () => {
    expect(await srv?.stop()).toBe(0);
  });

  test("keys of different slots answer -CROSSSLOT and another node's key -MOVED", async () => {
    const [p0] = clusterPortsOf(srv.stdout());
    const c = await RawClient.connect(p0!);
    try {
      expect(await c.command("BLPOP", "a", "b", "0")).toEqual({ error: "CROSSSLOT Keys in request don't hash to the same slot" });
      expect(await c.command("BLMPOP", "0", "2", "a", "b", "LEFT")).toEqual({ error: "CROSSSLOT Keys in request don't hash to the same slot" });
      const [mine, theirs] = keysByWorker(2, 1, "ck").map((l) => l[0]!) as [string, string];
      const moved = await c.command("BLPOP", theirs!, "0");
      expect(String((moved as { error: string }).error)).toMatch(/^MOVED \d+ 127\.0\.0\.1:\d+$/);
      expect(await c.command("RPUSH", mine!, "v")).toBe(1);
      expect(await c.command("BLPOP", mine!, "0")).toEqual([mine, "v"]);
      expect(await c.command("BLPOP", `{${mine}}x`, mine!, "0.01")).toBeNull();
    } finally {
      c.close();
    }
  });
});
