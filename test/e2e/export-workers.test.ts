// The WAL export of a server with 2 workers: one stream carries both shards, each in its own
// sequence order; resume takes one sequence per shard (FCWAL-FROM/2) and reads each shard's
// segments from the shared --dir; connect mode resumes a restarted collector per shard.
import { afterEach, expect, test } from "bun:test";
import type { TCPSocketListener } from "bun";
import Redis from "ioredis";
import { fromLine, WalStreamReader, type StreamItem } from "../../src/export/index.ts";
import { fromShardsLine } from "../../src/export/handshake.ts";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";
import { infoField, until } from "../cluster/helpers.ts";

const dec = new TextDecoder();

function freePort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const p = l.port;
  l.stop(true);
  return p;
}

interface Frame {
  shard: number;
  seq: number;
  key: string;
  value: string;
}

/** Collects frames of any number of connections; checks each shard's order as they come. */
class Collector {
  readonly frames: Frame[] = [];
  readonly errors: string[] = [];
  readonly problems: string[] = [];
  /** Last sequence number received per shard. */
  readonly last = new Map<number, number>();

  onItem = (item: StreamItem): void => {
    if (item.kind === "error") this.errors.push(item.message);
    if (item.kind !== "fcw4") return;
    const f = item.frame;
    const prev = this.last.get(f.shard) ?? 0;
    if (f.seq !== prev + 1) this.problems.push(`shard ${f.shard}: seq ${f.seq} after ${prev}`);
    this.last.set(f.shard, f.seq);
    this.frames.push({ shard: f.shard, seq: f.seq, key: dec.decode(f.key), value: dec.decode(f.value) });
  };

  /** FROM/2 of what was received so far (shards not seen yet: from 0). */
  fromLine(shards: number): Uint8Array {
    return fromShardsLine(new Map(Array.from({ length: shards }, (_, k) => [k, this.last.get(k) ?? 0])));
  }
}

/** A listen-mode subscriber connection feeding a Collector. */
async function subscribe(port: number, c: Collector, lines: Uint8Array[]): Promise<{ close(): void; closed: () => boolean }> {
  const reader = new WalStreamReader();
  let closed = false;
  const s = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      binaryType: "uint8array",
      open: (sock) => void sock.write(Buffer.concat(lines)), // a few bytes on a fresh socket
      data: (_s, d) => reader.feed(d, c.onItem),
      close: () => void (closed = true),
      error: () => void (closed = true),
    },
  });
  return { close: () => s.end(), closed: () => closed };
}

/** SETs k:<from>..k:<to-1> = v<i> in pipelines of 500 (keys spread over both workers). */
async function write(redis: Redis, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 500) {
    const p = redis.pipeline();
    for (let j = i; j < Math.min(to, i + 500); j++) p.set(`k:${j}`, `v${j}`);
    await p.exec();
  }
}

/** Every write 0..n-1 arrived exactly once, and each shard's frames are 1, 2, 3... */
function expectEveryWriteOnce(frames: Frame[], n: number): void {
  expect(frames.length).toBe(n);
  const byKey = new Map(frames.map((f) => [f.key, f.value]));
  expect(byKey.size).toBe(n);
  for (let i = 0; i < n; i++) expect(byKey.get(`k:${i}`)).toBe(`v${i}`);
  for (const shard of [0, 1]) {
    const seqs = frames.filter((f) => f.shard === shard).map((f) => f.seq);
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  }
}

const servers: ServerProcess[] = [];
const clients: Redis[] = [];

