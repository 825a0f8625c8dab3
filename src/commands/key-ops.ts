// Generic key commands (Redis's db.c): DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN, RANDOMKEY, RENAME,
// RENAMENX, COPY, TOUCH, FLUSHDB, FLUSHALL. Only database 0 exists (SELECT is in connection.ts).

import { copyValue } from "../engine/compound/codecs.ts";
import { globMatch } from "../engine/glob.ts";
import { TYPE_NAMES } from "../engine/types.ts";
import { ERR_DB_RANGE, ERR_OTHER_DB_ISOLATED, ERR_NOT_INTEGER, ERR_NO_SUCH_KEY, ERR_SYNTAX } from "../protocol/errors.ts";
import { intRangeArgOrReply, isKeyword, parseInt64 } from "./args.ts";
import { bytesEqual, replyWriteFailure } from "./string-value.ts";
import type { Args, Client } from "./types.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify, notifyInDb } from "./notify.ts";

export const ERR_INVALID_CURSOR = "ERR invalid cursor";
export const ERR_SAME_OBJECT = "ERR source and destination objects are the same";

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

// DEL key [key ...]   (and UNLINK: memory is reclaimed at once either way)
export function cmdDel(c: Client, argv: Args): void {
  const db = c.db;
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    if (db.delete(argv[i]!)) {
      n++;
      notify(c, NC.GENERIC, "del", argv[i]!);
    }
  }
  c.reply.integer(n);
}

// EXISTS key [key ...]   (a key named twice counts twice)
export function cmdExists(c: Client, argv: Args): void {
  const db = c.db;
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (db.peek(argv[i]!) >= 0) n++;
  c.reply.integer(n);
}

// TOUCH key [key ...]   (records an access, like a read)
export function cmdTouch(c: Client, argv: Args): void {
  const db = c.db;
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (db.lookup(argv[i]!) >= 0) n++;
  c.reply.integer(n);
}

// TYPE key
export function cmdType(c: Client, argv: Args): void {
  const db = c.db;
  const slot = db.peek(argv[1]!);
  c.reply.simple(slot < 0 ? "none" : TYPE_NAMES[db.typeOf(slot)]!);
}

/** Whether the pattern is exactly "*" (matches everything: no glob work). */
export function matchesAll(pattern: Uint8Array): boolean {
  return pattern.length === 1 && pattern[0] === 42;
}

/** Writes an array of the keys of `slots` (slots stay valid: nothing mutates in between). */
function replyKeys(c: Client, slots: number[]): void {
  const db = c.db;
  const reply = c.reply;
  reply.arrayHeader(slots.length);
  for (let i = 0; i < slots.length; i++) reply.bulk(db.keyView(slots[i]!));
}

// KEYS pattern
export function cmdKeys(c: Client, argv: Args): void {
  const db = c.db;
  const pattern = argv[1]!;
  const all = matchesAll(pattern);
  const slots: number[] = [];
  const visit = (slot: number): void => {
    if (all || globMatch(pattern, db.keyView(slot))) slots.push(slot);
  };
  let cursor = 0;
  do cursor = db.scan(cursor, 1024, visit);
  while (cursor !== 0);
  replyKeys(c, slots);
}

/** The reply of a SCAN-family command over a missing key: cursor 0, no elements. */
export function replyEmptyScan(c: Client): void {
  c.reply.arrayHeader(2);
  c.reply.bulkString("0");
  c.reply.arrayHeader(0);
}

