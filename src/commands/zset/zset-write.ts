// ZADD ZINCRBY ZREM (t_zset.c: zaddGenericCommand, zsetAdd's NX/XX/GT/LT/INCR rules).
import { zsetPut, zsetRemove, zsetScore } from "../../engine/zset/zset-type.ts";
import type { Status } from "../../engine/types.ts";
import { ERR_NOT_FLOAT, ERR_SYNTAX } from "../../protocol/errors.ts";
import { bytesToLatin1, isKeyword, parseDouble } from "../args.ts";
import { replyWriteFailure } from "../string-value.ts";
import type { Args, Client } from "../types.ts";
import { lookupZSetOrReply, notifyZsetRemoved, replyScore, WRONG_TYPE } from "./zset-lookup.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

export const ERR_NAN_SCORE = "ERR resulting score is not a number (NaN)";

interface AddFlags {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
  ch: boolean;
  incr: boolean;
}

/** ZADD's work after parsing: scores[i] for argv member i; replies. */
function zaddApply(c: Client, key: Uint8Array, f: AddFlags, members: Uint8Array[], scores: number[]): void {
  const event = f.incr ? "zincr" : "zadd";
  const slot = lookupZSetOrReply(c, key, false);
  if (slot === WRONG_TYPE) return;
  if (slot < 0 && f.xx) return f.incr ? c.reply.nullBulk() : c.reply.integer(0);
  if (!f.nx && !f.xx && !f.gt && !f.lt && !f.ch && !f.incr) {
    // Plain ZADD: every score is set (a repeated member ends with its last); the type counts the new ones.
    // Only when someone listens: whether an existing member's score changes (zadd is sent then too).
    const listening = ((c.server.notifyMask ?? 0) & NC.ZSET) !== 0;
    const changes = listening && slot >= 0 && members.some((m, i) => zsetScore(c.db, slot, m) !== scores[i]);
    const n = zsetPut(c.db, key, slot, members, scores);
    if (n < 0 && replyWriteFailure(c, -n as Status)) return;
    c.reply.integer(n);
    if (n > 0 || changes) notify(c, NC.ZSET, event, key);
    return;
  }
  // Members are processed in order; a member named twice sees its own earlier update.
  const one = members.length === 1;
  const pending = one ? undefined : new Map<string, number>();
  const byKey = one ? undefined : new Map<string, Uint8Array>();
  let write = false;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let last = 0;
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    const k = one ? "" : bytesToLatin1(m);
    const cur = pending?.has(k) ? pending.get(k) : slot >= 0 ? zsetScore(c.db, slot, m) : undefined;
    let score = scores[i]!;
    if (cur !== undefined) {
      if (f.nx) continue;
      if (f.incr) {
        score += cur;
        if (Number.isNaN(score)) return c.reply.error(ERR_NAN_SCORE);
      }
      if ((f.gt && score <= cur) || (f.lt && score >= cur)) continue;
      processed++;
      last = score;
      if (score !== cur) {
        updated++;
        write = true;
        pending?.set(k, score);
        byKey?.set(k, m);
      }
    } else {
      if (f.xx) continue;
      processed++;
      last = score;
      added++;
      write = true;
      pending?.set(k, score);
      byKey?.set(k, m);
    }
  }
  if (write) {
    const n = one ? zsetPut(c.db, key, slot, members, [last]) : zsetPut(c.db, key, slot, [...byKey!.values()], [...pending!.values()]);
    if (n < 0 && replyWriteFailure(c, -n as Status)) return;
    notify(c, NC.ZSET, event, key);
  }
  if (f.incr) return processed > 0 ? replyScore(c, last) : c.reply.nullBulk();
  c.reply.integer(f.ch ? added + updated : added);
}

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
export function cmdZAdd(c: Client, argv: Args): void {
  const f: AddFlags = { nx: false, xx: false, gt: false, lt: false, ch: false, incr: false };
  let i = 2;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (isKeyword(a, "nx")) f.nx = true;
    else if (isKeyword(a, "xx")) f.xx = true;
    else if (isKeyword(a, "gt")) f.gt = true;
    else if (isKeyword(a, "lt")) f.lt = true;
    else if (isKeyword(a, "ch")) f.ch = true;
    else if (isKeyword(a, "incr")) f.incr = true;
    else break;
  }
  const elements = argv.length - i;
  if (elements === 0 || elements % 2 !== 0) return c.reply.error(ERR_SYNTAX);
  if (f.incr && elements > 2) return c.reply.error("ERR INCR option supports a single increment-element pair");
  if (f.nx && f.xx) return c.reply.error("ERR XX and NX options at the same time are not compatible");
  if ((f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt)) return c.reply.error("ERR GT, LT, and/or NX options at the same time are not compatible");
  const scores: number[] = [];
  const members: Uint8Array[] = [];
  for (; i < argv.length; i += 2) {
    const s = parseDouble(argv[i]!);
    if (Number.isNaN(s)) return c.reply.error(ERR_NOT_FLOAT);
    scores.push(s);
    members.push(argv[i + 1]!);
  }
  zaddApply(c, argv[1]!, f, members, scores);
}

// ZINCRBY key increment member
export function cmdZIncrBy(c: Client, argv: Args): void {
  const inc = parseDouble(argv[2]!);
  if (Number.isNaN(inc)) return c.reply.error(ERR_NOT_FLOAT);
  zaddApply(c, argv[1]!, { nx: false, xx: false, gt: false, lt: false, ch: false, incr: true }, [argv[3]!], [inc]);
}

// ZREM key member [member ...]
export function cmdZRem(c: Client, argv: Args): void {
  const slot = lookupZSetOrReply(c, argv[1]!, false);
  if (slot === WRONG_TYPE) return;
  const n = slot < 0 ? 0 : zsetRemove(c.db, argv[1]!, slot, argv.slice(2));
  c.reply.integer(n);
  if (n > 0) notifyZsetRemoved(c, "zrem", argv[1]!);
}
