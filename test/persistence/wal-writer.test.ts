import { expect, test } from "bun:test";
import * as fs from "node:fs";
import { join } from "node:path";
import { nodeIo, type WalIo } from "../../src/persistence/io.ts";
import { decodeFrame, newDecodedFrame } from "../../src/persistence/wal-format.ts";
import { WalWriter } from "../../src/persistence/wal-writer.ts";
import { record, tempDir, text, turn, until } from "./helpers.ts";

/** Every frame in the directory's segments, in file order, as "seq:key=value". */
function framesOnDisk(dir: string): string[] {
  const out: string[] = [];
  const f = newDecodedFrame();
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith(".log")).sort()) {
    const b = new Uint8Array(fs.readFileSync(join(dir, name)));
    for (let off = 0; off < b.length; ) {
      const n = decodeFrame(b, off, b.length, f);
      if (n <= 0) throw new Error(`bad frame in ${name} at ${off}`);
      out.push(`${f.seq}:${text(f.key)}=${text(f.value)}`);
      off += n;
    }
  }
  return out;
}

const expected = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${from + i}:k${from + i}=v${from + i}`);

test("frames appended in one turn reach the file with one write", async () => {
  using dir = tempDir();
  let writes = 0;
  const w = new WalWriter({ dir: dir.path, nextSeq: 1, fsync: "no", io: { writeSync: (...a) => (writes++, nodeIo.writeSync(...a)) } });
  for (let i = 1; i <= 100; i++) w.append(record(1, `k${i}`, `v${i}`), i);
  expect(writes).toBe(0);
  await turn();
  expect(writes).toBe(1);
  for (let i = 101; i <= 150; i++) w.append(record(1, `k${i}`, `v${i}`), i);
  await turn();
  expect(writes).toBe(2);
  await w.close();
  expect(framesOnDisk(dir.path)).toEqual(expected(1, 150));
});

test("under always, onDurable callbacks run only after the group's fdatasync completes", async () => {
  using dir = tempDir();
  const syncs: Array<() => void> = [];
  const io: Partial<WalIo> = { fdatasync: (fd, cb) => syncs.push(() => nodeIo.fdatasync(fd, cb)) };
  const w = new WalWriter({ dir: dir.path, nextSeq: 1, fsync: "always", io });
  const order: string[] = [];
  w.append(record(1, "k1", "v1"), 1);
  w.onDurable(() => order.push("turn1"));
  await turn();
  w.append(record(1, "k2", "v2"), 2);
  w.onDurable(() => order.push("turn2"));
  await turn();
  expect(order).toEqual([]);
  expect(syncs.length).toBe(1); // one sync in flight; the second group waits for the next one
  syncs.shift()!();
  await until(() => order.length === 1);
  expect(order).toEqual(["turn1"]);
  await until(() => syncs.length === 1);
  syncs.shift()!();
  await until(() => order.length === 2);
  expect(order).toEqual(["turn1", "turn2"]);
  expect(w.stats().fsyncCount).toBe(2);
  await w.close();
});

test("onDurable runs at once when nothing is pending", async () => {
  using dir = tempDir();
  const w = new WalWriter({ dir: dir.path, nextSeq: 1, fsync: "always" });
  let called = false;
  w.onDurable(() => (called = true));
  expect(called).toBe(true);
  await w.close();
});

test("segments rotate at the size limit with sortable names and contiguous sequence numbers", async () => {
  using dir = tempDir();
  const w = new WalWriter({ dir: dir.path, nextSeq: 1, fsync: "everysec", segmentBytes: 4096 });
  let seq = 0;
  for (let t = 0; t < 120; t++) {
    for (let i = 0; i < 10; i++) (seq++, w.append(record(1, `k${seq}`, `v${seq}`), seq));
    await turn();
  }
  await w.close();
  const names = fs.readdirSync(dir.path).filter((n) => n.endsWith(".log")).sort();
  expect(names.length).toBeGreaterThan(3);
  expect(names[0]).toBe("wal-s00000-00000000000000000001.log");
  for (const n of names) expect(fs.statSync(join(dir.path, n)).size).toBeLessThan(4096 + 1024);
  expect(framesOnDisk(dir.path)).toEqual(expected(1, seq));
  // each file is named after its first frame
  const f = newDecodedFrame();
  for (const n of names) {
    const b = new Uint8Array(fs.readFileSync(join(dir.path, n)));
    decodeFrame(b, 0, b.length, f);
    expect(n).toBe(`wal-s00000-${String(f.seq).padStart(20, "0")}.log`);
  }
});

test("pruneCoveredBy removes only segments whose frames are all covered, never the current one", async () => {
  using dir = tempDir();
  const w = new WalWriter({ dir: dir.path, nextSeq: 1, fsync: "no", segmentBytes: 4096 });
  let seq = 0;
  for (let t = 0; t < 100; t++) {
    for (let i = 0; i < 10; i++) (seq++, w.append(record(1, `k${seq}`, `v${seq}`), seq));
    await turn();
  }
  const before = w.segments.map((s) => s.firstSeq);
  const cut = before[2]!; // covers segments 0 and 1 entirely, segment 2 only partly
  expect(w.pruneCoveredBy(cut)).toBe(2);
  expect(w.segments.map((s) => s.firstSeq)).toEqual(before.slice(2));
  expect(w.pruneCoveredBy(seq + 100)).toBe(before.length - 3);
  expect(w.segments.length).toBe(1);
  await w.close();
});

test("write errors set the error state, keep the frames, and clear once writing works again", async () => {
  using dir = tempDir();
  let failing = true;
  let calls = 0;
  const io: Partial<WalIo> = {
    writeSync(fd, buf, off, len) {
      calls++;
      if (!failing) return nodeIo.writeSync(fd, buf, off, len);
      if (calls % 2 === 1 && len > 10) return nodeIo.writeSync(fd, buf, off, 7); // a partial write, then ENOSPC
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    },
  };
  const w = new WalWriter({ dir: dir.path, nextSeq: 1, fsync: "everysec", io, retryMs: 5 });
  let acked = 0;
  for (let i = 1; i <= 20; i++) w.append(record(1, `k${i}`, `v${i}`), i);
  w.onDurable((e) => (e ? undefined : acked++));
  await turn();
  expect(w.writable).toBe(false);
  expect(w.lastError).toBe("No space left on device");
  expect(acked).toBe(0);
  for (let i = 21; i <= 30; i++) w.append(record(1, `k${i}`, `v${i}`), i);
  await turn();
  expect(w.writable).toBe(false);
  failing = false;
  await until(() => w.writable);
  expect(w.lastError).toBeUndefined();
  expect(acked).toBe(1);
  await w.close();
  expect(framesOnDisk(dir.path)).toEqual(expected(1, 30));
});

test("a segment on /dev/full reports ENOSPC as a real write error", async () => {
  using dir = tempDir();
  fs.symlinkSync("/dev/full", join(dir.path, "wal-s00000-00000000000000000001.log"));
  const w = new WalWriter({
    dir: dir.path, nextSeq: 1, fsync: "no", retryMs: 60_000,
    segments: [{ path: join(dir.path, "wal-s00000-00000000000000000001.log"), firstSeq: 1 }], appendToLast: true,
  });
  w.append(record(1, "k", "v"), 1);
  await turn();
  expect(w.writable).toBe(false);
  expect(w.lastError).toBe("No space left on device");
  expect(w.stats().pendingBytes).toBeGreaterThan(0);
  await expect(w.close()).rejects.toThrow("No space left on device");
});

test("a failed fdatasync under always rewrites the unsynced frames and acknowledges only after a good sync", async () => {
  using dir = tempDir();
  let failSyncs = 1;
  const io: Partial<WalIo> = {
    fdatasync(fd, cb) {
      if (failSyncs-- > 0) setImmediate(() => cb(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" })));
      else nodeIo.fdatasync(fd, cb);
    },
  };
  const w = new WalWriter({ dir: dir.path, nextSeq: 1, fsync: "always", io, retryMs: 5 });
  let acked = false;
  for (let i = 1; i <= 5; i++) w.append(record(1, `k${i}`, `v${i}`), i);
  w.onDurable(() => (acked = true));
  await until(() => !w.writable);
  expect(w.lastError).toBe("Input/output error");
  expect(acked).toBe(false);
  await until(() => acked);
  expect(w.writable).toBe(true);
  await w.close();
  expect(framesOnDisk(dir.path)).toEqual(expected(1, 5)); // rewritten once, not duplicated
});

test("everysec syncs written data on its interval", async () => {
  using dir = tempDir();
  const w = new WalWriter({ dir: dir.path, nextSeq: 1, fsync: "everysec", fsyncIntervalMs: 10 });
  w.append(record(1, "k1", "v1"), 1);
  await turn();
  await until(() => w.stats().fsyncCount > 0);
  expect(w.stats().fsyncLagMs).toBe(0);
  await w.close();
});
