// Issue 19: one server per port, and no connection dropped while workers start or restart.
//  - A second fast-cache on a port already served refused nothing: SO_REUSEPORT split the clients
//    between two datasets. Now it exits 1 naming the port and the first instance's pid, and the
//    first keeps every client; the lock is gone with the process, even after SIGKILL.
//  - While workers loaded their data, 19 of 64 fresh connections got EOF/RST (the supervisor's
//    placeholder listener ended what it accepted). Now every one gets -LOADING or the answer.
import { afterAll, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { BUN, RawClient, REPO_ROOT, runToExit, spawnServer, tempDataDir } from "../support/server-process.ts";
import type { RespValue } from "../support/resp-decode.ts";
import { alive, infoField, until } from "../cluster/helpers.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const newDir = (): string => {
  const d = tempDataDir();
  dirs.push(d);
  return d;
};

/** The pids of a process's children (a supervisor's workers). */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
  return text === "" ? [] : text.split(/\s+/).map(Number);
}

/** Opens `n` connections at once; each sends GET and gives its first reply, or how it failed. */
async function firstReplies(port: number, n: number): Promise<(RespValue | string)[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      let c: RawClient;
      try {
        c = await RawClient.connect(port);
      } catch (e) {
        return `connect failed: ${(e as Error).message}`;
      }
      try {
        return await c.command("GET", "probe");
      } catch (e) {
        return `no reply: ${(e as Error).message}`;
      } finally {
        c.close();
      }
    }),
  );
}

const isLoading = (r: RespValue | string): boolean =>
  typeof r === "object" && r !== null && "error" in r && r.error === "LOADING Redis is loading the dataset in memory";

test.each([
  [2, 2],
  [2, 1],
  [1, 2],
  [1, 1],
])("a second instance on the port of one with %i worker(s) refuses with %i worker(s), and the first keeps every client", async (first, second) => {
  await using srv = await spawnServer(["--workers", String(first)], { timeoutMs: 20000 });
  const setter = await RawClient.connect(srv.port);
  expect(await setter.command("SET", "who", "first")).toBe("OK");
  setter.close();

  const other = newDir();
  const r = await runToExit([BUN, "src/cli.ts", "--port", String(srv.port), "--workers", String(second), "--dir", other, "--snapshot-every-seconds", "0"], 20000);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr).toBe(
    `fast-cache-server: port ${srv.port} is already served by another fast-cache instance (pid ${srv.proc.pid}); stop it or choose another --port\n`,
  );

  // Every fresh connection reaches the first instance's data.
  const seen = await Promise.all(
    Array.from({ length: 40 }, async () => {
      const c = await RawClient.connect(srv.port);
      try {
        return await c.command("GET", "who");
      } finally {
        c.close();
      }
    }),
  );
  expect(seen).toEqual(new Array(40).fill("first"));
}, 60000);

test("the port is free again after the whole server is SIGKILLed (no stale lock)", async () => {
  const dir = newDir();
  const srv = await spawnServer(["--workers", "2", "--dir", dir], { keepDir: true, timeoutMs: 20000 });
  const port = srv.port;
  const group = [srv.proc.pid, ...childrenOf(srv.proc.pid)];
  expect(group.length).toBe(3);
  for (const pid of group) process.kill(pid, "SIGKILL");
  await srv.proc.exited;
  await until(() => group.every((p) => !alive(p)), 10000, "every process of the group gone");
  await using again = await spawnServer(["--workers", "2", "--port", String(port), "--dir", newDir()], { timeoutMs: 20000 });
  expect(again.port).toBe(port);
  const c = await RawClient.connect(port);
  expect(await c.command("PING")).toBe("PONG");
  c.close();
}, 60000);

test("64 connections opened while workers load a large WAL each get -LOADING or the answer, at start and at a worker restart", async () => {
  const dir = newDir();
  {
    await using srv = await spawnServer(["--workers", "2", "--dir", dir], { keepDir: true, timeoutMs: 20000 });
    const bench = await runToExit(
      ["redis-benchmark", "-h", "127.0.0.1", "-p", String(srv.port), "-t", "set", "-n", "300000", "-r", "100000000", "-P", "100", "-d", "100", "-q"],
      60000,
    );
    expect(bench.code).toBe(0);
  }
  const proc = Bun.spawn([BUN, "src/cli.ts", "--port", "0", "--workers", "2", "--dir", dir, "--snapshot-every-seconds", "0"], {
    cwd: REPO_ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe",
  });
  const killer = setTimeout(() => proc.kill("SIGKILL"), 50000);
  let err = "";
  let out = "";
  const waiters: { when: (text: string) => boolean; resolve: () => void }[] = [];
  const check = (): void => {
    for (const w of waiters.splice(0)) {
      if (w.when(err + out)) w.resolve();
      else waiters.push(w);
    }
  };
  const pump = async (s: ReadableStream<Uint8Array>, add: (t: string) => void): Promise<void> => {
    const dec = new TextDecoder();
    for await (const chunk of s) {
      add(dec.decode(chunk, { stream: true }));
      check();
    }
  };
  void pump(proc.stderr, (t) => (err += t));
  void pump(proc.stdout, (t) => (out += t));
  /** Resolves once the output holds `re` at least `times` times. */
  const seen = async (re: RegExp, times = 1): Promise<string> => {
    const g = new RegExp(re.source, "g");
    const count = (text: string): number => (text.match(g) ?? []).length;
    const { promise, resolve } = Promise.withResolvers<void>();
    waiters.push({ when: (text) => count(text) >= times, resolve });
    check();
    await promise;
    return (err + out).match(g)![times - 1]!;
  };
  const LISTENING = /worker \d listening on \S+:(\d+) \(-LOADING\)/;
  try {
    // As soon as a worker listens (it loads its WAL next), 64 clients at once.
    const port = Number(LISTENING.exec(await seen(LISTENING))![1]);
    const atStart = await firstReplies(port, 64);
    expect(atStart.filter((r) => !isLoading(r) && r !== null)).toEqual([]);
    expect(atStart.some(isLoading)).toBe(true);
    await seen(/Ready to accept connections/);

    // A worker restart: the replacement loads its shard while the other worker serves.
    const c = await RawClient.connect(port);
    const victim = Number(infoField(String(await c.command("INFO", "cores")), "worker_pid"));
    c.close();
    const before = ((err + out).match(new RegExp(LISTENING.source, "g")) ?? []).length;
    process.kill(victim, "SIGKILL");
    await seen(LISTENING, before + 1);
    const atRestart = await firstReplies(port, 64);
    expect(atRestart.filter((r) => !isLoading(r) && r !== null)).toEqual([]);
  } finally {
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    clearTimeout(killer);
  }
  expect(out).toMatch(/Data loaded: \d{5,} keys \(0 from no snapshot, \d+ WAL frames replayed\)/);
}, 90000);
