// Streams in RDB files (STREAM_LISTPACKS, _2 from Redis 7.0, _3 from 7.2) read into our serialized
// stream (src/engine/stream/stream-value.ts). A node is a 16-byte big-endian master ID and a
// listpack (redis/src/t_stream.c):
//   count deleted nMasterFields masterField* 0   then per entry:
//   flags msDiff seqDiff [nFields (field value)* | value*  when flags has SAMEFIELDS] lpCount
import { PackedWriter } from "../../engine/compound/packed.ts";
import { parseStream, STREAM_TAG } from "../../engine/stream/stream-value.ts";
import { decodeListpack } from "./compact-decoders.ts";
import type { RdbInput } from "./rdb-input.ts";
import { RdbType } from "./rdb-types.ts";

export const STREAM_ITEM_FLAG_DELETED = 1;
export const STREAM_ITEM_FLAG_SAMEFIELDS = 2;

const enc = new TextEncoder();
const dec = new TextDecoder();
const ascii = (v: string | number | bigint): Uint8Array => enc.encode(String(v));
const idText = (ms: bigint, seq: bigint): Uint8Array => ascii(`${ms}-${seq}`);

function u64BE(b: Uint8Array, p: number): bigint {
  return new DataView(b.buffer, b.byteOffset + p, 8).getBigUint64(0, false);
}

interface NodeRead {
  master: Uint8Array;
  last: Uint8Array;
  added: number;
  lpBytes: number;
  live: { id: Uint8Array; fv: Uint8Array[] }[];
}

function readNode(inp: RdbInput): NodeRead {
  const at = inp.pos;
  const key = inp.string();
  if (key.length !== 16) inp.fail(`stream node key of ${key.length} bytes (16 expected)`, at);
  const ms0 = u64BE(key, 0);
  const seq0 = u64BE(key, 8);
  const lpAt = inp.pos;
  const lp = inp.string();
  const els = decodeListpack(lp, lpAt);
  if (els.length === 0) inp.fail("empty stream listpack", lpAt);
  let i = 0;
  const next = (): Uint8Array => {
    if (i >= els.length) inp.fail("stream listpack ends inside an entry", lpAt);
    return els[i++]!;
  };
  const num = (): bigint => {
    const t = dec.decode(next());
    if (!/^-?\d+$/.test(t)) inp.fail(`stream listpack: "${t.slice(0, 20)}" where an integer was expected`, lpAt);
    return BigInt(t);
  };
  const count = Number(num());
  const deleted = Number(num());
  const nMaster = Number(num());
  const masterFields: Uint8Array[] = [];
  for (let f = 0; f < nMaster; f++) masterFields.push(next());
  if (num() !== 0n) inp.fail("stream listpack: master entry terminator is not 0", lpAt);
  const live: NodeRead["live"] = [];
  let lastMs = ms0;
  let lastSeq = seq0;
  let seen = 0;
  while (i < els.length) {
    const flags = Number(num());
    const ms = ms0 + num();
    const seq = seq0 + num();
    const fv: Uint8Array[] = [];
    if (flags & STREAM_ITEM_FLAG_SAMEFIELDS) for (const f of masterFields) fv.push(f, next());
    else {
      const n = Number(num());
      for (let f = 0; f < n * 2; f++) fv.push(next());
    }
    num(); // lp-count
    seen++;
    lastMs = ms;
    lastSeq = seq;
    if (!(flags & STREAM_ITEM_FLAG_DELETED)) live.push({ id: idText(ms, seq), fv });
  }
  if (live.length !== count || seen !== count + deleted) inp.fail(`stream node counts ${count}+${deleted} do not match its ${seen} entries`, lpAt);
  return { master: idText(ms0, seq0), last: idText(lastMs, lastSeq), added: seen, lpBytes: lp.length, live };
}

/** Reads a stream value of RDB type `t` into our serialized form. */
export function readStream(inp: RdbInput, t: number): Uint8Array {
  const nNodes = inp.count(2);
  const nodes: NodeRead[] = [];
  for (let n = 0; n < nNodes; n++) nodes.push(readNode(inp));
  const length = inp.lenBig();
  const lastId = idText(inp.lenBig(), inp.lenBig());
  let maxDeleted = idText(0n, 0n);
  let entriesAdded = length;
  if (t >= RdbType.StreamListpacks2) {
    inp.lenBig();
    inp.lenBig(); // first id (derived from the nodes)
    maxDeleted = idText(inp.lenBig(), inp.lenBig());
    entriesAdded = inp.lenBig();
  }
  let live = 0;
  for (const n of nodes) live += n.live.length;
  if (BigInt(live) !== length) inp.fail(`stream length ${length} != ${live} entries in its nodes`);
  const w = new PackedWriter().begin(STREAM_TAG as 0);
  w.push(lastId).push(maxDeleted).push(ascii(entriesAdded)).push(ascii(nodes.length));
  for (const n of nodes) {
    w.push(n.master).push(n.last).push(ascii(n.added)).push(ascii(n.lpBytes)).push(ascii(n.live.length));
    for (const e of n.live) {
      w.push(e.id).push(ascii(e.fv.length));
      for (const x of e.fv) w.push(x);
    }
  }
  const nGroups = inp.count();
  w.push(ascii(nGroups));
  for (let g = 0; g < nGroups; g++) {
    const name = inp.string();
    const gLast = idText(inp.lenBig(), inp.lenBig());
    let entriesRead = -1n;
    if (t >= RdbType.StreamListpacks2) entriesRead = BigInt.asIntN(64, inp.lenBig());
    const nPel = inp.count(16);
    const pel: { raw: Uint8Array; time: bigint; count: bigint; owner?: Uint8Array }[] = [];
    const byId = new Map<string, (typeof pel)[number]>();
    for (let k = 0; k < nPel; k++) {
      const raw = inp.take(16);
      const e = { raw, time: inp.i64LE(), count: inp.lenBig() };
      pel.push(e);
      byId.set(dec.decode(idText(u64BE(raw, 0), u64BE(raw, 8))), e);
    }
    const nCons = inp.count();
    const consumers: { name: Uint8Array; seen: bigint }[] = [];
    for (let c = 0; c < nCons; c++) {
      const cname = inp.string();
      const seen = inp.i64LE();
      if (t >= RdbType.StreamListpacks3) inp.i64LE(); // active time (7.2)
      consumers.push({ name: cname, seen });
      const nOwn = inp.count(16);
      for (let k = 0; k < nOwn; k++) {
        const at = inp.pos;
        const raw = inp.take(16);
        const e = byId.get(dec.decode(idText(u64BE(raw, 0), u64BE(raw, 8))));
        if (e === undefined || e.owner !== undefined) inp.fail("consumer PEL entry missing from (or doubled in) the group PEL", at);
        e.owner = cname;
      }
    }
    w.push(name).push(gLast).push(ascii(entriesRead)).push(ascii(consumers.length));
    for (const c of consumers) w.push(c.name).push(ascii(c.seen));
    w.push(ascii(pel.length));
    for (const e of pel) {
      if (e.owner === undefined) inp.fail("group PEL entry owned by no consumer");
      w.push(idText(u64BE(e.raw, 0), u64BE(e.raw, 8))).push(ascii(e.time)).push(ascii(e.count)).push(e.owner);
    }
  }
  const out = w.finish().slice();
  if (parseStream(out) === undefined) inp.fail("stream value is inconsistent");
  return out;
}
