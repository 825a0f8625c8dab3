// SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SSCAN: one key, through the set type API.
import { setAdd, setForEach, setHas, setRemove, setScan, setSize } from "../../engine/set/set-type.ts";
import { globMatch } from "../../engine/glob.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX } from "../../protocol/errors.ts";
import { isKeyword, parseInt64 } from "../args.ts";
import { cursorOrReply, replyEmptyScan } from "../key-ops.ts";
import { replyWriteFailure } from "../string-value.ts";
import type { Status } from "../../engine/types.ts";
import type { Args, Client } from "../types.ts";
import { lookupSetOrReply, WRONG_TYPE } from "./set-lookup.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

// SADD key member [member ...]
export function cmdSAdd(c: Client, argv: Args): void {
  const slot = lookupSetOrReply(c, argv[1]!, false);
  if (slot === WRONG_TYPE) return;
  const n = setAdd(c.db, argv[1]!, slot, argv.slice(2));
  if (n < 0 && replyWriteFailure(c, -n as Status)) return;
  c.reply.integer(n);
  if (n > 0) notify(c, NC.SET, "sadd", argv[1]!);
}

// SREM key member [member ...]
export function cmdSRem(c: Client, argv: Args): void {
  const slot = lookupSetOrReply(c, argv[1]!, false);
  if (slot === WRONG_TYPE) return;
  const n = slot < 0 ? 0 : setRemove(c.db, argv[1]!, slot, argv.slice(2));
  c.reply.integer(n);
  if (n === 0) return;
  notify(c, NC.SET, "srem", argv[1]!);
  if (c.db.peek(argv[1]!) < 0) notify(c, NC.GENERIC, "del", argv[1]!);
}

// SMEMBERS key
export function cmdSMembers(c: Client, argv: Args): void {
  const slot = lookupSetOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return c.reply.setHeader(0);
  c.reply.setHeader(setSize(c.db, slot));
  setForEach(c.db, slot, (m) => c.reply.bulk(m));
}

// SISMEMBER key member
export function cmdSIsMember(c: Client, argv: Args): void {
  const slot = lookupSetOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  c.reply.integer(slot >= 0 && setHas(c.db, slot, argv[2]!) ? 1 : 0);
}

// SMISMEMBER key member [member ...]
export function cmdSMIsMember(c: Client, argv: Args): void {
  const slot = lookupSetOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  c.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.integer(slot >= 0 && setHas(c.db, slot, argv[i]!) ? 1 : 0);
}

// SCARD key
export function cmdSCard(c: Client, argv: Args): void {
  const slot = lookupSetOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  c.reply.integer(slot < 0 ? 0 : setSize(c.db, slot));
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
export function cmdSScan(c: Client, argv: Args): void {
  const cursor = cursorOrReply(c, argv[2]!);
  if (cursor < 0) return;
  // As Redis 7.0: the key is looked up before the options are parsed (a missing key answers the
  // empty scan even with a bad COUNT; a wrong type answers WRONGTYPE first).
  const slot = lookupSetOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return replyEmptyScan(c);
  let count = 10;
  let pattern: Uint8Array | undefined;
  for (let i = 3; i < argv.length; i += 2) {
    const hasValue = i + 1 < argv.length;
    if (hasValue && isKeyword(argv[i]!, "count")) {
      const n = parseInt64(argv[i + 1]!);
      if (Number.isNaN(n)) return c.reply.error(ERR_NOT_INTEGER);
      if (n < 1) return c.reply.error(ERR_SYNTAX);
      count = n;
    } else if (hasValue && isKeyword(argv[i]!, "match")) {
      const p = argv[i + 1]!;
      pattern = p.length === 1 && p[0] === 42 ? undefined : p;
    } else return c.reply.error(ERR_SYNTAX);
  }
  const found: Uint8Array[] = [];
  const next = slot < 0 ? 0 : setScan(c.db, slot, cursor, count, (m) => {
    if (pattern === undefined || globMatch(pattern, m)) found.push(m.slice());
  });
  c.reply.arrayHeader(2);
  c.reply.bulkString(String(next));
  c.reply.arrayHeader(found.length);
  for (const m of found) c.reply.bulk(m);
}

