// The ring and the disk behind it hold every byte of the stream since the disk's first offset:
// random appends of every size (smaller and larger than the ring), reads from every offset
// compared with the stream itself, the limit pruning the oldest segments, and a resize.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DiskBacklog } from "../../src/replication/disk-backlog.ts";
import { ReplBacklog } from "../../src/replication/repl-backlog.ts";
import { rng } from "./helpers.ts";

const root = mkdtempSync(join(tmpdir(), "fc-disk-backlog-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Bytes [from, end] of the stream, read back as a replica's resync would: disk, then ring. */
function readBack(b: ReplBacklog, from: number): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  let at = from;
  while (at < b.firstByteOffset) {
    const piece = b.disk?.read(at, 1 << 20);
    if (piece === undefined) return undefined;
    parts.push(piece);
    at += piece.length;
  }
  const tail = b.since(at);
  if (tail === undefined) return undefined;
  parts.push(tail);
  return Buffer.concat(parts);
}

test("every offset since the disk's first is held, byte for byte, under random appends", () => {
  const r = rng(3);
  const stream: number[] = [];
  const ring = 4096;
  const b = new ReplBacklog(ring, 100, new DiskBacklog(join(root, "a"), 101, 3 << 20));
  for (let i = 0; i < 3000; i++) {
    const n = r() < 0.02 ? Math.floor(r() * 3 * ring) : Math.floor(r() * 2800);
    const chunk = new Uint8Array(n);
    for (let j = 0; j < n; j++) chunk[j] = Math.floor(r() * 256);
    b.append(chunk);
    for (const x of chunk) stream.push(x);
    if (i === 1500) b.resize(1024);
  }
  const end = 100 + stream.length;
  expect(b.offset).toBe(end);
  const first = b.heldFrom;
  expect(first).toBeGreaterThan(101); // the 3 MiB limit pruned the oldest segments
  expect(end - first + 1).toBeGreaterThanOrEqual(2 << 20);
  expect(end - first + 1).toBeLessThanOrEqual(3 << 20);
  for (const from of [first, first + 1, first + 777, b.firstByteOffset - 1, b.firstByteOffset, end - 5, end + 1]) {
    const got = readBack(b, from)!;
    expect(got.length).toBe(end + 1 - from);
    expect(Buffer.from(got).equals(Buffer.from(stream.slice(from - 101)))).toBe(true);
  }
  expect(readBack(b, first - 1)).toBeUndefined();
  b.disk!.close();
});

test("a lowered limit closes the segment being written so the older ones go", () => {
  const b = new ReplBacklog(1024, 0, new DiskBacklog(join(root, "b"), 1, 256 << 20));
  const chunk = new Uint8Array(64 << 10).fill(7);
  for (let i = 0; i < 64; i++) b.append(chunk); // 4 MiB, one segment
  b.disk!.setLimit(1 << 20);
  for (let i = 0; i < 32; i++) b.append(chunk); // 2 MiB more
  expect(b.disk!.bytes).toBeLessThanOrEqual(1 << 20);
  expect(b.heldFrom).toBeGreaterThan(4 << 20);
  b.disk!.close();
});
