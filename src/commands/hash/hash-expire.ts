// Field expiry of hashes, as Redis 7.4 (HEXPIRE HPEXPIRE HEXPIREAT HPEXPIREAT HTTL HPTTL
// HEXPIRETIME HPEXPIRETIME HPERSIST) and Redis 8.0 (HGETEX HSETEX HGETDEL). Times are made
// absolute before the hash type sees them, so the WAL records absolute expiries.

import {
  hashDelete, hashExpireFields, hashFieldExpireTimes, hashGet, hashPersistFields, hashSet, type ExpiryCondition,
} from "../../engine/hash/hash-type.ts";
import { ERR_INVALID_EXPIRE, ERR_NOT_INTEGER, ERR_OOM, ERR_SYNTAX } from "../../protocol/errors.ts";
import { isKeyword, parseInt64 } from "../args.ts";
import type { Args, Client } from "../types.ts";
import { fieldsBlockOrReply, lookupHashOrReply } from "./lookup.ts";

/** Redis keeps field expiries below 2^48 ms (EB_EXPIRE_TIME_MAX). */
const MAX_EXPIRE_MS = 2 ** 48 - 1;
const CONDITIONS = ["nx", "xx", "gt", "lt"] as const;

/** The absolute ms of an expiry argument, or undefined after replying. */
function absoluteMsOrReply(c: Client, arg: Uint8Array, unitMs: number, relative: boolean, cmd: string, allowZero: boolean): number | undefined {
  const n = parseInt64(arg);
  if (Number.isNaN(n)) {
    c.reply.error(ERR_NOT_INTEGER);
    return undefined;
  }
  if (n < 0 || (!allowZero && n === 0)) {
    c.reply.error(allowZero ? "ERR invalid expire time, must be >= 0" : ERR_INVALID_EXPIRE(cmd));
    return undefined;
  }
  const at = (relative ? c.db.now() : 0) + n * unitMs;
  if (!Number.isSafeInteger(n * unitMs) || at > MAX_EXPIRE_MS) {
    c.reply.error(ERR_INVALID_EXPIRE(cmd));
    return undefined;
  }
  return at;
}

function replyIntegers(c: Client, codes: readonly number[]): void {
  c.reply.arrayHeader(codes.length);
  for (const n of codes) c.reply.integer(n);
}

/** HEXPIRE and friends: key time [NX|XX|GT|LT] FIELDS numfields field... */
function hexpireGeneric(c: Client, argv: Args, unitMs: number, relative: boolean, cmd: string): void {
  const at = absoluteMsOrReply(c, argv[2]!, unitMs, relative, cmd, true);
  if (at === undefined) return;
  let cond: ExpiryCondition = "";
  let i = 3;
  for (const k of CONDITIONS) {
    if (isKeyword(argv[3]!, k)) {
      cond = k;
      i = 4;
    }
  }
  const fields = fieldsBlockOrReply(c, argv, i);
  if (fields === undefined) return;
  const slot = lookupHashOrReply(c, argv[1]!, false);
  if (slot === -2) return;
  if (slot < 0) return replyIntegers(c, fields.map(() => -2));
  replyIntegers(c, hashExpireFields(c.db, argv[1]!, slot, fields, at, cond));
}

export const cmdHExpire = (c: Client, argv: Args): void => hexpireGeneric(c, argv, 1000, true, "hexpire");
export const cmdHPExpire = (c: Client, argv: Args): void => hexpireGeneric(c, argv, 1, true, "hpexpire");
export const cmdHExpireAt = (c: Client, argv: Args): void => hexpireGeneric(c, argv, 1000, false, "hexpireat");
export const cmdHPExpireAt = (c: Client, argv: Args): void => hexpireGeneric(c, argv, 1, false, "hpexpireat");

/** HTTL and friends: key FIELDS numfields field... — `form` maps an absolute expiry to the reply. */
function httlGeneric(c: Client, argv: Args, form: (at: number, now: number) => number): void {
  const fields = fieldsBlockOrReply(c, argv, 2);
  if (fields === undefined) return;
  const slot = lookupHashOrReply(c, argv[1]!, true);
  if (slot === -2) return;
  if (slot < 0) return replyIntegers(c, fields.map(() => -2));
  const now = c.db.now();
  replyIntegers(c, hashFieldExpireTimes(c.db, slot, fields).map((at) => (at < 0 ? at : form(at, now))));
}

export const cmdHTtl = (c: Client, argv: Args): void => httlGeneric(c, argv, (at, now) => Math.floor((at - now + 500) / 1000));
export const cmdHPTtl = (c: Client, argv: Args): void => httlGeneric(c, argv, (at, now) => at - now);
export const cmdHExpireTime = (c: Client, argv: Args): void => httlGeneric(c, argv, (at) => Math.floor(at / 1000));
export const cmdHPExpireTime = (c: Client, argv: Args): void => httlGeneric(c, argv, (at) => at);

// HPERSIST key FIELDS numfields field [field ...]
export function cmdHPersist(c: Client, argv: Args): void {
  const fields = fieldsBlockOrReply(c, argv, 2);
  if (fields === undefined) return;
  const slot = lookupHashOrReply(c, argv[1]!, false);
  if (slot === -2) return;
  if (slot < 0) return replyIntegers(c, fields.map(() => -2));
  replyIntegers(c, hashPersistFields(c.db, slot, fields));
}

function replyValues(c: Client, values: readonly (Uint8Array | undefined)[]): void {
  c.reply.arrayHeader(values.length);
  for (const v of values) {
    if (v === undefined) c.reply.nullBulk();
    else c.reply.bulk(v);
  }
}

