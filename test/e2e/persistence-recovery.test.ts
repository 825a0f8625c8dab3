// Restarts on real files: damaged WAL tails and flipped bytes (a correct prefix or a clear
// refusal, never garbage), snapshot + WAL + more writes, restart twice, TTLs that passed while
// down, two servers on one directory, -LOADING while a large WAL loads.
import { afterAll, expect, test } from "bun:test";
import * as fs from "node:fs";
import { join } from "node:path";
import { encodeFrame } from "../../src/persistence/wal-format.ts";
import { RawClient, REPO_ROOT, tempDataDir } from "../support/server-process.ts";
import { dumpServer, kill9, pipeline, serverOn, singleProcessFlags, startExpectingExit, waitFor } from "../persistence/e2e-helpers.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const newDir = (): string => {
  const d = tempDataDir();
  dirs.push(d);
  return d;
};
const copyOf = (from: string): string => {
  const d = newDir();
  for (const n of fs.readdirSync(from)) if (!n.endsWith(".lock")) fs.copyFileSync(join(from, n), join(d, n));
  return d;
};
const walFiles = (dir: string): string[] => fs.readdirSync(dir).filter((n) => n.startsWith("wal-") && n.endsWith(".log")).sort();

/** A tiny deterministic PRNG (mulberry32) so a failure can be replayed from the printed seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The state after the first n commands of the history used below (SET k:0, SET last 0, SET k:1,
 * SET last 1, ...): k:j = v<j>-x.. for j < ceil(n/2), last = floor(n/2) - 1.
 */
function prefixState(n: number): string[] {
  const pairs = Math.floor(n / 2);
  const want = pairs > 0 ? [`last=${pairs - 1}@-1`] : [];
  for (let j = 0; j < Math.ceil(n / 2); j++) want.push(`k:${j}=v${j}-${"x".repeat(j % 50)}@-1`);
  return want.sort();
}

/** The n for which `state` should be prefixState(n): 2 * (last + 1), plus one when k:<last+1> exists. */
function countPrefix(state: string[]): number {
  const last = state.find((e) => e.startsWith("last="));
  const pairs = last === undefined ? 0 : Number(/^last=(\d+)@/.exec(last)![1]) + 1;
  return 2 * pairs + (state.some((e) => e.startsWith(`k:${pairs}=`)) ? 1 : 0);
}

test("a truncated or byte-flipped last segment recovers a correct prefix or refuses with the file and offset", async () => {
  const seed = Math.floor(Math.random() * 2 ** 31);
  const rand = rng(seed);
  const dir = newDir();
  const srv = await serverOn(dir, ["--appendfsync", "no"]);
  const cmds: string[][] = [];
  for (let j = 0; j < 1500; j++) cmds.push(["SET", `k:${j}`, `v${j}-${"x".repeat(j % 50)}`], ["SET", "last", String(j)]);
  await pipeline(srv.port, cmds);
  expect(await srv.stop()).toBe(0);
  const [wal] = walFiles(dir);
  const size = fs.statSync(join(dir, wal!)).size;

  const cases: string[] = [];
  for (let i = 0; i < 6; i++) cases.push(`truncate:${Math.floor(rand() * size)}`);
  for (let i = 0; i < 6; i++) cases.push(`flip:${Math.floor(rand() * size)}`);
  cases.push(`flip:${size - 3}`, "truncate:0", `truncate:${size - 1}`);
  for (const c of cases) {
    const [kind, at] = c.split(":") as [string, string];
    const d = copyOf(dir);
    const path = join(d, wal!);
    const off = Number(at);
    if (kind === "truncate") fs.truncateSync(path, off);
    else {
      const b = fs.readFileSync(path);
      b[off] = b[off]! ^ (1 + Math.floor(rand() * 255));
      fs.writeFileSync(path, b);
    }
    const label = `seed ${seed}, ${c}`;
    const r = await startExpectingExitOrServe(d);
    if (r.refused !== undefined) {
      // Refusal: a clear one-line error naming the file and the offset, exit code 1, no stack trace.
      expect({ label, code: r.refused.code }).toEqual({ label, code: 1 });
      expect(r.refused.stderr).toContain(`WAL corrupt: ${path} at offset `);
      expect(r.refused.stderr).toContain("--wal-repair truncate");
      expect(r.refused.stderr).not.toContain("    at ");
      // ...and --wal-repair truncate starts with a prefix.
      const repaired = await serverOn(d, ["--wal-repair", "truncate"]);
      try {
        const state = await dumpServer(repaired.port);
        expect({ label, state }).toEqual({ label, state: prefixState(countPrefix(state)) });
      } finally {
        await repaired.stop();
      }
    } else {
      expect({ label, state: r.state! }).toEqual({ label, state: prefixState(countPrefix(r.state!)) });
      expect(countPrefix(r.state!)).toBeLessThanOrEqual(3000);
    }
  }
}, 120000);


