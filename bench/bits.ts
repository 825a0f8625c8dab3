// Bitmaps and HyperLogLog: fast-cache-server vs redis-server 7.0.15, side by side in one run
// (part of bench:types; alone: `bun bench/bits.ts`).
//
// Each operation runs on both servers (fresh, no persistence, one worker) with one client, one
// command at a time; the table shows the median round-trip time of each and their ratio:
// BITCOUNT of a 64 MB bitmap, BITOP AND of two 16 MB values, SETBIT at random offsets of the
// 64 MB bitmap, PFADD of 100k elements in batches of 100, PFCOUNT of one key with a stale cache
// (after a PFADD) and PFCOUNT of three dense keys (merged, never cached).
import { fmtRatio, freePort, printTable } from "./runner.ts";
import { type RespValue, RespClient, type ServerProcess, startFastCache, startRedis } from "./server-tools.ts";

const MB = 1024 * 1024;

/** Median ms of `runs` calls of `op`. */
async function median(runs: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await op(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function check(v: RespValue): RespValue {
  if (v instanceof Error) throw v;
  return v;
}

/** A `bytes`-long value of printable bytes with a varied bit pattern, written in 1 MB SETRANGE chunks. */
async function fill(c: RespClient, key: string, bytes: number, seed: number): Promise<void> {
  for (let off = 0; off < bytes; off += MB) {
    let s = "";
    const chunk = Math.min(MB, bytes - off);
    let x = seed + off;
    const parts: string[] = [];
    for (let i = 0; i < chunk; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      s += String.fromCharCode(48 + ((x >>> 24) % 75));
      if (s.length === 4096) {
        parts.push(s);
        s = "";
      }
    }
    parts.push(s);
    check(await c.command(["setrange", key, String(off), parts.join("")], 60_000));
  }
}

type Row = { name: string; ms: number };

async function measure(server: ServerProcess): Promise<Row[]> {
  const c = await RespClient.connect(server.port);
  const rows: Row[] = [];
  try {
    await fill(c, "big", 64 * MB, 1);
    rows.push({ name: "BITCOUNT 64 MB", ms: await median(9, () => c.command(["bitcount", "big"], 60_000).then(check)) });
    rows.push({ name: "BITCOUNT 64 MB, BIT range", ms: await median(9, () => c.command(["bitcount", "big", "3", "-5", "bit"], 60_000).then(check)) });
    await fill(c, "x", 16 * MB, 2);
    await fill(c, "y", 16 * MB, 3);
    rows.push({ name: "BITOP AND 2 x 16 MB", ms: await median(7, () => c.command(["bitop", "and", "d", "x", "y"], 60_000).then(check)) });
    let rng = 7;
    const offset = (): string => String(((rng = (Math.imul(rng, 48271) + 1) >>> 0) % (64 * MB * 8)));
    rows.push({ name: "SETBIT in a 64 MB bitmap", ms: await median(41, (i) => c.command(["setbit", "big", offset(), String(i & 1)], 60_000).then(check)) });
    check(await c.command(["del", "big", "x", "y", "d"]));
    const batches = 1000;
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) {
      const els = Array.from({ length: 100 }, (_, i) => `el:${b * 100 + i}`);
      check(await c.command(["pfadd", "h", ...els]));
    }
    rows.push({ name: "PFADD 100 elements (100k total)", ms: (performance.now() - t0) / batches });
    for (const k of ["h2", "h3"]) {
      for (let b = 0; b < 200; b++) check(await c.command(["pfadd", k, ...Array.from({ length: 100 }, (_, i) => `${k}:${b * 100 + i}`)]));
    }
    rows.push({ name: "PFADD 1 + PFCOUNT (stale cache)", ms: await median(101, (i) => c.command(["pfadd", "h", `new:${i}`]).then(() => c.command(["pfcount", "h"])).then(check)) });
    rows.push({ name: "PFCOUNT 3 dense keys", ms: await median(101, () => c.command(["pfcount", "h", "h2", "h3"]).then(check)) });
    rows.push({ name: "PFADD sparse key, 10 elements", ms: await median(301, (i) => c.command(["pfadd", `s${i % 50}`, ...Array.from({ length: 10 }, (_, j) => `${i}:${j}`)]).then(check)) });
  } finally {
    c.close();
  }
  return rows;
}

export async function bitsBench(): Promise<void> {
  const results: Record<string, Row[]> = {};
  for (const [name, start] of [["redis", startRedis], ["fast-cache", (p: number) => startFastCache(p, ["--workers", "1"])]] as const) {
    const server = await start(freePort());
    try {
      results[name] = await measure(server);
    } finally {
      await server.stop();
    }
  }
  const ours = results["fast-cache"]!;
  const redis = results["redis"]!;
  printTable("Bitmaps and HyperLogLog: median ms per command (one client, round trip)", ["operation", "ours ms", "redis ms", "time ratio"],
    ours.map((o, i) => [o.name, o.ms.toFixed(3), redis[i]!.ms.toFixed(3), fmtRatio(o.ms / redis[i]!.ms)]));
}

if (import.meta.main) await bitsBench();
