// GET/SET and their variants (t_string.c's setGenericCommand / getGenericCommand / getexCommand).
// GET and plain SET are the hot path: no strings, closures or arrays per call; GET copies the
// value once, from the arena page straight into the reply buffer.

import { SetFlag, Status, ValueType } from "../engine/types.ts";
import { ERR_ARITY, ERR_INVALID_EXPIRE, ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE } from "../protocol/errors.ts";
import { isKeyword, parseBigInt64, parseInt64 } from "./args.ts";
import { WRONG_TYPE, lookupStringOrReply, replyWriteFailure } from "./string-value.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "./notify.ts";
import type { Args, Client } from "./types.ts";

// Option bits of SET / GETEX (Redis's OBJ_SET_* / OBJ_* flags).
const NX = 1;
const XX = 2;
const GET = 4;
const KEEPTTL = 8;
const PERSIST = 16;
const EX = 32;
const PX = 64;
const EXAT = 128;
const PXAT = 256;
const ANY_EXPIRE = EX | PX | EXAT | PXAT;

/** 2^63: the first value past int64 (exactly representable as a double). */
const INT64_LIMIT = 2 ** 63;
const INT64_MAX_DIV_1000 = 9223372036854775n;

/** Result of `parseExtendedOrReply` (reused: commands run one at a time). */
const parsed = { flags: 0, expireArg: 0 };

/**
 * Parses SET's (forSet) or GETEX's options from argv[from..] into `parsed`, with Redis's rules on
 * which combinations are allowed. Replies the syntax error and returns false on failure.
 */
function parseExtendedOrReply(c: Client, argv: Args, from: number, forSet: boolean): boolean {
  let flags = 0;
  let expireArg = 0;
  const argc = argv.length;
  for (let j = from; j < argc; j++) {
    const a = argv[j]!;
    const hasNext = j + 1 < argc;
    if (forSet && !(flags & XX) && isKeyword(a, "nx")) flags |= NX;
    else if (forSet && !(flags & NX) && isKeyword(a, "xx")) flags |= XX;
    else if (forSet && isKeyword(a, "get")) flags |= GET;
    else if (forSet && !(flags & (PERSIST | ANY_EXPIRE)) && isKeyword(a, "keepttl")) flags |= KEEPTTL;
    else if (!forSet && !(flags & (KEEPTTL | ANY_EXPIRE)) && isKeyword(a, "persist")) flags |= PERSIST;
    else if (hasNext && !(flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT)) && isKeyword(a, "ex")) {
      flags |= EX;
      expireArg = ++j;
    } else if (hasNext && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT)) && isKeyword(a, "px")) {
      flags |= PX;
      expireArg = ++j;
    } else if (hasNext && !(flags & (KEEPTTL | PERSIST | EX | PX | PXAT)) && isKeyword(a, "exat")) {
      flags |= EXAT;
      expireArg = ++j;
    } else if (hasNext && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PX)) && isKeyword(a, "pxat")) {
      flags |= PXAT;
      expireArg = ++j;
    } else {
      c.reply.error(ERR_SYNTAX);
      return false;
    }
  }
  parsed.flags = flags;
  parsed.expireArg = expireArg;
  return true;
}

/**
 * Redis's getExpireMillisecondsOrReply: a positive integer in seconds or ms, made absolute for the
 * relative forms. Returns the absolute expiry in ms, or -1 after replying the error.
 */
export function expireAtOrReply(c: Client, arg: Uint8Array, seconds: boolean, relative: boolean, cmd: string): number {
  const v = parseInt64(arg);
  if (Number.isNaN(v)) {
    c.reply.error(ERR_NOT_INTEGER);
    return -1;
  }
  // Exact bound for seconds (doubles cannot tell 9223372036854775 from 9223372036854776).
  if (v <= 0 || (seconds && !Number.isSafeInteger(v) && parseBigInt64(arg)! > INT64_MAX_DIV_1000)) {
    c.reply.error(ERR_INVALID_EXPIRE(cmd));
    return -1;
  }
  let ms = seconds ? v * 1000 : v;
  if (relative) {
    ms += c.db.now();
    // Redis detects the int64 overflow of the addition.
    if (ms >= INT64_LIMIT) {
      c.reply.error(ERR_INVALID_EXPIRE(cmd));
      return -1;
    }
  }
  return ms;
}