/** The values of `fields` (copies), reading `key` afresh for each (a read may reclaim). */
function readValues(c: Client, key: Uint8Array, fields: readonly Uint8Array[]): (Uint8Array | undefined)[] {
  return fields.map((f) => {
    const s = c.db.peek(key);
    return s < 0 ? undefined : hashGet(c.db, key, s, f)?.slice();
  });
}

// HGETDEL key FIELDS numfields field [field ...]
export function cmdHGetDel(c: Client, argv: Args): void {
  const fields = fieldsBlockOrReply(c, argv, 2);
  if (fields === undefined) return;
  const key = argv[1]!;
  const slot = lookupHashOrReply(c, key, false);
  if (slot === -2) return;
  if (slot < 0) return replyValues(c, fields.map(() => undefined));
  const values = readValues(c, key, fields);
  const s = c.db.peek(key);
  if (s >= 0) hashDelete(c.db, key, s, fields.filter((_, i) => values[i] !== undefined));
  replyValues(c, values);
}

type ExpiryOption = { kind: "none" } | { kind: "persist" } | { kind: "keepttl" } | { kind: "at"; at: number };

/** [EX s | PX ms | EXAT t | PXAT t | PERSIST | KEEPTTL] at argv[i]; returns [option, next index]. */
function expiryOptionOrReply(c: Client, argv: Args, i: number, cmd: string, allowed: readonly string[]): [ExpiryOption, number] | undefined {
  const units: Record<string, [number, boolean]> = { ex: [1000, true], px: [1, true], exat: [1000, false], pxat: [1, false] };
  let opt: ExpiryOption = { kind: "none" };
  while (i < argv.length && !isKeyword(argv[i]!, "fields")) {
    const word = Buffer.from(argv[i]!).toString("latin1").toLowerCase();
    if (!allowed.includes(word) || opt.kind !== "none") {
      c.reply.error(ERR_SYNTAX);
      return undefined;
    }
    if (word === "persist" || word === "keepttl") {
      opt = { kind: word };
      i++;
      continue;
    }
    if (i + 1 >= argv.length) {
      c.reply.error(ERR_SYNTAX);
      return undefined;
    }
    const [unit, relative] = units[word]!;
    const at = absoluteMsOrReply(c, argv[i + 1]!, unit, relative, cmd, false);
    if (at === undefined) return undefined;
    opt = { kind: "at", at };
    i += 2;
  }
  return [opt, i];
}

// HGETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST] FIELDS numfields field [field ...]
export function cmdHGetEx(c: Client, argv: Args): void {
  const parsed = expiryOptionOrReply(c, argv, 2, "hgetex", ["ex", "px", "exat", "pxat", "persist"]);
  if (parsed === undefined) return;
  const [opt, at] = parsed;
  const fields = fieldsBlockOrReply(c, argv, at);
  if (fields === undefined) return;
  const key = argv[1]!;
  const slot = lookupHashOrReply(c, key, true);
  if (slot === -2) return;
  if (slot < 0) return replyValues(c, fields.map(() => undefined));
  const values = readValues(c, key, fields);
  const found = fields.filter((_, i) => values[i] !== undefined);
  const s = c.db.peek(key);
  if (s >= 0 && found.length > 0) {
    if (opt.kind === "at") hashExpireFields(c.db, key, s, found, opt.at, "");
    else if (opt.kind === "persist") hashPersistFields(c.db, s, found);
  }
  replyValues(c, values);
}

// HSETEX key [FNX | FXX] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL] FIELDS numfields field value [field value ...]
export function cmdHSetEx(c: Client, argv: Args): void {
  let i = 2;
  let cond: "" | "fnx" | "fxx" = "";
  if (i < argv.length && (isKeyword(argv[i]!, "fnx") || isKeyword(argv[i]!, "fxx"))) {
    cond = isKeyword(argv[i]!, "fnx") ? "fnx" : "fxx";
    i++;
  }
  const parsed = expiryOptionOrReply(c, argv, i, "hsetex", ["ex", "px", "exat", "pxat", "keepttl"]);
  if (parsed === undefined) return;
  const [opt, at] = parsed;
  const pairs = fieldsBlockOrReply(c, argv, at, true);
  if (pairs === undefined) return;
  const key = argv[1]!;
  const db = c.db;
  let slot = lookupHashOrReply(c, key, false);
  if (slot === -2) return;
  const fields = pairs.filter((_, j) => j % 2 === 0);
  const present = fields.map((f) => slot >= 0 && hashGet(db, key, db.peek(key), f) !== undefined);
  if ((cond === "fnx" && present.some((p) => p)) || (cond === "fxx" && present.some((p) => !p))) return c.reply.integer(0);
  slot = db.peek(key);
  const keep = opt.kind === "keepttl" ? hashFieldExpireTimes(db, slot < 0 ? 0 : slot, slot < 0 ? [] : fields) : [];
  if (hashSet(db, key, slot, pairs) < 0) return c.reply.error(ERR_OOM);
  const s = db.peek(key);
  if (opt.kind === "at") hashExpireFields(db, key, s, fields, opt.at, "");
  else if (opt.kind === "keepttl") {
    for (let j = 0; j < keep.length; j++) {
      const t = keep[j]!;
      const cur = db.peek(key);
      if (t > 0 && cur >= 0) hashExpireFields(db, key, cur, [fields[j]!], t, "");
    }
  }
  c.reply.integer(1);
}