/** SCAN's cursor with strtoul's rules (sign allowed, "" is 0); -1 after replying the error. */
export function cursorOrReply(c: Client, arg: Uint8Array): number {
  let i = 0;
  let negative = false;
  if (arg.length > 0 && (arg[0] === 43 || arg[0] === 45)) {
    negative = arg[0] === 45;
    i = 1;
  }
  if (i === 1 && arg.length === 1) {
    c.reply.error(ERR_INVALID_CURSOR);
    return -1;
  }
  let v = 0n;
  for (; i < arg.length; i++) {
    const d = arg[i]!;
    if (d < 48 || d > 57) {
      c.reply.error(ERR_INVALID_CURSOR);
      return -1;
    }
    v = v * 10n + BigInt(d - 48);
  }
  if (v > 0xffffffffffffffffn) {
    c.reply.error(ERR_INVALID_CURSOR);
    return -1;
  }
  if (negative && v !== 0n) v = 0x10000000000000000n - v;
  // Cursors we hand out are slot ids; anything larger simply ends the iteration.
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
export function cmdScan(c: Client, argv: Args): void {
  const cursor = cursorOrReply(c, argv[1]!);
  if (cursor < 0) return;
  let count = 10;
  let pattern: Uint8Array | undefined;
  let type: Uint8Array | undefined;
  for (let i = 2; i < argv.length; i += 2) {
    const opt = argv[i]!;
    const hasValue = i + 1 < argv.length;
    if (hasValue && isKeyword(opt, "count")) {
      const n = parseInt64(argv[i + 1]!);
      if (Number.isNaN(n)) return c.reply.error(ERR_NOT_INTEGER);
      if (n < 1) return c.reply.error(ERR_SYNTAX);
      count = n;
    } else if (hasValue && isKeyword(opt, "match")) {
      pattern = matchesAll(argv[i + 1]!) ? undefined : argv[i + 1]!;
    } else if (hasValue && isKeyword(opt, "type")) {
      type = argv[i + 1]!;
    } else {
      return c.reply.error(ERR_SYNTAX);
    }
  }
  const db = c.db;
  const slots: number[] = [];
  const visit = (slot: number): void => {
    if (pattern !== undefined && !globMatch(pattern, db.keyView(slot))) return;
    if (type !== undefined && !isKeyword(type, TYPE_NAMES[db.typeOf(slot)]!)) return;
    slots.push(slot);
  };
  const next = db.scan(cursor, Math.min(count, 1 << 30), visit);
  c.reply.arrayHeader(2);
  c.reply.bulkString(String(next));
  replyKeys(c, slots);
}

// RANDOMKEY
export function cmdRandomKey(c: Client, _argv: Args): void {
  const db = c.db;
  const slot = db.randomSlot();
  if (slot < 0) return c.reply.nullBulk();
  c.reply.bulk(db.keyView(slot));
}

/** The shared body of RENAME and RENAMENX: moves the value, its type and its expiry. */
function renameGeneric(c: Client, argv: Args, nx: boolean): void {
  const db = c.db;
  const src = argv[1]!;
  const dst = argv[2]!;
  const slot = db.peek(src);
  if (slot < 0) return c.reply.error(ERR_NO_SUCH_KEY);
  if (bytesEqual(src, dst)) return nx ? c.reply.integer(0) : c.reply.ok();
  if (nx && db.peek(dst) >= 0) return c.reply.integer(0);
  // Copy first: writing the destination may move or evict the source record.
  if (replyWriteFailure(c, copyValue(db, slot, db, dst, db.expireAt(slot)))) return;
  db.delete(src);
  notify(c, NC.GENERIC, "rename_from", src);
  notify(c, NC.GENERIC, "rename_to", dst);
  if (nx) c.reply.integer(1);
  else c.reply.ok();
}

// RENAME key newkey
export function cmdRename(c: Client, argv: Args): void {
  renameGeneric(c, argv, false);
}

// RENAMENX key newkey
export function cmdRenameNx(c: Client, argv: Args): void {
  renameGeneric(c, argv, true);
}

// COPY source destination [DB destination-db] [REPLACE]
export function cmdCopy(c: Client, argv: Args): void {
  let replace = false;
  let target = c.dbIndex;
  for (let j = 3; j < argv.length; j++) {
    if (isKeyword(argv[j]!, "replace")) replace = true;
    else if (j + 1 < argv.length && isKeyword(argv[j]!, "db")) {
      const id = intRangeArgOrReply(c, argv, j + 1, INT_MIN, INT_MAX);
      if (id === undefined) return;
      if (id < 0 || id >= c.server.databases.count) return c.reply.error(ERR_DB_RANGE);
      target = id;
      j++;
    } else {
      return c.reply.error(ERR_SYNTAX);
    }
  }
  if (target !== c.dbIndex && (c.server.cluster?.clusterPort ?? 0) !== 0) return c.reply.error("ERR Copying to another database is not allowed in cluster mode");
  const src = argv[1]!;
  const dst = argv[2]!;
  if (bytesEqual(src, dst) && target === c.dbIndex) return c.reply.error(ERR_SAME_OBJECT);
  if (target !== c.dbIndex && c.isolated === true) return c.reply.error(ERR_OTHER_DB_ISOLATED("COPY"));
  const db = c.db;
  const to = target === c.dbIndex ? db : c.server.databases.at(target);
  const slot = db.lookup(src);
  if (slot < 0) return c.reply.integer(0);
  if (!replace && to.peek(dst) >= 0) return c.reply.integer(0);
  if (replace && to !== db) to.delete(dst);
  const status = copyValue(db, slot, to, dst, db.expireAt(slot));
  if (replyWriteFailure(c, status)) return;
  c.reply.integer(1);
  notifyInDb(c, to.db, NC.GENERIC, "copy_to", dst);
}

// FLUSHDB [ASYNC | SYNC]: the selected database
export function cmdFlushDb(c: Client, argv: Args): void {
  if (!flushArgsOrReply(c, argv)) return;
  c.db.clear();
  c.reply.ok();
}

/** FLUSHALL [ASYNC|SYNC]: every database. */
export function cmdFlushAll(c: Client, argv: Args): void {
  if (!flushArgsOrReply(c, argv)) return;
  c.server.databases.each((_db, ks) => ks.clear());
  c.reply.ok();
}

function flushArgsOrReply(c: Client, argv: Args): boolean {
  if (argv.length > 2 || (argv.length === 2 && !isKeyword(argv[1]!, "sync") && !isKeyword(argv[1]!, "async"))) {
    c.reply.error(ERR_SYNTAX);
    return false;
  }
  return true;
}
