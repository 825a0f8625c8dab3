// One exporter, several shards (a server with several workers): two real WAL writers (shards 0
// and 1) in one directory publish to one exporter; shard 1's groups arrive late, as over the
// peer link, so its files are ahead of the exporter's view. Resume takes FCWAL-FROM/2.
import { expect, test } from "bun:test";
import { WalExporter } from "../../src/export/exporter.ts";
import { fromShardsLine } from "../../src/export/handshake.ts";
import { WalStreamReader } from "../../src/export/stream-reader.ts";
import { encodeShardPosition, decodeShardPosition } from "../../src/export/chunk.ts";
import { keyOf, Producer, sleep, tempDir, text, until, valueOf } from "./harness.ts";

/** Frames per shard, checked in order on arrival. */
class ShardSubscriber {
  readonly last = new Map<number, number>();
  readonly count = new Map<number, number>();
  readonly errors: string[] = [];
  readonly problems: string[] = [];
  closed = false;
  socket!: Bun.Socket<undefined>;
  private readonly reader = new WalStreamReader();

  constructor(start: Map<number, number>) {
    for (const [k, v] of start) this.last.set(k, v);
  }

  static async open(port: number, hello: Uint8Array | string, start = new Map<number, number>()): Promise<ShardSubscriber> {
    const sub = new ShardSubscriber(start);
    sub.socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        binaryType: "uint8array",
        data: (_s, d) => sub.onData(d),
        close: () => void (sub.closed = true),
        error: () => {},
      },
    });
    if (hello.length > 0) sub.socket.write(hello);
    return sub;
  }

  private onData(d: Uint8Array): void {
    this.reader.feed(d, (item) => {
      if (item.kind === "error") return void this.errors.push(item.message);
      if (item.kind !== "fcw4") return;
      const f = item.frame;
      const prev = this.last.get(f.shard);
      if (prev !== undefined && f.seq !== prev + 1) this.problems.push(`shard ${f.shard}: seq ${f.seq} after ${prev}`);
      if (text(f.key) !== keyOf(f.seq) || text(f.value) !== valueOf(f.seq)) this.problems.push(`content of ${f.shard}:${f.seq}`);
      this.last.set(f.shard, f.seq);
      this.count.set(f.shard, (this.count.get(f.shard) ?? 0) + 1);
    });
  }
}

/** Shard 1's groups reach the exporter a few ms after they are written (like worker 1's over the link). */
function late(exp: WalExporter): { publish(g: Uint8Array): void } {
  return {
    publish: (g) => {
      const copy = g.slice();
      setTimeout(() => exp.publish(copy), 3);
    },
  };
}

test("a position message round-trips and is never taken for a group", () => {
  const b = encodeShardPosition(7, 2 ** 40 + 3);
  expect(decodeShardPosition(b)).toEqual({ shard: 7, seq: 2 ** 40 + 3 });
  expect(decodeShardPosition(new TextEncoder().encode("FCW4............"))).toBeUndefined();
});

test("two shards: a subscriber resumes per shard from the files, while both keep writing, with no gap or duplicate", async () => {
  using dir = tempDir();
  const exp = new WalExporter({ mode: "listen", address: "127.0.0.1:0", walDir: dir.path, shards: 2 });
  await exp.start(0);
  exp.setShardPosition(1, 0);
  const p0 = new Producer(dir.path, exp, { shard: 0, segmentBytes: 64 * 1024 });
  const p1 = new Producer(dir.path, late(exp), { shard: 1, segmentBytes: 64 * 1024 });
  try {
    await Promise.all([p0.write(3000, 100), p1.write(2000, 70)]);
    await until(() => exp.position(1) === 2000, "shard 1's late groups");
    const first = await ShardSubscriber.open(exp.port, fromShardsLine(new Map([[0, 1000], [1, 500]])), new Map([[0, 1000], [1, 500]]));
    const writing = Promise.all([p0.write(3000, 100), p1.write(3000, 90)]);
    await until(() => (first.count.get(0) ?? 0) + (first.count.get(1) ?? 0) >= 3000, "3000 frames");
    first.socket.end();
    await until(() => first.closed, "closed");
    const resumeAt = new Map(first.last);
    const second = await ShardSubscriber.open(exp.port, fromShardsLine(resumeAt), resumeAt);
    await writing;
    await until(() => second.last.get(0) === p0.seq && second.last.get(1) === p1.seq, "every frame of both shards", 20_000);
    await sleep(50);
    for (const s of [first, second]) {
      expect(s.errors).toEqual([]);
      expect(s.problems).toEqual([]);
    }
    expect(p0.seq).toBe(6000);
    expect(p1.seq).toBe(5000);
    second.socket.end();
  } finally {
    await exp.stop();
    await Promise.all([p0.close(), p1.close()]);
  }
}, 30_000);

