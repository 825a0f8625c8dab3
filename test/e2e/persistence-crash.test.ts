// SIGKILL during a write load, then restart on the same directory: under appendfsync always every
// acknowledged write is there with its value and expiry; under everysec the state is a prefix of
// the acknowledged history (no holes, no reordering).
import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { tempDataDir } from "../support/server-process.ts";
import { dumpServer, kill9, pipeline, PipeClient, serverOn, waitFor } from "../persistence/e2e-helpers.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const newDir = (): string => {
  const d = tempDataDir();
  dirs.push(d);
  return d;
};

interface Written {
  key: string;
  value: string;
  expireAt: number; // -1 = none
}

test("appendfsync always: after SIGKILL every acknowledged write is present with its value and expiry", async () => {
  const dir = newDir();
  const srv = await serverOn(dir, ["--appendfsync", "always"]);
  const base = Date.now() + 3_600_000;
  const clients = await Promise.all(Array.from({ length: 8 }, () => PipeClient.connect(srv.port)));
  const log: Written[][] = clients.map(() => []);
  let running = true;
  const loops = clients.map(async (c, ci) => {
    let i = 0;
    while (running && !c.closed) {
      for (let b = 0; b < 8; b++, i++) {
        const w: Written = { key: `c${ci}:${i}`, value: `v${ci}-${i}-${Math.random().toString(36).slice(2)}`, expireAt: i % 3 === 0 ? -1 : base + i };
        log[ci]!.push(w);
        if (w.expireAt < 0) c.send("SET", w.key, w.value);
        else c.send("SET", w.key, w.value, "PXAT", String(w.expireAt));
      }
      await c.settle().catch(() => {});
    }
  });
  await waitFor(() => clients.reduce((n, c) => n + c.replies.length, 0) >= 4000, 30000, "4000 acknowledged writes");
  await kill9(srv);
  running = false;
  await Promise.all(loops);

  const acked: Written[] = [];
  clients.forEach((c, ci) => {
    const replies = c.replies;
    for (let i = 0; i < replies.length; i++) {
      expect(replies[i]).toBe("OK");
      acked.push(log[ci]![i]!);
    }
  });
  expect(acked.length).toBeGreaterThanOrEqual(4000);

  const again = await serverOn(dir, ["--appendfsync", "always"]);
  try {
    const cmds: string[][] = [];
    for (const w of acked) cmds.push(["GET", w.key], ["PEXPIRETIME", w.key]);
    const r = await pipeline(again.port, cmds);
    const wrong: string[] = [];
    acked.forEach((w, i) => {
      if (r[2 * i] !== w.value || r[2 * i + 1] !== w.expireAt) wrong.push(`${w.key}: got ${String(r[2 * i])}@${String(r[2 * i + 1])}, want ${w.value}@${w.expireAt}`);
    });
    expect(wrong).toEqual([]);
  } finally {
    await again.stop();
  }
}, 90000);

test("appendfsync everysec: after SIGKILL the state is a prefix of the acknowledged history", async () => {
  const dir = newDir();
  const srv = await serverOn(dir, ["--appendfsync", "everysec", "--fsync-interval-ms", "200"]);
  const c = await PipeClient.connect(srv.port);
  // Command j writes k:j and then moves "last" to j: any state after a restart must be the
  // effect of commands 0..m-1 for some m (keys k:0..k:m-1 and last = m-1).
  let running = true;
  const loop = (async () => {
    let j = 0;
    while (running && !c.closed) {
      for (let b = 0; b < 32; b++, j++) {
        c.send("SET", `k:${j}`, `v${j}`);
        c.send("SET", "last", String(j));
      }
      await c.settle().catch(() => {});
    }
  })();
  await waitFor(() => c.replies.length >= 8000, 30000, "8000 acknowledged writes");
  await kill9(srv);
  running = false;
  await loop;
  const ackedWrites = Math.floor(c.replies.length / 2);

  const again = await serverOn(dir);
  try {
    const state = await dumpServer(again.port);
    const last = state.find((e) => e.startsWith("last="));
    expect(last).toBeDefined();
    const m = Number(/^last=(\d+)@/.exec(last!)![1]) + 1;
    const want = ["last=" + String(m - 1) + "@-1"];
    for (let j = 0; j < m; j++) want.push(`k:${j}=v${j}@-1`);
    // The history is one SET at a time, so the state may also end between "SET k:m" and "SET last m"
    // (a client batch can be split across reads, and so across WAL writes).
    if (state.includes(`k:${m}=v${m}@-1`)) want.push(`k:${m}=v${m}@-1`);
    expect(state).toEqual(want.sort());
    // SIGKILL keeps what was written to the kernel: at most the frames of the last loop turn
    // (written from a setImmediate after the replies) can be missing.
    expect(m).toBeGreaterThanOrEqual(ackedWrites - 64);
    expect(m).toBeLessThanOrEqual(Math.ceil(c.sent / 2));
  } finally {
    await again.stop();
  }
}, 90000);