/** The absolute expiry for the parsed EX/PX/EXAT/PXAT option, 0 for none, -1 after an error reply. */
function parsedExpireAtOrReply(c: Client, argv: Args, cmd: string): number {
  const f = parsed.flags;
  if (!(f & ANY_EXPIRE)) return 0;
  return expireAtOrReply(c, argv[parsed.expireArg]!, (f & (EX | EXAT)) !== 0, (f & (EX | PX)) !== 0, cmd);
}

/**
 * The shared body of SET, SETNX, SETEX, PSETEX. `expireAt` is absolute (0 = none: the TTL is
 * cleared unless KEEPTTL). `integerReplies` selects SETNX's :1/:0 instead of +OK/null.
 */
function setGeneric(c: Client, flags: number, key: Uint8Array, value: Uint8Array, expireAt: number, integerReplies: boolean): void {
  const db = c.db;
  const reply = c.reply;
  const mark = reply.len;
  if (flags & GET) {
    // Reply with the old value first (as Redis does); undone below if the write fails.
    const slot = lookupStringOrReply(c, key, true);
    if (slot === WRONG_TYPE) return;
    if (slot < 0) reply.nullBulk();
    else reply.bulkFrom(db.valuePage(slot), db.valueOffset(slot), db.valueLength(slot));
  }
  let setFlags = 0;
  if (flags & NX) setFlags |= SetFlag.NX;
  if (flags & XX) setFlags |= SetFlag.XX;
  if (flags & KEEPTTL) setFlags |= SetFlag.KEEPTTL;
  const status = db.set(key, value, expireAt, setFlags, ValueType.String);
  if (status === Status.Ok) {
    notify(c, NC.STRING, "set", key);
    if (expireAt > 0) notify(c, NC.GENERIC, "expire", key);
    if (flags & GET) return;
    if (integerReplies) reply.integer(1);
    else reply.ok();
    return;
  }
  if (status === Status.NotFound || status === Status.Exists) {
    if (flags & GET) return;
    if (integerReplies) reply.integer(0);
    else reply.nullBulk();
    return;
  }
  reply.len = mark;
  replyWriteFailure(c, status);
}

// GET key
export function cmdGet(c: Client, argv: Args): void {
  const db = c.db;
  const slot = db.lookup(argv[1]!);
  if (slot < 0) {
    notify(c, NC.KEY_MISS, "keymiss", argv[1]!);
    return c.reply.nullBulk();
  }
  if (db.typeOf(slot) !== ValueType.String) return c.reply.error(ERR_WRONGTYPE);
  c.reply.bulkFrom(db.valuePage(slot), db.valueOffset(slot), db.valueLength(slot));
}

// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds |
//     PXAT unix-time-milliseconds | KEEPTTL]
export function cmdSet(c: Client, argv: Args): void {
  if (argv.length === 3) {
    // The common case: no options, no TTL.
    const status = c.db.set(argv[1]!, argv[2]!, 0, 0, ValueType.String);
    if (status === Status.Ok) {
      c.reply.ok();
      notify(c, NC.STRING, "set", argv[1]!);
    } else replyWriteFailure(c, status);
    return;
  }
  if (!parseExtendedOrReply(c, argv, 3, true)) return;
  const expireAt = parsedExpireAtOrReply(c, argv, "set");
  if (expireAt < 0) return;
  setGeneric(c, parsed.flags, argv[1]!, argv[2]!, expireAt, false);
}