test("a shard not listed in FROM/2 starts where the connection started; $ starts a shard now", async () => {
  using dir = tempDir();
  const exp = new WalExporter({ mode: "listen", address: "127.0.0.1:0", walDir: dir.path, shards: 2 });
  await exp.start(0);
  exp.setShardPosition(1, 0);
  const p0 = new Producer(dir.path, exp, { shard: 0 });
  const p1 = new Producer(dir.path, exp, { shard: 1 });
  try {
    await Promise.all([p0.write(100), p1.write(100)]);
    const a = await ShardSubscriber.open(exp.port, "FCWAL-FROM/2 0:40\n", new Map([[0, 40], [1, 100]]));
    const b = await ShardSubscriber.open(exp.port, "FCWAL-FROM/2 0:$,1:90\n", new Map([[0, 100], [1, 90]]));
    await until(() => exp.stats().subscribersAccepted === 2, "both streams started");
    await Promise.all([p0.write(10), p1.write(10)]);
    await until(() => [a, b].every((s) => s.last.get(0) === 110 && s.last.get(1) === 110), "frames up to 110 on both shards");
    expect([a.count.get(0), a.count.get(1), b.count.get(0), b.count.get(1)]).toEqual([70, 10, 10, 20]);
    for (const s of [a, b]) expect([s.errors, s.problems]).toEqual([[], []]);
    a.socket.end();
    b.socket.end();
  } finally {
    await exp.stop();
    await Promise.all([p0.close(), p1.close()]);
  }
});

test("a stream waits for every shard's position, then resumes; without it the subscriber is told why", async () => {
  using dir = tempDir();
  const exp = new WalExporter({ mode: "listen", address: "127.0.0.1:0", walDir: dir.path, shards: 2, connectTimeoutMs: 300 });
  await exp.start(0);
  const p1 = new Producer(dir.path, { publish: () => {} }, { shard: 1 }); // written before the exporter hears of it
  try {
    await p1.write(50);
    const gaveUp = await ShardSubscriber.open(exp.port, "FCWAL-FROM/2 1:0\n");
    await until(() => gaveUp.closed, "the timed-out subscriber is closed");
    expect(gaveUp.errors).toEqual(["the stream is not ready: shard 1 has not reported its position"]);
    const sub = await ShardSubscriber.open(exp.port, "FCWAL-FROM/2 0:0,1:20\n", new Map([[0, 0], [1, 20]]));
    await sleep(50);
    expect(sub.count.size).toBe(0);
    exp.setShardPosition(1, 50); // the worker's recovered position
    await until(() => sub.last.get(1) === 50, "shard 1's frames 21..50 from its files");
    expect(sub.count.get(1)).toBe(30);
    expect([sub.errors, sub.problems]).toEqual([[], []]);
    expect(exp.info()).toContain("walexport_shard_last_seqs:0=0,1=50");
    sub.socket.end();
  } finally {
    await exp.stop();
    await p1.close();
  }
});

test("FROM/2 errors name the shard; FROM/1 <seq> is refused with several shards and works with one", async () => {
  using dir = tempDir();
  const exp = new WalExporter({ mode: "listen", address: "127.0.0.1:0", walDir: dir.path, shards: 2 });
  await exp.start(10);
  exp.setShardPosition(1, 5);
  const cases: [string, string][] = [
    ["FCWAL-FROM/2 1:6\n", "shard 1: sequence 6 is ahead of the stream (last sequence 5)"],
    ["FCWAL-FROM/2 0:3\n", "shard 0: sequence 3 is older than the retained WAL (oldest frame kept: 11)"],
    ["FCWAL-FROM/2 2:0\n", "shard 2 is not in this stream"],
    ["FCWAL-FROM/2 0:1,0:2\n", "invalid sequence number"],
    ["FCWAL-FROM/1 3\n", "this stream has several shards: resume with FCWAL-FROM/2 <shard>:<seq>,..."],
  ];
  try {
    for (const [line, want] of cases) {
      const s = await ShardSubscriber.open(exp.port, line);
      await until(() => s.closed, `closed after ${line.trim()}`);
      expect(s.errors).toEqual([want]);
    }
  } finally {
    await exp.stop();
  }
  // One shard: FROM/2 naming it is FROM/1 with the shard spelled out.
  using dir1 = tempDir();
  const one = new WalExporter({ mode: "listen", address: "127.0.0.1:0", walDir: dir1.path });
  await one.start();
  const p = new Producer(dir1.path, one);
  try {
    await p.write(30);
    const s = await ShardSubscriber.open(one.port, "FCWAL-FROM/2 0:25\n", new Map([[0, 25]]));
    await until(() => s.last.get(0) === 30, "frames 26..30");
    expect([s.count.get(0), s.errors, s.problems]).toEqual([5, [], []]);
    s.socket.end();
  } finally {
    await one.stop();
    await p.close();
  }
});
