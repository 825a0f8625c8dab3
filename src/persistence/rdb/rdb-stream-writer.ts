// Streams written as STREAM_LISTPACKS_2 (what Redis 7.0 writes), from our serialized stream
// (src/engine/stream/stream-value.ts). Each of our nodes becomes one listpack node holding its
// live entries (deleted ones are not kept by us, so every node has deleted = 0); the first
// entry's fields are the master fields and entries with the same fields are SAMEFIELDS.
import { elemNext, elemView, PACKED_HEADER, packedCount } from "../../engine/compound/packed.ts";
import { ListpackEncoder } from "./listpack-encoder.ts";
import type { RdbOutput } from "./rdb-output.ts";
import { STREAM_ITEM_FLAG_SAMEFIELDS } from "./rdb-stream.ts";

const dec = new TextDecoder();

function idParts(b: Uint8Array): [bigint, bigint] {
  const t = dec.decode(b);
  const dash = t.indexOf("-");
  return [BigInt(t.slice(0, dash)), BigInt(t.slice(dash + 1))];
}

const sameFields = (a: readonly Uint8Array[], fv: readonly Uint8Array[]): boolean => {
  if (a.length * 2 !== fv.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = fv[i * 2]!;
    if (x.length !== y.length) return false;
    for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
  }
  return true;
};

export function writeStreamValue(out: RdbOutput, packed: Uint8Array): void {
  const total = packedCount(packed);
  let p = PACKED_HEADER;
  let read = 0;
  const next = (): Uint8Array => {
    if (read++ >= total) throw new RangeError("RDB writer: truncated stream value");
    const v = elemView(packed, p);
    p = elemNext(packed, p);
    return v;
  };
  const num = (): bigint => BigInt(dec.decode(next()));
  const lastId = idParts(next());
  const maxDeleted = idParts(next());
  const entriesAdded = num();
  const nNodes = Number(num());
  const nodes: { master: [bigint, bigint]; entries: { id: [bigint, bigint]; fv: Uint8Array[] }[] }[] = [];
  let length = 0;
  for (let i = 0; i < nNodes; i++) {
    next(); // master id (the first live entry's is used: deleted entries are not kept)
    next(); // last id
    next(); // added
    next(); // listpack estimate
    const n = Number(num());
    const entries: { id: [bigint, bigint]; fv: Uint8Array[] }[] = [];
    for (let j = 0; j < n; j++) {
      const id = idParts(next());
      const k = Number(num());
      const fv: Uint8Array[] = [];
      for (let f = 0; f < k; f++) fv.push(next());
      entries.push({ id, fv });
    }
    if (entries.length > 0) nodes.push({ master: entries[0]!.id, entries });
    length += n;
  }
  out.len(nodes.length);
  for (const node of nodes) {
    const key = new Uint8Array(16);
    const kv = new DataView(key.buffer);
    kv.setBigUint64(0, node.master[0], false);
    kv.setBigUint64(8, node.master[1], false);
    out.string(key);
    const lp = new ListpackEncoder();
    const masterFields = node.entries[0]!.fv.filter((_x, i) => i % 2 === 0);
    lp.int(node.entries.length).int(0).int(masterFields.length);
    for (const f of masterFields) lp.str(f);
    lp.int(0);
    for (const e of node.entries) {
      const same = sameFields(masterFields, e.fv);
      lp.int(same ? STREAM_ITEM_FLAG_SAMEFIELDS : 0).int(e.id[0] - node.master[0]).int(e.id[1] - node.master[1]);
      if (same) for (let i = 1; i < e.fv.length; i += 2) lp.str(e.fv[i]!);
      else {
        lp.int(e.fv.length / 2);
        for (const x of e.fv) lp.str(x);
      }
      lp.int(same ? e.fv.length / 2 + 3 : e.fv.length + 4);
    }
    out.string(lp.finish());
  }
  const first = nodes[0]?.entries[0]?.id ?? [0n, 0n];
  out.len(length).lenBig(lastId[0]).lenBig(lastId[1]);
  out.lenBig(first[0]).lenBig(first[1]).lenBig(maxDeleted[0]).lenBig(maxDeleted[1]).lenBig(entriesAdded);
  const nGroups = Number(num());
  out.len(nGroups);
  for (let g = 0; g < nGroups; g++) {
    const name = next();
    const gLast = idParts(next());
    const entriesRead = num();
    const nCons = Number(num());
    const consumers: { name: Uint8Array; seen: bigint; pel: Uint8Array[] }[] = [];
    for (let c = 0; c < nCons; c++) consumers.push({ name: next(), seen: num(), pel: [] });
    const nPel = Number(num());
    const pel: { raw: Uint8Array; time: bigint; count: bigint }[] = [];
    for (let k = 0; k < nPel; k++) {
      const id = idParts(next());
      const raw = new Uint8Array(16);
      const rv = new DataView(raw.buffer);
      rv.setBigUint64(0, id[0], false);
      rv.setBigUint64(8, id[1], false);
      const time = num();
      const count = num();
      const owner = dec.decode(next());
      pel.push({ raw, time, count });
      const c = consumers.find((x) => dec.decode(x.name) === owner);
      if (c !== undefined) c.pel.push(raw);
    }
    out.string(name).lenBig(gLast[0]).lenBig(gLast[1]);
    out.lenBig(BigInt.asUintN(64, entriesRead));
    out.len(pel.length);
    for (const e of pel) out.raw(e.raw).i64LE(e.time).len(Number(e.count));
    out.len(consumers.length);
    for (const c of consumers) {
      out.string(c.name).i64LE(c.seen).len(c.pel.length);
      for (const r of c.pel) out.raw(r);
    }
  }
}
