// Reads one RDB value (after its type byte) into our packed format (src/engine/compound/packed.ts;
// strings: the bytes). Every encoding Redis 7.0 writes or still loads; streams in rdb-stream.ts.
import { packElements, PackedTag } from "../../engine/compound/packed.ts";
import { ValueType } from "../../engine/types.ts";
import { scoreBytes } from "../../engine/zset/zset-packed.ts";
import { compareBytes, parseScore } from "../../engine/zset/zset-score.ts";
import { decodeIntset, decodeListpack, decodeZiplist, decodeZipmap } from "./compact-decoders.ts";
import type { RdbInput } from "./rdb-input.ts";
import { readStream } from "./rdb-stream.ts";
import { RdbType } from "./rdb-types.ts";

export interface RdbValue {
  type: ValueType;
  packed: Uint8Array;
}

const dec = new TextDecoder();

/** Quicklist node containers (QUICKLIST_2). */
const NODE_PLAIN = 1;
const NODE_PACKED = 2;

/** The string blob of a compact encoding, decoded by `decode` with offsets relative to the file. */
function blob(inp: RdbInput, decode: (b: Uint8Array, base: number) => Uint8Array[]): Uint8Array[] {
  const at = inp.pos;
  const b = inp.string();
  return decode(b, at);
}

/** A sorted set's packed value from member/score pairs in any order. */
export function packZSet(members: Uint8Array[], scores: number[], inp: RdbInput, at: number): Uint8Array {
  const order = members.map((_m, i) => i);
  for (const s of scores) if (Number.isNaN(s)) inp.fail("sorted set score is NaN", at);
  order.sort((a, b) => (scores[a]! < scores[b]! ? -1 : scores[a]! > scores[b]! ? 1 : compareBytes(members[a]!, members[b]!)));
  const els: Uint8Array[] = [];
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (k > 0 && compareBytes(members[order[k - 1]!]!, members[i]!) === 0) inp.fail("duplicate sorted set member", at);
    els.push(members[i]!, scoreBytes(scores[i]!).slice());
  }
  return packElements(els);
}

function zsetFromPairs(els: Uint8Array[], inp: RdbInput, at: number): Uint8Array {
  if (els.length % 2 !== 0) inp.fail("sorted set with an odd element count", at);
  const members: Uint8Array[] = [];
  const scores: number[] = [];
  for (let i = 0; i < els.length; i += 2) {
    members.push(els[i]!);
    const s = parseScore(dec.decode(els[i + 1]!));
    if (s === undefined) inp.fail("invalid sorted set score", at);
    scores.push(s);
  }
  return packZSet(members, scores, inp, at);
}

function checkPairs(els: Uint8Array[], inp: RdbInput, at: number): Uint8Array[] {
  if (els.length % 2 !== 0) inp.fail("hash with an odd element count", at);
  const seen = new Set<string>();
  for (let i = 0; i < els.length; i += 2) {
    const f = dec.decode(els[i]!);
    if (seen.has(f)) inp.fail("duplicate hash field", at);
    seen.add(f);
  }
  return els;
}

function readList(inp: RdbInput, t: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (t === RdbType.List) {
    const n = inp.count();
    for (let i = 0; i < n; i++) out.push(inp.string());
  } else if (t === RdbType.ListZiplist) out.push(...blob(inp, decodeZiplist));
  else if (t === RdbType.ListQuicklist) {
    const n = inp.count();
    for (let i = 0; i < n; i++) for (const e of blob(inp, decodeZiplist)) out.push(e);
  } else {
    const n = inp.count(2);
    for (let i = 0; i < n; i++) {
      const at = inp.pos;
      const container = inp.len();
      if (container === NODE_PLAIN) out.push(inp.string());
      else if (container === NODE_PACKED) {
        const els = blob(inp, decodeListpack);
        if (els.length === 0) inp.fail("empty quicklist node", at);
        for (const e of els) out.push(e);
      } else inp.fail(`unknown quicklist container ${container}`, at);
    }
  }
  return out;
}

/** Reads a value of RDB type `t`; `inp` is just after the key. */
export function readValue(inp: RdbInput, t: number): RdbValue {
  const at = inp.pos;
  switch (t) {
    case RdbType.String:
      return { type: ValueType.String, packed: inp.ownString() };
    case RdbType.List:
    case RdbType.ListZiplist:
    case RdbType.ListQuicklist:
    case RdbType.ListQuicklist2: {
      const els = readList(inp, t);
      if (els.length === 0) inp.fail("empty list", at);
      return { type: ValueType.List, packed: packElements(els) };
    }
    case RdbType.Set: {
      const n = inp.count();
      const els: Uint8Array[] = [];
      for (let i = 0; i < n; i++) els.push(inp.string());
      return { type: ValueType.Set, packed: packElements(els) };
    }
    case RdbType.SetIntset:
      return { type: ValueType.Set, packed: packElements(blob(inp, decodeIntset)) };
    case RdbType.SetListpack:
      return { type: ValueType.Set, packed: packElements(blob(inp, decodeListpack)) };
    case RdbType.ZSet:
    case RdbType.ZSet2: {
      const n = inp.count(2);
      const members: Uint8Array[] = [];
      const scores: number[] = [];
      for (let i = 0; i < n; i++) {
        members.push(inp.string());
        scores.push(t === RdbType.ZSet2 ? inp.f64LE() : inp.textDouble());
      }
      return { type: ValueType.ZSet, packed: packZSet(members, scores, inp, at) };
    }
    case RdbType.ZSetZiplist:
      return { type: ValueType.ZSet, packed: zsetFromPairs(blob(inp, decodeZiplist), inp, at) };
    case RdbType.ZSetListpack:
      return { type: ValueType.ZSet, packed: zsetFromPairs(blob(inp, decodeListpack), inp, at) };
    case RdbType.Hash: {
      const n = inp.count(2);
      const els: Uint8Array[] = [];
      for (let i = 0; i < n; i++) els.push(inp.string(), inp.string());
      return { type: ValueType.Hash, packed: packElements(checkPairs(els, inp, at), PackedTag.List) };
    }
    case RdbType.HashZipmap:
      return { type: ValueType.Hash, packed: packElements(checkPairs(blob(inp, decodeZipmap), inp, at)) };
    case RdbType.HashZiplist:
      return { type: ValueType.Hash, packed: packElements(checkPairs(blob(inp, decodeZiplist), inp, at)) };
    case RdbType.HashListpack:
      return { type: ValueType.Hash, packed: packElements(checkPairs(blob(inp, decodeListpack), inp, at)) };
    case RdbType.StreamListpacks:
    case RdbType.StreamListpacks2:
    case RdbType.StreamListpacks3:
      return { type: ValueType.Stream, packed: readStream(inp, t) };
    case RdbType.Module:
    case RdbType.Module2:
      return inp.fail("module value types are not supported (fast-cache loads no Redis modules)", at - 1);
  }
  return inp.fail(`unknown value type ${t}`, at - 1);
}
