import { expect, test } from "bun:test";
import * as fs from "node:fs";
import { join } from "node:path";
import { Keyspace } from "../../src/engine/keyspace.ts";
import { Persistence, RecoveryError, type PersistenceOptions } from "../../src/persistence/index.ts";
import { recover } from "../../src/persistence/recovery.ts";
import { bytes, copyDir, dump, fakeClock, tempDir } from "./helpers.ts";

type Clock = ReturnType<typeof fakeClock>;

function store(dir: string, clock: Clock, opts: PersistenceOptions = {}) {
  const lines: string[] = [];
  const p = new Persistence({ dir, appendfsync: "no", snapshotEverySeconds: 0, now: clock.now, log: (l) => lines.push(l), ...opts });
  const ks = new Keyspace({ onMutation: p.record, now: clock.now });
  return { p, ks, lines };
}

async function reopen(dir: string, clock: Clock, opts: PersistenceOptions = {}) {
  const s = store(dir, clock, opts);
  await s.p.open(s.ks);
  return s;
}

const segmentsOf = (dir: string): string[] => fs.readdirSync(dir).filter((n) => n.endsWith(".log")).sort();

/** A small seeded PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Applies one random mutation: sets (some with future expiry), deletes, expires, persists, rarely clear. */
function randomOp(ks: Keyspace, r: () => number, clock: Clock, keys: number): void {
  const key = bytes(`key:${Math.floor(r() * keys)}`);
  const x = r();
  if (x < 0.55) ks.set(key, bytes(`val:${Math.floor(r() * 1e9)}`), r() < 0.3 ? clock.now() + 60_000 + Math.floor(r() * 1e6) : 0);
  else if (x < 0.75) ks.delete(key);
  else if (x < 0.9) ks.expire(key, clock.now() + 1000 + Math.floor(r() * 1e6));
  else if (x < 0.999) ks.persist(key);
  else ks.clear();
}

test("a BGSAVE taken while writes continue, plus the later WAL frames, rebuilds the same keyspace", async () => {
  using dir = tempDir();
  const clock = fakeClock();
  const a = await reopen(dir.path, clock);
  const r = rng(1);
  for (let i = 0; i < 40_000; i++) randomOp(a.ks, r, clock, 30_000);
  for (let i = 0; i < 25_000; i++) a.ks.set(bytes(`fill:${i}`), bytes(`${i}`)); // > 2 slices of 10k entries
  const saving = a.p.bgsave();
  expect(() => a.p.bgsave()).toThrow("ERR Background save already in progress");
  let turns = 0;
  let done = false;
  void saving.then(() => (done = true));
  while (!done) {
    for (let i = 0; i < 300; i++) randomOp(a.ks, r, clock, 30_000); // mutate between slices
    await new Promise((res) => setImmediate(res));
    turns++;
  }
  expect(turns).toBeGreaterThan(1);
  for (let i = 0; i < 5000; i++) randomOp(a.ks, r, clock, 30_000);
  const want = dump(a.ks);
  await a.p.close();
  const b = await reopen(dir.path, clock);
  expect(b.p.recovery?.snapshot).toBeDefined();
  expect(dump(b.ks)).toEqual(want);
  await b.p.close();
});

test("a torn last frame is truncated at every byte offset, with a log line naming file and offset", async () => {
  using dir = tempDir();
  const clock = fakeClock();
  const a = await reopen(dir.path, clock);
  for (let i = 0; i < 9; i++) a.ks.set(bytes(`k${i}`), bytes(`v${i}`));
  await a.p.close();
  const seg = segmentsOf(dir.path)[0]!;
  const lastStart = fs.statSync(join(dir.path, seg)).size;
  const c = await reopen(dir.path, clock);
  const want = dump(c.ks);
  c.ks.set(bytes("last"), bytes("frame value"));
  await c.p.close();
  const size = fs.statSync(join(dir.path, seg)).size;
  expect(size).toBeGreaterThan(lastStart);
  for (let cut = lastStart + 1; cut < size; cut++) {
    using copy = copyDir(dir.path);
    const file = join(copy.path, seg);
    fs.truncateSync(file, cut);
    const s = await reopen(copy.path, clock);
    expect(dump(s.ks)).toEqual(want);
    expect(s.lines).toContain(`WAL: truncated torn tail of ${file} at offset ${lastStart} (${cut - lastStart} bytes dropped)`);
    expect(fs.statSync(file).size).toBe(lastStart);
    await s.p.close();
  }
});