/** Starts a server on `dir`: its state when it starts, or how it refused. */
async function startExpectingExitOrServe(dir: string): Promise<{ state?: string[]; refused?: { code: number | null; stderr: string } }> {
  try {
    const srv = await serverOn(dir);
    try {
      return { state: await dumpServer(srv.port) };
    } finally {
      await srv.stop();
    }
  } catch {
    const r = await startExpectingExit(dir);
    expect(r.port).toBeUndefined();
    return { refused: { code: r.code, stderr: r.stderr } };
  }
}

test("snapshot + WAL + more writes + restart equals the state before; a second restart changes nothing; TTLs that passed while down are gone", async () => {
  const dir = newDir();
  const srv = await serverOn(dir, ["--snapshot-every-seconds", "0"]);
  const soon = Date.now() + 1500;
  const cmds: string[][] = [];
  for (let i = 0; i < 2000; i++) cmds.push(["SET", `a:${i}`, `first-${i}`, ...(i % 4 === 0 ? ["PXAT", String(Date.now() + 3_600_000 + i)] : [])]);
  for (let i = 0; i < 50; i++) cmds.push(["SET", `short:${i}`, "x", "PXAT", String(soon)]);
  await pipeline(srv.port, cmds);
  const c = await RawClient.connect(srv.port);
  expect(await c.command("BGSAVE")).toBe("Background saving started");
  await waitFor(() => fs.readdirSync(dir).some((n) => n.endsWith(".fcs")), 15000, "the snapshot file");
  const more: string[][] = [];
  for (let i = 0; i < 2000; i += 3) more.push(["SET", `a:${i}`, `second-${i}`]);
  for (let i = 1; i < 2000; i += 7) more.push(["DEL", `a:${i}`]);
  for (let i = 2; i < 2000; i += 11) more.push(["PEXPIREAT", `a:${i}`, String(Date.now() + 7_200_000)]);
  for (let i = 0; i < 2000; i += 8) more.push(["PERSIST", `a:${i}`]);
  more.push(["INCRBY", "counter", "41"], ["INCR", "counter"], ["APPEND", "a:5", "-appended"]);
  await pipeline(srv.port, more);
  c.close();
  const before = await dumpServer(srv.port);
  expect(before.length).toBeGreaterThan(1000);
  await kill9(srv);
  await waitFor(() => Date.now() > soon + 50, 5000, "the short TTLs to pass");

  const again = await serverOn(dir);
  const after = await dumpServer(again.port);
  expect(after).toEqual(before.filter((e) => !e.startsWith("short:")));
  expect(await again.stop()).toBe(0);

  const third = await serverOn(dir);
  try {
    expect(await dumpServer(third.port)).toEqual(after);
  } finally {
    await third.stop();
  }
}, 60000);

test("a second server on the same directory refuses to start with a clear error", async () => {
  const dir = newDir();
  const first = await serverOn(dir);
  try {
    const r = await startExpectingExit(dir);
    expect(r.code).toBe(1);
    expect(r.port).toBeUndefined();
    expect(r.stderr).toContain(`data directory ${dir} is in use by another fast-cache process`);
    expect(r.stderr).toContain("two servers cannot share a directory");
    using c = await RawClient.connect(first.port);
    expect(await c.command("SET", "still", "works")).toBe("OK");
  } finally {
    await first.stop();
  }
}, 30000);

test("while a large WAL loads the server answers -LOADING, then serves the data", async () => {
  const dir = newDir();
  // 400k frames written straight to a segment file (faster than sending them).
  const n = 400_000;
  const buf = new Uint8Array(n * 64);
  let off = 0;
  const enc = new TextEncoder();
  for (let i = 0; i < n; i++) {
    off = encodeFrame(buf, off, { op: 1, cause: 0, type: 0, key: enc.encode(`key:${i}`), value: enc.encode(`value-${i}`), expireAt: 0 }, i + 1, 0);
  }
  fs.writeFileSync(join(dir, "wal-s00000-00000000000000000001.log"), buf.subarray(0, off));
  const proc = Bun.spawn([process.execPath, "src/cli.ts", "--port", "0", "--dir", dir, ...singleProcessFlags()], {
    cwd: REPO_ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe",
  });
  try {
    let err = "";
    const reader = (async () => {
      for await (const chunk of proc.stdout) err += new TextDecoder().decode(chunk);
    })();
    await waitFor(() => /listening on \S+:(\d+) \(-LOADING\)/.test(err), 15000, "the listening line");
    const port = Number(/listening on \S+:(\d+)/.exec(err)![1]);
    using c = await RawClient.connect(port);
    expect(await c.command("GET", "key:1")).toEqual({ error: "LOADING Redis is loading the dataset in memory" });
    let info = "";
    const loaded = (): boolean => /(^|\n)loading:0\r/.test(info);
    for (let i = 0; i < 600 && !loaded(); i++) {
      const r = await c.command("INFO", "persistence");
      info = typeof r === "string" ? r : (r as { verbatim: string }).verbatim;
      if (!loaded()) await Bun.sleep(50);
    }
    expect(info).toContain("\nloading:0\r\n");
    expect(await c.command("GET", "key:399999")).toBe("value-399999");
    expect(await c.command("DBSIZE")).toBe(n);
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    await reader;
  } finally {
    proc.kill("SIGKILL");
  }
}, 60000);