// SETNX key value
export function cmdSetNx(c: Client, argv: Args): void {
  setGeneric(c, NX, argv[1]!, argv[2]!, 0, true);
}

// SETEX key seconds value
export function cmdSetEx(c: Client, argv: Args): void {
  const at = expireAtOrReply(c, argv[2]!, true, true, "setex");
  if (at >= 0) setGeneric(c, 0, argv[1]!, argv[3]!, at, false);
}

// PSETEX key milliseconds value
export function cmdPSetEx(c: Client, argv: Args): void {
  const at = expireAtOrReply(c, argv[2]!, false, true, "psetex");
  if (at >= 0) setGeneric(c, 0, argv[1]!, argv[3]!, at, false);
}

// GETSET key value
export function cmdGetSet(c: Client, argv: Args): void {
  setGeneric(c, GET, argv[1]!, argv[2]!, 0, false);
}

// GETDEL key
export function cmdGetDel(c: Client, argv: Args): void {
  const db = c.db;
  const slot = lookupStringOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return c.reply.nullBulk();
  c.reply.bulkFrom(db.valuePage(slot), db.valueOffset(slot), db.valueLength(slot));
  db.delete(argv[1]!);
  notify(c, NC.GENERIC, "del", argv[1]!);
}

// GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]
export function cmdGetEx(c: Client, argv: Args): void {
  if (!parseExtendedOrReply(c, argv, 2, false)) return;
  const db = c.db;
  const key = argv[1]!;
  // Redis 7.0's order: syntax, then a missing key answers nil and a wrong type WRONGTYPE, and
  // only then is the expiry checked.
  const slot = lookupStringOrReply(c, key, true);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return c.reply.nullBulk();
  const flags = parsed.flags;
  const expireAt = parsedExpireAtOrReply(c, argv, "getex");
  if (expireAt < 0) return;
  c.reply.bulkFrom(db.valuePage(slot), db.valueOffset(slot), db.valueLength(slot));
  // A time not in the future deletes the key (Redis's checkAlreadyExpired).
  if (flags & ANY_EXPIRE) {
    const gone = expireAt <= db.now();
    db.expire(key, expireAt);
    notify(c, NC.GENERIC, gone ? "del" : "expire", key);
  } else if (flags & PERSIST && db.persist(key)) notify(c, NC.GENERIC, "persist", key);
}

// MGET key [key ...]
export function cmdMGet(c: Client, argv: Args): void {
  const db = c.db;
  const reply = c.reply;
  reply.arrayHeader(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const slot = db.lookup(argv[i]!);
    if (slot < 0 || db.typeOf(slot) !== ValueType.String) reply.nullBulk();
    else reply.bulkFrom(db.valuePage(slot), db.valueOffset(slot), db.valueLength(slot));
  }
}

/** Sets every pair of argv; false after replying the error of a failed write. */
function msetPairs(c: Client, argv: Args): boolean {
  const db = c.db;
  for (let i = 1; i < argv.length; i += 2) {
    const status = db.set(argv[i]!, argv[i + 1]!, 0, 0, ValueType.String);
    if (replyWriteFailure(c, status)) return false;
    notify(c, NC.STRING, "set", argv[i]!);
  }
  return true;
}

// MSET key value [key value ...]
export function cmdMSet(c: Client, argv: Args): void {
  if (argv.length % 2 === 0) return c.reply.error(ERR_ARITY("mset"));
  if (msetPairs(c, argv)) c.reply.ok();
}

// MSETNX key value [key value ...]
export function cmdMSetNx(c: Client, argv: Args): void {
  if (argv.length % 2 === 0) return c.reply.error(ERR_ARITY("msetnx"));
  const db = c.db;
  for (let i = 1; i < argv.length; i += 2) {
    if (db.peek(argv[i]!) >= 0) return c.reply.integer(0);
  }
  if (msetPairs(c, argv)) c.reply.integer(1);
}
