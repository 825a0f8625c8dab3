// Typed lookup of a sorted set key for the ZSET family (WRONGTYPE replied for you), and the
// reply shapes of scored members (RESP2 flat member, score...; RESP3 [member, score] pairs).
import { ValueType } from "../../engine/types.ts";
import { ERR_WRONGTYPE } from "../../protocol/errors.ts";
import { formatScore } from "../../engine/zset/zset-score.ts";
import type { Client } from "../types.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

/** lookupZSetOrReply's answer when the key holds another type (WRONGTYPE was written). */
export const WRONG_TYPE = -2;

/** Slot of `key` when it holds a sorted set, -1 when missing, or WRONG_TYPE after replying. */
export function lookupZSetOrReply(c: Client, key: Uint8Array, read: boolean): number {
  const slot = read ? c.db.lookup(key) : c.db.peek(key);
  if (slot >= 0 && c.db.typeOf(slot) !== ValueType.ZSet) {
    c.reply.error(ERR_WRONGTYPE);
    return WRONG_TYPE;
  }
  return slot;
}

const ascii = new TextEncoder();

/** A score as Redis 7.0's addReplyDouble writes it: `%.17g`, a bulk string in RESP2, `,` in RESP3. */
export function replyScore(c: Client, x: number): void {
  const s = formatScore(x);
  if (c.reply.resp === 3) c.reply.raw(ascii.encode(`,${s}\r\n`));
  else c.reply.bulkString(s);
}

/** Members (and their scores when `withScores`) as ZRANGE replies them. */
export function replyScored(c: Client, members: readonly Uint8Array[], scores: readonly number[], withScores: boolean): void {
  const n = members.length;
  if (!withScores) {
    c.reply.arrayHeader(n);
    for (let i = 0; i < n; i++) c.reply.bulk(members[i]!);
    return;
  }
  const nested = c.reply.resp === 3;
  c.reply.arrayHeader(nested ? n : n * 2);
  for (let i = 0; i < n; i++) {
    if (nested) c.reply.arrayHeader(2);
    c.reply.bulk(members[i]!);
    replyScore(c, scores[i]!);
  }
}

/** A collected range (views of no member made) as ZRANGE replies it. */
export function replyCollected(c: Client, got: { srcs: Uint8Array[]; offs: number[]; lens: number[]; scores: number[] }, withScores: boolean): void {
  const n = got.srcs.length;
  const nested = withScores && c.reply.resp === 3;
  c.reply.arrayHeader(withScores && !nested ? n * 2 : n);
  for (let i = 0; i < n; i++) {
    if (nested) c.reply.arrayHeader(2);
    c.reply.bulkFrom(got.srcs[i]!, got.offs[i]!, got.lens[i]!);
    if (withScores) replyScore(c, got.scores[i]!);
  }
}

/** The numkeys-counted key positions of `argv` (movable keys), or just `first` when numkeys is bad. */
export function numkeysPositions(argv: readonly Uint8Array[], numkeysIndex: number, fixed: readonly number[]): number[] {
  const text = Buffer.from(argv[numkeysIndex]!.buffer, argv[numkeysIndex]!.byteOffset, argv[numkeysIndex]!.length).toString("latin1");
  const n = /^[1-9]\d{0,6}$/.test(text) ? Number(text) : 0;
  const out = [...fixed];
  if (n <= 0 || numkeysIndex + n > argv.length - 1) return out.length > 0 ? out : [numkeysIndex + 1];
  for (let i = 1; i <= n; i++) out.push(numkeysIndex + i);
  return out;
}

/** The events of a store into `dst` (`existed` before it): `event`, or del for an empty result. */
export function notifyZsetStored(c: Client, event: string, dst: Uint8Array, size: number, existed: boolean): void {
  if (size > 0) notify(c, NC.ZSET, event, dst);
  else if (existed) notify(c, NC.GENERIC, "del", dst);
}

/** The events of removing members of `key`: `event`, and del when the sorted set is gone. */
export function notifyZsetRemoved(c: Client, event: string, key: Uint8Array): void {
  notify(c, NC.ZSET, event, key);
  if (c.db.peek(key) < 0) notify(c, NC.GENERIC, "del", key);
}
