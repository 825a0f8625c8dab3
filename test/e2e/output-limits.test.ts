// Issue 18, defect 2: a client that pipelines GET of a 1 MB value and never reads must be cut off
// at its class's client-output-buffer-limit (counted in INFO, logged as Redis does), the server's
// memory must stay near that limit, and other clients must be served meanwhile.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { RawClient, spawnServer } from "../support/server-process.ts";

const MiB = 1024 * 1024;
const VALUE = "v".repeat(1_000_000);
const LOG_LINE = /Client id=\d+ .* closed for overcoming of output buffer limits\./;

/** Peak and current resident memory of a process, bytes (/proc/<pid>/status VmHWM, VmRSS). */
function memoryOf(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)![1]) * 1024;
  return { peak: kb("VmHWM"), now: kb("VmRSS") };
}

function infoField(info: string, name: string): number {
  return Number(new RegExp(`^${name}:(\\d+)`, "m").exec(info)![1]);
}

/**
 * Runs the abuse: SET a 1 MB value, pipeline `gets` GETs of it without reading, and checks the
 * disconnection, the counter, the memory bound and a second client's PING. Returns the memory.
 */
async function nonReadingClient(args: string[], limitBytes: number, marginBytes: number, gets: number) {
  await using srv = await spawnServer(["--workers", "1", ...args]);
  using other = await RawClient.connect(srv.port);
  expect(await other.command("PING")).toBe("PONG");
  const baseline = memoryOf(srv.proc.pid);

  using abuser = await RawClient.connect(srv.port);
  expect(await abuser.command("SET", "big", VALUE)).toBe("OK");
  abuser.pause();
  abuser.send("GET big\r\n".repeat(gets));

  // Served while the abuser is being cut off.
  expect(await other.command("PING")).toBe("PONG");
  await srv.waitStdout(LOG_LINE, 30000);
  const mem = memoryOf(srv.proc.pid);
  expect(await other.command("PING")).toBe("PONG");
  const info = (await other.command("INFO", "stats")) as string;
  expect(infoField(info, "client_output_buffer_limit_disconnections")).toBeGreaterThanOrEqual(1);
  // The abuser's connection is gone: once it reads again it sees the close.
  abuser.resume();
  expect(await abuser.waitClosed(10000)).toBe(true);
  // Memory: at most the limit plus the stated margin over the idle server.
  expect(mem.peak).toBeLessThan(baseline.now + limitBytes + marginBytes);
  expect(await other.command("GET", "big")).toBe(VALUE);
  return { baseline, mem };
}

describe("client-output-buffer-limit with a client that never reads", () => {
  test("normal 32mb: disconnected, counted, RSS bounded, others served", async () => {
    // Margin: 64 MiB over the idle server plus the limit (measured: +41 MiB at 32mb, +265 MiB at 256mb).
    const r = await nonReadingClient(["--client-output-buffer-limit", "normal 32mb 0 0"], 32 * MiB, 64 * MiB, 20_000);
    console.log(`32mb limit: baseline RSS ${(r.baseline.now / MiB).toFixed(0)} MiB, peak ${(r.mem.peak / MiB).toFixed(0)} MiB, at disconnect ${(r.mem.now / MiB).toFixed(0)} MiB`);
  }, 60000);

  test("default normal 256 MiB: disconnected, counted, RSS bounded, others served", async () => {
    const r = await nonReadingClient([], 256 * MiB, 64 * MiB, 20_000);
    console.log(`256mb limit: baseline RSS ${(r.baseline.now / MiB).toFixed(0)} MiB, peak ${(r.mem.peak / MiB).toFixed(0)} MiB, at disconnect ${(r.mem.now / MiB).toFixed(0)} MiB`);
  }, 60000);
});

describe("backpressure with no output limit", () => {
  test("normal 0 0 0: a non-reading client's commands stop being read; RSS stays bounded", async () => {
    await using srv = await spawnServer(["--workers", "1", "--client-output-buffer-limit", "normal 0 0 0"]);
    using other = await RawClient.connect(srv.port);
    expect(await other.command("SET", "big", VALUE)).toBe("OK");
    const baseline = memoryOf(srv.proc.pid);
    using abuser = await RawClient.connect(srv.port);
    abuser.pause();
    abuser.send("GET big\r\n".repeat(20_000)); // 20 GB of replies if the server kept reading
    // Each PING is answered after the server handled whatever of the abuser's input it read.
    for (let i = 0; i < 20; i++) expect(await other.command("PING")).toBe("PONG");
    const mem = memoryOf(srv.proc.pid);
    const info = (await other.command("INFO", "stats")) as string;
    expect(infoField(info, "client_output_buffer_limit_disconnections")).toBe(0);
    const list = (await other.command("CLIENT", "LIST")) as string;
    const omem = Math.max(...[...list.matchAll(/omem=(\d+)/g)].map((m) => Number(m[1])));
    console.log(`no limit: baseline RSS ${(baseline.now / MiB).toFixed(0)} MiB, peak ${(mem.peak / MiB).toFixed(0)} MiB, abuser omem ${(omem / MiB).toFixed(1)} MiB`);
    // Paused past 1 MiB of backlog: at most one more reply (and a chunk boundary) on top.
    expect(omem).toBeLessThan(8 * MiB);
    expect(mem.peak).toBeLessThan(baseline.now + 64 * MiB);
  }, 60000);
});

test("a paused client that reads again gets every reply, intact and in order", async () => {
  await using srv = await spawnServer(["--workers", "1", "--client-output-buffer-limit", "normal 0 0 0"]);
  using c = await RawClient.connect(srv.port);
  expect(await c.command("SET", "big", VALUE)).toBe("OK");
  c.pause();
  const n = 60;
  let pipeline = "";
  for (let i = 0; i < n; i++) pipeline += `GET big\r\nECHO m${i}\r\n`;
  c.send(pipeline);
  using other = await RawClient.connect(srv.port);
  expect(await other.command("PING")).toBe("PONG");
  c.resume();
  const got = await c.read(2 * n, 30000);
  for (let i = 0; i < n; i++) {
    expect(got[2 * i]).toBe(VALUE);
    expect(got[2 * i + 1]).toBe(`m${i}`);
  }
  expect(await c.command("PING")).toBe("PONG");
}, 60000);
