// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (expireGeneric), TTL, PTTL, EXPIRETIME, PEXPIRETIME
// (ttlGeneric) and PERSIST, following Redis 7.0's expire.c. Times become absolute (ms) here,
// before they reach the engine; a time not in the future deletes the key.

import { ERR_INVALID_EXPIRE, ERR_NOT_INTEGER } from "../protocol/errors.ts";
import { bytesToString, isKeyword, parseBigInt64, parseInt64 } from "./args.ts";
import type { Args, Client } from "./types.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "./notify.ts";

export const ERR_EXPIRE_NX_AND_OTHERS = "ERR NX and XX, GT or LT options at the same time are not compatible";
export const ERR_EXPIRE_GT_AND_LT = "ERR GT and LT options at the same time are not compatible";
export const ERR_UNSUPPORTED_OPTION = (opt: string): string => `ERR Unsupported option ${opt}`;

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

/** 2^63 and the int64 bounds divided by 1000, as doubles (the checks mirror Redis's). */
const INT64_LIMIT = 2 ** 63;
const INT64_MAX_DIV_1000 = 9223372036854775n;
const INT64_MIN_DIV_1000 = -9223372036854775n;

/** Parses NX/XX/GT/LT from argv[3..]; returns the flag bits or -1 after replying the error. */
function expireFlagsOrReply(c: Client, argv: Args): number {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!;
    if (isKeyword(opt, "nx")) flags |= NX;
    else if (isKeyword(opt, "xx")) flags |= XX;
    else if (isKeyword(opt, "gt")) flags |= GT;
    else if (isKeyword(opt, "lt")) flags |= LT;
    else {
      c.reply.error(ERR_UNSUPPORTED_OPTION(bytesToString(opt)));
      return -1;
    }
  }
  if (flags & NX && flags & (XX | GT | LT)) {
    c.reply.error(ERR_EXPIRE_NX_AND_OTHERS);
    return -1;
  }
  if (flags & GT && flags & LT) {
    c.reply.error(ERR_EXPIRE_GT_AND_LT);
    return -1;
  }
  return flags;
}

/**
 * The shared body of the EXPIRE family. `basetime` is now (relative forms) or 0 (the AT forms);
 * `seconds` says the argument is in seconds.
 */
function expireGeneric(c: Client, argv: Args, relative: boolean, seconds: boolean, cmd: string): void {
  const flags = expireFlagsOrReply(c, argv);
  if (flags < 0) return;
  let when = parseInt64(argv[2]!);
  if (Number.isNaN(when)) return c.reply.error(ERR_NOT_INTEGER);
  if (seconds) {
    if (!Number.isSafeInteger(when)) {
      // Exact bounds (doubles cannot tell ±9223372036854775 from ±9223372036854776).
      const exact = parseBigInt64(argv[2]!)!;
      if (exact > INT64_MAX_DIV_1000 || exact < INT64_MIN_DIV_1000) return c.reply.error(ERR_INVALID_EXPIRE(cmd));
    }
    when *= 1000;
  }
  const db = c.db;
  const basetime = relative ? db.now() : 0;
  if (relative && when + basetime >= INT64_LIMIT) return c.reply.error(ERR_INVALID_EXPIRE(cmd));
  when += basetime;

  const key = argv[1]!;
  const slot = db.peek(key);
  if (slot < 0) return c.reply.integer(0);
  if (flags) {
    const at = db.expireAt(slot);
    const current = at === 0 ? -1 : at;
    if (flags & NX && current !== -1) return c.reply.integer(0);
    if (flags & XX && current === -1) return c.reply.integer(0);
    // No expiry counts as an infinite TTL: GT always fails, LT always passes.
    if (flags & GT && (current === -1 || when <= current)) return c.reply.integer(0);
    if (flags & LT && current !== -1 && when >= current) return c.reply.integer(0);
  }
  const gone = when <= db.now();
  db.expire(key, when);
  c.reply.integer(1);
  notify(c, NC.GENERIC, gone ? "del" : "expire", key);
}

// EXPIRE key seconds [NX | XX | GT | LT]
export function cmdExpire(c: Client, argv: Args): void {
  expireGeneric(c, argv, true, true, "expire");
}

// PEXPIRE key milliseconds [NX | XX | GT | LT]
export function cmdPExpire(c: Client, argv: Args): void {
  expireGeneric(c, argv, true, false, "pexpire");
}

// EXPIREAT key unix-time-seconds [NX | XX | GT | LT]
export function cmdExpireAt(c: Client, argv: Args): void {
  expireGeneric(c, argv, false, true, "expireat");
}

// PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]
export function cmdPExpireAt(c: Client, argv: Args): void {
  expireGeneric(c, argv, false, false, "pexpireat");
}

/** The shared body of TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 missing, -1 no expiry. */
function ttlGeneric(c: Client, key: Uint8Array, ms: boolean, absolute: boolean): void {
  const db = c.db;
  const slot = db.peek(key);
  if (slot < 0) return c.reply.integer(-2);
  const at = db.expireAt(slot);
  if (at === 0) return c.reply.integer(-1);
  let t = absolute ? at : at - db.now();
  if (t < 0) t = 0;
  c.reply.integer(ms ? t : Math.floor((t + 500) / 1000));
}

// TTL key
export function cmdTtl(c: Client, argv: Args): void {
  ttlGeneric(c, argv[1]!, false, false);
}

// PTTL key
export function cmdPTtl(c: Client, argv: Args): void {
  ttlGeneric(c, argv[1]!, true, false);
}

// EXPIRETIME key
export function cmdExpireTime(c: Client, argv: Args): void {
  ttlGeneric(c, argv[1]!, false, true);
}

// PEXPIRETIME key
export function cmdPExpireTime(c: Client, argv: Args): void {
  ttlGeneric(c, argv[1]!, true, true);
}

// PERSIST key
export function cmdPersist(c: Client, argv: Args): void {
  const done = c.db.persist(argv[1]!);
  c.reply.integer(done ? 1 : 0);
  if (done) notify(c, NC.GENERIC, "persist", argv[1]!);
}