test("random byte flips recover a prefix of the history or refuse with the file and offset, never garbage", async () => {
  using dir = tempDir();
  const clock = fakeClock();
  const a = await reopen(dir.path, clock);
  const prefixes = [JSON.stringify(dump(a.ks))];
  const r = rng(7);
  for (let i = 0; i < 40; i++) {
    randomOp(a.ks, r, clock, 12);
    prefixes.push(JSON.stringify(dump(a.ks)));
  }
  await a.p.close();
  const seg = segmentsOf(dir.path)[0]!;
  const size = fs.statSync(join(dir.path, seg)).size;
  let refused = 0;
  let recovered = 0;
  for (let trial = 0; trial < 150; trial++) {
    using copy = copyDir(dir.path);
    const file = join(copy.path, seg);
    const b = fs.readFileSync(file);
    const pos = Math.floor(r() * size);
    b[pos]! ^= 1 + Math.floor(r() * 255);
    fs.writeFileSync(file, b);
    const s = store(copy.path, clock);
    try {
      await s.p.open(s.ks);
      expect(prefixes).toContain(JSON.stringify(dump(s.ks)));
      recovered++;
      await s.p.close();
    } catch (e) {
      expect(e).toBeInstanceOf(RecoveryError);
      expect((e as Error).message).toMatch(new RegExp(`^WAL corrupt: ${file} at offset \\d+: `));
      refused++;
    }
  }
  expect(refused).toBeGreaterThan(0);
  expect(recovered).toBeGreaterThan(0); // flips in the last frame look like a torn tail
});

test("a corrupt frame in the middle stops start-up unless repair=truncate, which keeps the prefix", async () => {
  using dir = tempDir();
  const clock = fakeClock();
  const a = await reopen(dir.path, clock, { segmentBytes: 4096 });
  let mid = "";
  for (let i = 0; i < 400; i++) {
    a.ks.set(bytes(`k${i}`), bytes(`v${i}`.padEnd(20, ".")));
    if (i === 150) mid = JSON.stringify(dump(a.ks));
    if (i % 10 === 9) await new Promise((res) => setImmediate(res));
  }
  await a.p.close();
  const segs = segmentsOf(dir.path);
  expect(segs.length).toBeGreaterThan(2);
  // find the frame holding k151 and damage its value
  let target = "";
  let offset = -1;
  for (const n of segs) {
    const seg = fs.readFileSync(join(dir.path, n));
    const i = seg.indexOf("k151");
    if (i >= 0) [target, offset] = [n, seg.lastIndexOf("FCW4", i)]; // the frame's start
  }
  const file = join(dir.path, target);
  const b = fs.readFileSync(file);
  b[offset + 10]! ^= 0x55; // inside the frame body, which the CRC covers
  fs.writeFileSync(file, b);
  const s = store(dir.path, clock);
  await expect(s.p.open(s.ks)).rejects.toThrow(`WAL corrupt: ${file} at offset ${offset}: CRC mismatch. Start with --wal-repair truncate`);
  const t = await reopen(dir.path, clock, { repair: "truncate", segmentBytes: 4096 });
  expect(JSON.stringify(dump(t.ks))).toBe(mid);
  expect(fs.readdirSync(dir.path).some((n) => n.endsWith(".log.discarded"))).toBe(true);
  t.ks.set(bytes("after"), bytes("repair"));
  const want = dump(t.ks);
  await t.p.close();
  const u = await reopen(dir.path, clock);
  expect(dump(u.ks)).toEqual(want);
  await u.p.close();
});

test("keys whose expiry passed while the server was down are not resurrected from snapshot or WAL", async () => {
  using dir = tempDir();
  const clock = fakeClock();
  const a = await reopen(dir.path, clock);
  const t0 = clock.now();
  a.ks.set(bytes("snap-expires"), bytes("1"), t0 + 1000);
  a.ks.set(bytes("stays"), bytes("2"));
  a.ks.set(bytes("reset-to-short"), bytes("old"));
  a.ks.set(bytes("expire-cmd"), bytes("4"));
  a.p.save();
  a.ks.set(bytes("wal-expires"), bytes("3"), t0 + 500);
  a.ks.set(bytes("reset-to-short"), bytes("new"), t0 + 300); // the snapshot holds "old" without expiry
  a.ks.expire(bytes("expire-cmd"), t0 + 700);
  await a.p.close();
  clock.advance(2000);
  const b = await reopen(dir.path, clock);
  expect(dump(b.ks)).toEqual(["stays=2@0#0"]);
  expect(b.p.recovery!.expired).toBeGreaterThanOrEqual(3);
  await b.p.close();
});

