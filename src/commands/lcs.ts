// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
// The longest common subsequence of two strings, with Redis 7.0's dynamic programming table and
// its exact way of walking it back into match ranges (so IDX output matches Redis range for range).

import { ValueType } from "../engine/types.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX } from "../protocol/errors.ts";
import { isKeyword, parseInt64 } from "./args.ts";
import { protoMaxBulkLen } from "./string-value.ts";
import type { Args, Client } from "./types.ts";

export const ERR_LCS_NOT_STRINGS = "ERR The specified keys must contain string values";
export const ERR_LCS_LEN_AND_IDX = "ERR If you want both the length and indexes, please just use IDX.";
export const ERR_LCS_TOO_LONG = "ERR String too long for LCS";
export const ERR_LCS_TABLE_TOO_BIG = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";

const EMPTY = new Uint8Array(0);
const enc = new TextEncoder();
const MATCHES = enc.encode("matches");
const LEN = enc.encode("len");

/** A copy of the string at `key` (empty when missing), or undefined when it holds another type. */
function stringCopy(c: Client, key: Uint8Array): Uint8Array | undefined {
  const db = c.db;
  const slot = db.lookup(key);
  if (slot < 0) return EMPTY;
  if (db.typeOf(slot) !== ValueType.String) return undefined;
  return db.valueView(slot).slice();
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
export function cmdLcs(c: Client, argv: Args): void {
  const a = stringCopy(c, argv[1]!);
  const b = stringCopy(c, argv[2]!);
  if (a === undefined || b === undefined) return c.reply.error(ERR_LCS_NOT_STRINGS);
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!;
    const moreArgs = argv.length - 1 - j;
    if (isKeyword(opt, "idx")) getIdx = true;
    else if (isKeyword(opt, "len")) getLen = true;
    else if (isKeyword(opt, "withmatchlen")) withMatchLen = true;
    else if (moreArgs > 0 && isKeyword(opt, "minmatchlen")) {
      const v = parseInt64(argv[j + 1]!);
      if (Number.isNaN(v)) return c.reply.error(ERR_NOT_INTEGER);
      minMatchLen = v < 0 ? 0 : v;
      j++;
    } else {
      return c.reply.error(ERR_SYNTAX);
    }
  }
  if (getIdx && getLen) return c.reply.error(ERR_LCS_LEN_AND_IDX);
  const alen = a.length;
  const blen = b.length;
  if (alen >= 0xffffffff - 1 || blen >= 0xffffffff - 1) return c.reply.error(ERR_LCS_TOO_LONG);
  const cells = (alen + 1) * (blen + 1);
  if (cells * 4 > protoMaxBulkLen(c)) return c.reply.error(ERR_LCS_TABLE_TOO_BIG);

  // lcs[j + (blen+1)*i] = length of the LCS of a[0..i) and b[0..j).
  const w = blen + 1;
  const lcs = new Uint32Array(cells);
  for (let i = 1; i <= alen; i++) {
    const ai = a[i - 1];
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) lcs[row + j] = lcs[prev + j - 1]! + 1;
      else {
        const up = lcs[prev + j]!;
        const left = lcs[row + j - 1]!;
        lcs[row + j] = up > left ? up : left;
      }
    }
  }
  const total = lcs[alen * w + blen]!;
  const reply = c.reply;
  if (getLen && !getIdx) return reply.integer(total);

  const result = new Uint8Array(total);
  let idx = total;
  // Ranges are collected first because the reply's array length comes before them.
  const ranges: number[] = [];
  let aStart = alen; // alen: no range in progress
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1]!;
      if (aStart === alen) {
        aStart = i - 1;
        aEnd = i - 1;
        bStart = j - 1;
        bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      const up = lcs[(i - 1) * w + j]!;
      const left = lcs[i * w + j - 1]!;
      if (up > left) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (minMatchLen === 0 || matchLen >= minMatchLen) ranges.push(aStart, aEnd, bStart, bEnd, matchLen);
      aStart = alen;
    }
  }
  if (!getIdx) return reply.bulk(result);

  reply.mapHeader(2);
  reply.bulk(MATCHES);
  reply.arrayHeader(ranges.length / 5);
  for (let k = 0; k < ranges.length; k += 5) {
    reply.arrayHeader(withMatchLen ? 3 : 2);
    reply.arrayHeader(2);
    reply.integer(ranges[k]!);
    reply.integer(ranges[k + 1]!);
    reply.arrayHeader(2);
    reply.integer(ranges[k + 2]!);
    reply.integer(ranges[k + 3]!);
    if (withMatchLen) reply.integer(ranges[k + 4]!);
  }
  reply.bulk(LEN);
  reply.integer(total);
}
