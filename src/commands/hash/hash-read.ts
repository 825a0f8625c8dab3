// Read commands of the hash family (Redis's t_hash.c): HGET HMGET HGETALL HKEYS HVALS HLEN
// HSTRLEN HEXISTS HRANDFIELD HSCAN.

import { globMatch } from "../../engine/glob.ts";
import { hashEntries, hashGet, hashLength, hashScan } from "../../engine/hash/hash-type.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX } from "../../protocol/errors.ts";
import { isKeyword, parseBigInt64, parseInt64 } from "../args.ts";
import { cursorOrReply, matchesAll, replyEmptyScan } from "../key-ops.ts";
import type { Args, Client } from "../types.ts";
import { lookupHashOrReply } from "./lookup.ts";

// HGET key field
export function cmdHGet(c: Client, argv: Args): void {
  const slot = lookupHashOrReply(c, argv[1]!, true);
  if (slot === -2) return;
  const v = slot < 0 ? undefined : hashGet(c.db, argv[1]!, slot, argv[2]!);
  if (v === undefined) c.reply.nullBulk();
  else c.reply.bulk(v);
}

// HMGET key field [field ...]
export function cmdHMGet(c: Client, argv: Args): void {
  const slot = lookupHashOrReply(c, argv[1]!, true);
  if (slot === -2) return;
  c.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    // A read may reclaim an expired field (and with the last one, the key): look up again.
    const s = i === 2 ? slot : c.db.peek(argv[1]!);
    const v = s < 0 ? undefined : hashGet(c.db, argv[1]!, s, argv[i]!);
    if (v === undefined) c.reply.nullBulk();
    else c.reply.bulk(v);
  }
}

/** HGETALL, HKEYS and HVALS: what = 3 both, 1 fields, 2 values. */
function getAllGeneric(c: Client, argv: Args, what: 1 | 2 | 3): void {
  const slot = lookupHashOrReply(c, argv[1]!, true);
  if (slot === -2) return;
  const reply = c.reply;
  if (slot < 0) {
    if (what === 3 && reply.resp === 3) reply.mapHeader(0);
    else reply.arrayHeader(0);
    return;
  }
  const entries = hashEntries(c.db, slot);
  if (what === 3) {
    if (reply.resp === 3) reply.mapHeader(entries.length);
    else reply.arrayHeader(entries.length * 2);
  } else reply.arrayHeader(entries.length);
  for (const [f, v] of entries) {
    if (what & 1) reply.bulk(f);
    if (what & 2) reply.bulk(v);
  }
}

// HGETALL key
export const cmdHGetAll = (c: Client, argv: Args): void => getAllGeneric(c, argv, 3);
// HKEYS key
export const cmdHKeys = (c: Client, argv: Args): void => getAllGeneric(c, argv, 1);
// HVALS key
export const cmdHVals = (c: Client, argv: Args): void => getAllGeneric(c, argv, 2);

// HLEN key
export function cmdHLen(c: Client, argv: Args): void {
  const slot = lookupHashOrReply(c, argv[1]!, true);
  if (slot === -2) return;
  c.reply.integer(slot < 0 ? 0 : hashLength(c.db, slot));
}

// HSTRLEN key field
export function cmdHStrLen(c: Client, argv: Args): void {
  const slot = lookupHashOrReply(c, argv[1]!, true);
  if (slot === -2) return;
  const v = slot < 0 ? undefined : hashGet(c.db, argv[1]!, slot, argv[2]!);
  c.reply.integer(v === undefined ? 0 : v.length);
}

// HEXISTS key field
export function cmdHExists(c: Client, argv: Args): void {
  const slot = lookupHashOrReply(c, argv[1]!, true);
  if (slot === -2) return;
  c.reply.integer(slot >= 0 && hashGet(c.db, argv[1]!, slot, argv[2]!) !== undefined ? 1 : 0);
}

const LONG_MAX = 9223372036854775807n;