test("a snapshot prunes the WAL segments the previous snapshot covers and keeps one generation back", async () => {
  using dir = tempDir();
  const clock = fakeClock();
  const a = await reopen(dir.path, clock, { segmentBytes: 4096 });
  const writeSome = async (tag: string): Promise<void> => {
    for (let i = 0; i < 500; i++) {
      a.ks.set(bytes(`k${i % 97}`), bytes(`${tag}${i}`.padEnd(30, "x")));
      if (i % 20 === 19) await new Promise((res) => setImmediate(res));
    }
  };
  const snaps = (): string[] => fs.readdirSync(dir.path).filter((n) => n.endsWith(".fcs")).sort();
  await writeSome("a");
  const before = segmentsOf(dir.path).length;
  expect(before).toBeGreaterThan(3);
  const first = a.p.save();
  expect(segmentsOf(dir.path).length).toBe(before + 1); // nothing pruned: no older snapshot yet
  await writeSome("b");
  const beforeSecond = segmentsOf(dir.path).length;
  const second = a.p.save();
  expect(snaps()).toEqual([first.path, second.path].map((p) => p.slice(dir.path.length + 1)));
  const afterSecond = segmentsOf(dir.path);
  // What the first snapshot covers is gone; the segment holding the frame after it stays.
  expect(afterSecond.length).toBe(beforeSecond + 1 - before);
  expect(Number(/-(\d{20})\.log$/.exec(afterSecond[0]!)![1])).toBeLessThanOrEqual(first.seq + 1);
  await writeSome("c");
  const third = a.p.save();
  expect(snaps()).toEqual([second.path, third.path].map((p) => p.slice(dir.path.length + 1)));
  for (let i = 0; i < 50; i++) a.ks.set(bytes(`n${i}`), bytes("y"));
  const want = dump(a.ks);
  await a.p.close();
  const b = await reopen(dir.path, clock);
  expect(dump(b.ks)).toEqual(want);
  await b.p.close();
  // The newest snapshot damaged: the older one plus its WAL give the same state.
  const raw = fs.readFileSync(third.path);
  raw[raw.length - 30]! ^= 1;
  fs.writeFileSync(third.path, raw);
  const c = await reopen(dir.path, clock);
  expect(dump(c.ks)).toEqual(want);
  expect(c.p.recovery!.snapshot!.path).toBe(second.path);
  expect(fs.existsSync(`${third.path}.damaged`)).toBe(true);
  await c.p.close();
});

test("a damaged snapshot that nothing older covers refuses to start naming file and offset", async () => {
  using dir = tempDir();
  const clock = fakeClock();
  const a = await reopen(dir.path, clock, { segmentBytes: 4096 });
  const paths: string[] = [];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 300; i++) {
      a.ks.set(bytes(`k${i}`), bytes(`v${round}-${i}`.padEnd(30, "x")));
      if (i % 20 === 19) await new Promise((res) => setImmediate(res));
    }
    paths.push(a.p.save().path);
  }
  a.ks.set(bytes("later"), bytes("1"));
  await a.p.close();
  for (const snap of paths.slice(1)) {
    const b = fs.readFileSync(snap);
    b[b.length - 30]! ^= 1;
    fs.writeFileSync(snap, b);
  }
  const s = store(dir.path, clock);
  await expect(s.p.open(s.ks)).rejects.toThrow(new RegExp(`Snapshot corrupt: ${paths[2]}: chunk CRC mismatch at offset \\d+`));
  expect(s.lines.some((l) => l.startsWith(`Snapshot ${paths[2]} is not valid`))).toBe(true);
  expect(fs.existsSync(paths[2]!)).toBe(true);
  // The explicit repair starts with the frames the WAL still holds.
  const r = store(dir.path, clock, { snapshotRepair: "skip" });
  await r.p.open(r.ks);
  expect(dump(r.ks)).toContain("later=1@0#0");
  await r.p.close();
});

test("without the WAL, close saves a snapshot and the next start loads it", async () => {
  using dir = tempDir();
  const clock = fakeClock();
  const a = await reopen(dir.path, clock, { appendonly: false, snapshotEverySeconds: 300 });
  for (let i = 0; i < 100; i++) a.ks.set(bytes(`k${i}`), bytes(`v${i}`));
  const want = dump(a.ks);
  await a.p.close();
  expect(segmentsOf(dir.path)).toEqual([]);
  const b = store(dir.path, clock, { appendonly: false });
  b.p.openSync(b.ks);
  expect(dump(b.ks)).toEqual(want);
  await b.p.close();
});

