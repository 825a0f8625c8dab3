import { expect, test } from "bun:test";
import { WalExporter } from "../../src/export/exporter.ts";
import { decodeFcw2Frame, FCW2_MAGIC, fcw2Counters, newFcw2Frame, transcodeToFcw2 } from "../../src/export/fcw2.ts";
import { groupShape } from "../../src/export/chunk.ts";
import { WalStreamReader } from "../../src/export/stream-reader.ts";
import type { MutationRecord } from "../../src/engine/types.ts";
import { encodeFrame, frameSize } from "../../src/persistence/wal-format.ts";
import { acceptedSubscribers, bytes, Producer, subscribe, tempDir, text, until } from "./harness.ts";

const rec = (op: 1 | 2 | 3 | 4 | 6, key: string, value = "", expireAt = 0): MutationRecord =>
  ({ op, cause: 0, type: 0, key: bytes(key), value: bytes(value), expireAt });

/** FCW4 frames for `recs`, sequence numbers from 1, as the WAL writer would publish them. */
function group(recs: MutationRecord[]): Uint8Array {
  const buf = new Uint8Array(recs.reduce((n, m) => n + frameSize(m.key.length, m.value.length), 0));
  let off = 0;
  recs.forEach((m, i) => (off = encodeFrame(buf, off, m, i + 1, 0)));
  return buf.subarray(0, off);
}

test("an FCW2 frame is laid out byte for byte as fast-cache 0.1.0 wrote it", () => {
  const out = transcodeToFcw2(group([rec(1, "ab", "xyz", 1_700_000_000_123)]), 1, 1_699_999_999_000);
  // Built independently with DataView, field by field.
  const payload = new Uint8Array(25 + 2 + 3 + 4);
  const pv = new DataView(payload.buffer);
  pv.setUint8(0, 1);
  pv.setUint32(1, 2, true);
  pv.setUint32(5, 3, true);
  pv.setBigUint64(9, 1_699_999_999_000n, true);
  pv.setBigInt64(17, 1_700_000_000_123n, true);
  payload.set(bytes("abxyz"), 25);
  pv.setUint32(30, Bun.hash.crc32(payload.subarray(0, 30)), true);
  const frame = new Uint8Array(9 + payload.length + 4);
  const fv = new DataView(frame.buffer);
  frame.set(bytes("FCW2"), 0);
  fv.setUint8(4, 0);
  fv.setUint32(5, payload.length, true);
  frame.set(payload, 9);
  fv.setUint32(9 + payload.length, Bun.hash.crc32(frame.subarray(0, 9 + payload.length)), true);
  expect(out).toEqual(frame);
  expect(new DataView(out.buffer).getUint32(0, true)).toBe(FCW2_MAGIC);
});

test("our four ops map onto FCW2's three, with -1 for no expiry", () => {
  const g = group([rec(1, "k", "v"), rec(2, "k"), rec(3, "k", "", 5_000), rec(3, "k", "", 0), rec(4, "")]);
  const out = transcodeToFcw2(g, groupShape(g).frames, 42);
  const f = newFcw2Frame();
  const seen: string[] = [];
  for (let off = 0; off < out.length; ) {
    const n = decodeFcw2Frame(out, off, out.length, f);
    expect(n).toBeGreaterThan(0);
    seen.push(`${f.op}:${text(f.key)}=${text(f.value)}@${f.expireAt}#${f.timestamp}`);
    off += n;
  }
  expect(seen).toEqual(["1:k=v@-1#42", "2:k=@-1#42", "3:k=@5000#42", "3:k=@-1#42", "2:=@-1#42"]);
});

test("only database 0 is sent: frames of other databases and swapdb are skipped and counted", () => {
  const before = fcw2Counters.skippedFrames;
  const g = group([rec(1, "a", "0"), { ...rec(1, "b", "3"), db: 3 }, { ...rec(4, ""), db: 3 }, { op: 6, cause: 0, type: 0, key: bytes(""), value: bytes(""), expireAt: 2, db: 0 }, rec(2, "a")]);
  const out = transcodeToFcw2(g, groupShape(g).frames, 7);
  const f = newFcw2Frame();
  const seen: string[] = [];
  for (let off = 0; off < out.length; ) {
    const n = decodeFcw2Frame(out, off, out.length, f);
    expect(n).toBeGreaterThan(0);
    seen.push(`${f.op}:${text(f.key)}=${text(f.value)}`);
    off += n;
  }
  expect(seen).toEqual(["1:a=0", "2:a="]);
  expect(fcw2Counters.skippedFrames - before).toBe(3);
});

test("the FCW2 decoder refuses corrupt and LZ4-flagged frames", () => {
  const out = transcodeToFcw2(group([rec(1, "k", "v")]), 1, 1);
  const f = newFcw2Frame();
  for (let i = 0; i < out.length; i++) expect(decodeFcw2Frame(out, 0, i, f)).toBe(0);
  const flipped = out.slice();
  flipped[30]! ^= 1;
  expect(decodeFcw2Frame(flipped, 0, flipped.length, f)).toBe(-1);
  expect(f.error).toBe("frame CRC mismatch");
  const lz4 = out.slice();
  lz4[4] = 1;
  expect(decodeFcw2Frame(lz4, 0, lz4.length, f)).toBe(-1);
  expect(f.error).toBe("LZ4-compressed frames are not supported");
});

test("--wal-export-format fcw2 streams FCW2 frames that decode to the writes, and refuses resume", async () => {
  using dir = tempDir();
  const exp = new WalExporter({ mode: "listen", address: "127.0.0.1:0", walDir: dir.path, format: "fcw2" });
  await exp.start();
  const producer = new Producer(dir.path, exp);
  const got: string[] = [];
  const reader = new WalStreamReader();
  try {
    const s = await Bun.connect({
      hostname: "127.0.0.1",
      port: exp.port,
      socket: {
        binaryType: "uint8array",
        data: (_s, d) => reader.feed(d, (it) => void (it.kind === "fcw2" && got.push(`${it.frame.op}:${text(it.frame.key)}=${text(it.frame.value)}`))),
      },
    });
    await acceptedSubscribers(exp, 1); // fcw2 streams start at once: there is nothing to wait for
    producer.append(rec(1, "a", "1"));
    producer.append(rec(3, "a", "", Date.now() + 60_000));
    producer.append(rec(2, "a"));
    await producer.write(100, 30);
    await until(() => got.length === 103, "103 FCW2 frames");
    expect(got.slice(0, 4)).toEqual(["1:a=1", "3:a=", "2:a=", "1:key:4=value:4"]);
    s.end();
    const resumer = await subscribe(exp.port, { from: 3 });
    await resumer.waitClosed();
    expect(resumer.errors).toEqual(["resume is not available in the fcw2 format"]);
  } finally {
    await exp.stop();
    await producer.close();
  }
});
