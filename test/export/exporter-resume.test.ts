import { expect, test } from "bun:test";
import { WalExporter } from "../../src/export/exporter.ts";
import { listFiles } from "../../src/persistence/io.ts";
import { acceptedSubscribers, activeSubscribers, Producer, subscribe, tempDir, until } from "./harness.ts";

const listen = (dir: string | undefined, extra: Partial<ConstructorParameters<typeof WalExporter>[0]> = {}): WalExporter =>
  new WalExporter({ mode: "listen", address: "127.0.0.1:0", walDir: dir, ...extra });

test("a subscriber resuming from an old sequence gets every later frame from the files, then the live stream", async () => {
  using dir = tempDir();
  const exp = listen(dir.path);
  await exp.start();
  const producer = new Producer(dir.path, exp, { segmentBytes: 24 * 1024 });
  try {
    await producer.write(5000, 400);
    expect(listFiles(dir.path, "wal", 0).length).toBeGreaterThan(3);
    const sub = await subscribe(exp.port, { from: 1234 });
    const writing = producer.write(3000, 50); // keeps publishing while the subscriber catches up
    await writing;
    await until(() => sub.lastSeq === 8000, "caught up and live");
    expect(sub.problems).toEqual([]);
    expect(sub.frames).toBe(8000 - 1234);
    expect(exp.stats().subscribersCatchingUp).toBe(0);
  } finally {
    await exp.stop();
    await producer.close();
  }
}, 30_000);

test("a large catch-up across many segments is read in slices and ends in the live stream", async () => {
  using dir = tempDir();
  const exp = listen(dir.path, { maxPendingBytes: 4 * 1024 * 1024 });
  await exp.start();
  const producer = new Producer(dir.path, exp, { segmentBytes: 1024 * 1024, valueSize: 1000 });
  try {
    await producer.write(20_000, 1000); // about 21 MB, far more than maxPendingBytes
    const sub = await subscribe(exp.port, { from: 0, valueSize: 1000 });
    await producer.write(2000, 100);
    await until(() => sub.lastSeq === producer.seq, "caught up", 20_000);
    expect(sub.problems).toEqual([]);
    expect(sub.frames).toBe(22_000);
    expect(exp.stats().subscribersDropped).toBe(0);
  } finally {
    await exp.stop();
    await producer.close();
  }
}, 30_000);

test("a sequence older than the retained WAL gets an error line and is closed", async () => {
  using dir = tempDir();
  const exp = listen(dir.path);
  await exp.start();
  const producer = new Producer(dir.path, exp, { segmentBytes: 8192 });
  try {
    await producer.write(3000, 100);
    producer.writer.pruneCoveredBy(2000);
    const oldest = listFiles(dir.path, "wal", 0)[0]!.seq;
    expect(oldest).toBeGreaterThan(11);
    const sub = await subscribe(exp.port, { from: 10 });
    await sub.waitClosed();
    expect(sub.errors).toEqual([`sequence 10 is older than the retained WAL (oldest frame kept: ${oldest})`]);
    expect(sub.frames).toBe(0);
    expect(exp.stats().subscribersRejected).toBe(1);
    // One before the oldest kept frame still works.
    const ok = await subscribe(exp.port, { from: oldest - 1 });
    await until(() => ok.lastSeq === 3000, "resumed from the oldest kept frame");
    expect(ok.problems).toEqual([]);
  } finally {
    await exp.stop();
    await producer.close();
  }
});

test("a sequence ahead of the stream, a malformed one and resume without a WAL directory are refused", async () => {
  using dir = tempDir();
  const exp = listen(undefined, { startSeq: 0 });
  await exp.start();
  const producer = new Producer(dir.path, exp);
  try {
    await producer.write(100);
    const ahead = await subscribe(exp.port, { from: 101 });
    const bad = await subscribe(exp.port, { raw: "FCWAL-FROM/1 12x\n" });
    const noDir = await subscribe(exp.port, { from: 50 });
    const now = await subscribe(exp.port, { from: 100 });
    for (const s of [ahead, bad, noDir]) await s.waitClosed();
    expect(ahead.errors).toEqual(["sequence 101 is ahead of the stream (last sequence 100)"]);
    expect(bad.errors).toEqual(["invalid sequence number"]);
    expect(noDir.errors).toEqual(["resume is not available: no WAL directory"]);
    await producer.write(10);
    await until(() => now.lastSeq === 110, "a subscriber at the stream position needs no files");
    expect(now.problems).toEqual([]);
    expect(exp.stats().subscribersRejected).toBe(3);
  } finally {
    await exp.stop();
    await producer.close();
  }
});

test("a FROM line during the start wait drops the held frames it already has", async () => {
  using dir = tempDir();
  const exp = listen(dir.path, { startWaitMs: 10_000 });
  await exp.start();
  const producer = new Producer(dir.path, exp);
  try {
    const sub = await subscribe(exp.port);
    await activeSubscribers(exp, 1);
    await producer.write(100, 7); // held for the subscriber, across several chunks
    expect(sub.frames).toBe(0);
    sub.socket.write("FCWAL-FROM/1 60\n");
    await until(() => sub.lastSeq === 100, "frames 61..100");
    expect(sub.frames).toBe(40);
    expect(sub.problems).toEqual([]);
  } finally {
    await exp.stop();
    await producer.close();
  }
});

test("a FROM line after the stream started is refused", async () => {
  using dir = tempDir();
  const exp = listen(dir.path);
  await exp.start();
  const producer = new Producer(dir.path, exp);
  try {
    const sub = await subscribe(exp.port, { from: "$" });
    await acceptedSubscribers(exp, 1);
    await producer.write(10);
    await until(() => sub.frames === 10, "10 frames");
    sub.socket.write("FCWAL-FROM/1 3\n");
    await sub.waitClosed();
    expect(sub.errors).toEqual(["FCWAL-FROM must come before the stream starts"]);
    expect(sub.problems).toEqual([]);
  } finally {
    await exp.stop();
    await producer.close();
  }
});

test("after a restart, a subscriber resumes across the old and the new segments", async () => {
  using dir = tempDir();
  const before = new Producer(dir.path, { publish: () => {} }, { segmentBytes: 8192 });
  await before.write(300, 50);
  await before.close();
  const exp = listen(dir.path);
  await exp.start(300); // the recovered last sequence number
  const producer = new Producer(dir.path, exp, { startSeq: 300 });
  try {
    const sub = await subscribe(exp.port, { from: 0 });
    await producer.write(200, 20);
    await until(() => sub.lastSeq === 500, "old and new frames");
    expect(sub.frames).toBe(500);
    expect(sub.problems).toEqual([]);
  } finally {
    await exp.stop();
    await producer.close();
  }
});

test("a malformed group is logged, never thrown into the WAL writer", async () => {
  const lines: string[] = [];
  const exp = listen(undefined, { log: (l) => lines.push(l) });
  await exp.start();
  try {
    expect(() => exp.publish(new Uint8Array([0x46, 0x43, 0x57, 0x33, 9, 9]))).not.toThrow();
    expect(lines.some((l) => l.includes("cannot publish"))).toBe(true);
  } finally {
    await exp.stop();
  }
});