test("a second owner of the directory gets a clear error; a stale lock is taken over", async () => {
  using dir = tempDir();
  const clock = fakeClock();
  const a = await reopen(dir.path, clock);
  const b = store(dir.path, clock);
  await expect(b.p.open(b.ks)).rejects.toThrow(`data directory ${dir.path} is in use by another fast-cache process (pid ${process.pid}`);
  await a.p.close();
  await b.p.open(b.ks);
  await b.p.close();
  // a lock left by a process that has exited
  const dead = Bun.spawnSync(["true"]).pid;
  fs.writeFileSync(join(dir.path, "s00000.lock"), `${dead} 1\n`);
  const c = await reopen(dir.path, clock);
  await c.p.close();
  // a lock held by another live process
  await using child = Bun.spawn(["sleep", "30"]);
  fs.writeFileSync(join(dir.path, "s00000.lock"), `${child.pid}\n`);
  const d = store(dir.path, clock);
  await expect(d.p.open(d.ks)).rejects.toThrow(`in use by another fast-cache process (pid ${child.pid}`);
  child.kill();
  await child.exited;
});

test("write errors turn into MISCONF replies for writes and clear themselves", async () => {
  using dir = tempDir();
  const clock = fakeClock();
  let failing = false;
  const io = {
    writeSync(fd: number, buf: Uint8Array, off: number, len: number): number {
      if (failing) throw Object.assign(new Error("ENOSPC"), { code: "ENOSPC" });
      return fs.writeSync(fd, buf, off, len);
    },
  };
  const a = await reopen(dir.path, clock, { io });
  a.ks.set(bytes("before"), bytes("1"));
  await a.p.durable();
  expect(a.p.misconfError()).toBeUndefined();
  failing = true;
  a.ks.set(bytes("during"), bytes("2")); // e.g. an expiry or eviction while the disk is full
  await new Promise((res) => setImmediate(res));
  expect(a.p.writable).toBe(false);
  expect(a.p.misconfError()).toBe("MISCONF Errors writing to the AOF file: No space left on device");
  expect(a.p.info()).toContain("aof_last_write_status:err\r\n");
  failing = false;
  await a.p.durable();
  expect(a.p.writable).toBe(true);
  expect(a.p.info()).toContain("aof_last_write_status:ok\r\n");
  const want = dump(a.ks);
  await a.p.close();
  const b = await reopen(dir.path, clock);
  expect(dump(b.ks)).toEqual(want);
  await b.p.close();
});

test("INFO persistence has Redis's fields and the WAL counters", async () => {
  using dir = tempDir();
  const clock = fakeClock();
  const a = await reopen(dir.path, clock, { appendfsync: "always" });
  a.ks.set(bytes("k"), bytes("v"));
  await a.p.durable();
  const info = a.p.info();
  for (const field of ["loading:0", "rdb_changes_since_last_save:1", "rdb_bgsave_in_progress:0", "rdb_last_bgsave_status:ok",
    "aof_enabled:1", "aof_last_write_status:ok", "wal_fsync_policy:always", "wal_frames_written:1", "wal_fsync_count:1", "wal_last_seq:1"]) {
    expect(info).toContain(`${field}\r\n`);
  }
  expect(info).toMatch(/rdb_last_save_time:\d+\r\n/);
  expect(info).toMatch(/wal_bytes_written:\d+\r\n/);
  expect(info).toMatch(/wal_fsync_time_us:\d+\r\n/);
  await a.p.close();
});

test("recovery of a large WAL logs its progress in keys and MB per second", async () => {
  using dir = tempDir();
  const clock = fakeClock();
  const a = await reopen(dir.path, clock);
  for (let i = 0; i < 5000; i++) a.ks.set(bytes(`k${i}`), bytes(`v${i}`));
  await a.p.close();
  const lines: string[] = [];
  const ks = new Keyspace({ now: clock.now });
  const r = await recover(ks, { dir: dir.path, now: clock.now, log: (l) => lines.push(l), progressEveryMs: 0 });
  expect(r.frames).toBe(5000);
  expect(r.lastSeq).toBe(5000);
  expect(lines.some((l) => /^Loading wal: \d+ keys, \d+ frames, [\d.]+ MB \(\d+ keys\/s, [\d.]+ MB\/s\)$/.test(l))).toBe(true);
});