// HRANDFIELD key [count [WITHVALUES]]
export function cmdHRandField(c: Client, argv: Args): void {
  const reply = c.reply;
  if (argv.length === 2) {
    const slot = lookupHashOrReply(c, argv[1]!, true);
    if (slot === -2) return;
    if (slot < 0) return reply.nullBulk();
    const entries = hashEntries(c.db, slot);
    if (entries.length === 0) return reply.nullBulk();
    return reply.bulk(entries[Math.floor(Math.random() * entries.length)]![0]);
  }
  if (argv.length > 4 || (argv.length === 4 && !isKeyword(argv[3]!, "withvalues"))) return reply.error(ERR_SYNTAX);
  const withValues = argv.length === 4;
  const big = parseBigInt64(argv[2]!);
  if (big === undefined) return reply.error(ERR_NOT_INTEGER);
  if (big < -LONG_MAX || (withValues && (big < -LONG_MAX / 2n || big > LONG_MAX / 2n))) {
    return reply.error(withValues ? "ERR value is out of range" : `ERR value is out of range, value must between ${-LONG_MAX} and ${LONG_MAX}`);
  }
  const slot = lookupHashOrReply(c, argv[1]!, true);
  if (slot === -2) return;
  if (slot < 0 || big === 0n) return reply.arrayHeader(0);
  const entries = hashEntries(c.db, slot);
  let picks: [Uint8Array, Uint8Array][];
  if (big < 0n) {
    const n = Number(-big);
    picks = new Array(n);
    for (let i = 0; i < n; i++) picks[i] = entries[Math.floor(Math.random() * entries.length)]!;
  } else if (big >= BigInt(entries.length)) {
    picks = entries;
  } else {
    // Distinct fields: a partial Fisher-Yates shuffle.
    const n = Number(big);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(Math.random() * (entries.length - i));
      const t = entries[i]!;
      entries[i] = entries[j]!;
      entries[j] = t;
    }
    picks = entries.slice(0, n);
  }
  if (withValues && reply.resp === 3) {
    reply.arrayHeader(picks.length);
    for (const [f, v] of picks) {
      reply.arrayHeader(2);
      reply.bulk(f);
      reply.bulk(v);
    }
    return;
  }
  reply.arrayHeader(withValues ? picks.length * 2 : picks.length);
  for (const [f, v] of picks) {
    reply.bulk(f);
    if (withValues) reply.bulk(v);
  }
}

// HSCAN key cursor [MATCH pattern] [COUNT count] [NOVALUES]
export function cmdHScan(c: Client, argv: Args): void {
  const cursor = cursorOrReply(c, argv[2]!);
  if (cursor < 0) return;
  // As Redis 7.0: the key is looked up before the options are parsed (a missing key answers the
  // empty scan even with bad options; a wrong type answers WRONGTYPE first).
  const slot = lookupHashOrReply(c, argv[1]!, true);
  if (slot === -2) return;
  if (slot < 0) return replyEmptyScan(c);
  let count = 10;
  let pattern: Uint8Array | undefined;
  let noValues = false;
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i]!;
    const hasValue = i + 1 < argv.length;
    if (hasValue && isKeyword(opt, "count")) {
      const n = parseInt64(argv[++i]!);
      if (Number.isNaN(n)) return c.reply.error(ERR_NOT_INTEGER);
      if (n < 1) return c.reply.error(ERR_SYNTAX);
      count = n;
    } else if (hasValue && isKeyword(opt, "match")) {
      const p = argv[++i]!;
      pattern = matchesAll(p) ? undefined : p;
    } else if (isKeyword(opt, "novalues")) {
      noValues = true;
    } else return c.reply.error(ERR_SYNTAX);
  }
  const out: Uint8Array[] = [];
  const next = hashScan(c.db, slot, cursor, Math.min(count, 1 << 30), (f, v) => {
    if (pattern !== undefined && !globMatch(pattern, f)) return;
    out.push(f.slice());
    if (!noValues) out.push(v.slice());
  });
  c.reply.arrayHeader(2);
  c.reply.bulkString(String(next));
  c.reply.arrayHeader(out.length);
  for (const b of out) c.reply.bulk(b);
}