async function start(args: string[]): Promise<{ srv: ServerProcess; redis: Redis }> {
  const srv = await spawnServer(["--workers", "2", "--appendonly", "yes", ...args]);
  servers.push(srv);
  const redis = new Redis({ port: srv.port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
  clients.push(redis);
  return { srv, redis };
}

afterEach(async () => {
  for (const r of clients.splice(0)) r.disconnect();
  for (const s of servers.splice(0)) expect(await s.stop()).toBe(0);
});

test("20,000 writes over both workers reach 2 subscribers once each, each shard in sequence order", async () => {
  const port = freePort();
  const { redis } = await start(["--wal-export", "listen", "--wal-export-addr", `127.0.0.1:${port}`]);
  const a = new Collector();
  const b = new Collector();
  // A fresh server: both shards start at 0, so "after 0" on each is the whole stream.
  const sa = await subscribe(port, a, [a.fromLine(2)]);
  const sb = await subscribe(port, b, [b.fromLine(2)]);
  try {
    await write(redis, 0, 20_000);
    await until(() => a.frames.length >= 20_000 && b.frames.length >= 20_000, 30_000, "20,000 frames at each subscriber");
    await Bun.sleep(100); // nothing more may come
    for (const c of [a, b]) {
      expect(c.errors).toEqual([]);
      expect(c.problems).toEqual([]);
      expectEveryWriteOnce(c.frames, 20_000);
    }
    const info = await redis.info("walexport");
    // INFO walexport is answered by worker 0 only; another worker has no such section.
    if (info.includes("walexport_mode")) expect(info).toMatch(/walexport_shard_last_seqs:0=\d+,1=\d+/);
  } finally {
    sa.close();
    sb.close();
  }
}, 60_000);

test("a subscriber that disconnects mid-stream resumes with its per-shard sequences: no gap, no duplicate", async () => {
  const port = freePort();
  const { redis } = await start(["--wal-export", "listen", "--wal-export-addr", `127.0.0.1:${port}`]);
  const c = new Collector();
  const first = await subscribe(port, c, [c.fromLine(2)]);
  const writing = write(redis, 0, 12_000);
  await until(() => c.frames.length >= 3000, 20_000, "3000 frames before the disconnect");
  first.close();
  await until(first.closed, 5000, "the first connection to close");
  const before = c.frames.length;
  expect(before).toBeLessThan(12_000); // mid-stream: writes continue while nobody listens
  await write(redis, 12_000, 14_000); // only the WAL files hold these for now
  // Resume: each shard after its own last sequence number, while writes continue.
  const second = await subscribe(port, c, [c.fromLine(2)]);
  try {
    await write(redis, 14_000, 16_000);
    await writing;
    await until(() => c.frames.length >= 16_000, 30_000, "every frame after the resume");
    await Bun.sleep(100);
    expect(c.errors).toEqual([]);
    expect(c.problems).toEqual([]);
    expectEveryWriteOnce(c.frames, 16_000);
  } finally {
    second.close();
  }
}, 60_000);

test("connect mode: a collector that restarts resumes per shard and gets every frame once", async () => {
  const port = freePort();
  const c = new Collector();
  let sessions = 0;
  const listen = (): TCPSocketListener<{ reader: WalStreamReader }> =>
    Bun.listen<{ reader: WalStreamReader }>({
      hostname: "127.0.0.1",
      port,
      data: { reader: new WalStreamReader() },
      socket: {
        binaryType: "uint8array",
        open: (s) => {
          sessions++;
          s.data = { reader: new WalStreamReader() };
          s.write(c.fromLine(2)); // what this collector has stored, per shard
        },
        data: (s, d) => s.data.reader.feed(d, c.onItem),
        error: () => {},
      },
    });
  let collector = listen();
  const { redis } = await start(["--wal-export", "connect", "--wal-export-addr", `127.0.0.1:${port}`]);
  try {
    const writing = write(redis, 0, 10_000);
    await until(() => c.frames.length >= 2000, 20_000, "2000 frames before the collector stops");
    collector.stop(true); // the collector goes down: its connection is closed
    await Bun.sleep(200);
    await write(redis, 10_000, 12_000); // missed while down
    collector = listen();
    await writing;
    await write(redis, 12_000, 13_000);
    await until(() => c.frames.length >= 13_000, 30_000, "every frame after the collector came back");
    await Bun.sleep(100);
    expect(sessions).toBeGreaterThanOrEqual(2);
    expect(c.errors).toEqual([]);
    expect(c.problems).toEqual([]);
    expectEveryWriteOnce(c.frames, 13_000);
  } finally {
    collector.stop(true);
  }
}, 60_000);

test("a per-shard sequence older than the retained WAL gets the error line; one FROM/1 sequence is refused", async () => {
  const port = freePort();
  const { redis } = await start(["--wal-export", "listen", "--wal-export-addr", `127.0.0.1:${port}`]);
  await write(redis, 0, 2000);
  // SAVE runs on every worker. One generation is kept (the previous snapshot and the WAL after it),
  // so the segments before the first snapshot go with the second.
  expect(await redis.save()).toBe("OK");
  await write(redis, 2000, 2100);
  expect(await redis.save()).toBe("OK");
  await write(redis, 2100, 2200);
  const old = new Collector();
  const s1 = await subscribe(port, old, [fromShardsLine(new Map([[0, 0], [1, 0]]))]);
  const one = new Collector();
  const s2 = await subscribe(port, one, [fromLine(5)]);
  try {
    await until(() => s1.closed() && s2.closed(), 10_000, "both connections to be closed");
    expect(old.errors).toHaveLength(1);
    expect(old.errors[0]).toMatch(/^shard 0: sequence 0 is older than the retained WAL \(oldest frame kept: \d+\)$/);
    expect(old.frames).toEqual([]);
    expect(one.errors).toEqual(["this stream has several shards: resume with FCWAL-FROM/2 <shard>:<seq>,..."]);
  } finally {
    s1.close();
    s2.close();
  }
}, 30_000);

/** The pid of worker `w` (opens connections until one lands there). */
async function workerPid(port: number, w: number): Promise<number> {
  const spare: RawClient[] = [];
  try {
    for (let i = 0; i < 200; i++) {
      const c = await RawClient.connect(port);
      spare.push(c);
      const info = String(await c.command("INFO", "cores"));
      if (Number(infoField(info, "worker_index")) === w) return Number(infoField(info, "worker_pid"));
    }
  } finally {
    for (const c of spare) c.close();
  }
  throw new Error(`no connection reached worker ${w}`);
}

test("after worker 0 alone restarts, an idle shard's position reaches it and a per-shard resume works", async () => {
  const port = freePort();
  const { srv, redis } = await start(["--wal-export", "listen", "--wal-export-addr", `127.0.0.1:${port}`]);
  const all = new Collector();
  const s1 = await subscribe(port, all, [all.fromLine(2)]);
  await write(redis, 0, 2000);
  await until(() => all.frames.length >= 2000, 20_000, "2000 frames");
  s1.close();
  const n0 = all.last.get(0)!;
  const n1 = all.last.get(1)!;
  const victim = await workerPid(srv.port, 0);
  process.kill(victim, "SIGKILL");
  await until(async () => {
    try {
      return (await workerPid(srv.port, 0)) !== victim;
    } catch {
      return false;
    }
  }, 20_000, "worker 0 to be restarted");
  // No write since: worker 0 knows shard 1's position only from worker 1's repeated message.
  const half = new Map([[0, n0 >> 1], [1, n1 >> 1]]);
  const c = new Collector();
  for (const [k, v] of half) c.last.set(k, v);
  // The export listener is back a moment after the worker answers: retry a refused connection.
  let s2: Awaited<ReturnType<typeof subscribe>> | undefined;
  await until(async () => {
    s2 = await subscribe(port, c, [fromShardsLine(half)]).catch(() => undefined);
    return s2 !== undefined;
  }, 10_000, "the export listener of the new worker 0");
  try {
    await until(() => c.last.get(0) === n0 && c.last.get(1) === n1, 15_000, "the resumed frames of both shards");
    expect(c.errors).toEqual([]);
    expect(c.problems).toEqual([]);
    expect(c.frames.length).toBe(n0 - (n0 >> 1) + n1 - (n1 >> 1));
  } finally {
    s2?.close();
  }
}, 60_000);
