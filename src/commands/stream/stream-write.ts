// XADD XTRIM XDEL XSETID (t_stream.c: xaddCommand, xtrimCommand, xdelCommand, xsetidCommand).
// Every argument is parsed before the stream is touched, in Redis's order, so errors match.

import { limits } from "../../engine/compound/limits.ts";
import { formatId, MAX_ID, type StreamId } from "../../engine/stream/stream-id.ts";
import { AddRefusal, nextAddId, streamAppend, streamCreate, streamDelete, streamSetId, streamTrim, type TrimSpec } from "../../engine/stream/stream-type.ts";
import { ERR_ARITY, ERR_NO_SUCH_KEY, ERR_OOM, ERR_SYNTAX } from "../../protocol/errors.ts";
import { isKeyword, parseInt64 } from "../args.ts";
import { ERR_NOT_INTEGER } from "../../protocol/errors.ts";
import type { Args, Client } from "../types.ts";
import { ERR_INVALID_ID, lookupStreamOrReply, parseId, streamAt, strictIdOrReply, WRONG_TYPE } from "./stream-args.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

const isStar = (a: Uint8Array): boolean => a.length === 1 && a[0] === 42;
const isSign = (a: Uint8Array, ch: number): boolean => a.length === 1 && a[0] === ch;

interface AddOrTrimArgs {
  trim: TrimSpec | undefined;
  noMkStream: boolean;
  /** Index of the ID argument (XADD), or argv.length when none was found. */
  idPos: number;
  /** Explicit ID and whether its seq was given; undefined for `*`. */
  id: { id: StreamId; seqGiven: boolean } | undefined;
}

/** streamParseAddOrTrimArgsOrReply: undefined after replying. */
function addOrTrimArgsOrReply(c: Client, argv: Args, xadd: boolean): AddOrTrimArgs | undefined {
  let strategy: "none" | "maxlen" | "minid" = "none";
  let maxlen = -1;
  let minid: StreamId = 0n;
  let approx = false;
  let limit = 0;
  let limitGiven = false;
  let noMkStream = false;
  let id: AddOrTrimArgs["id"];
  let i = 2;
  const fail = (msg: string): undefined => {
    c.reply.error(msg);
    return undefined;
  };
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = argv[i]!;
    if (xadd && isStar(opt)) break;
    if ((isKeyword(opt, "maxlen") || isKeyword(opt, "minid")) && more > 0) {
      if (strategy !== "none") return fail("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
      const isMax = isKeyword(opt, "maxlen");
      approx = false;
      const next = argv[i + 1]!;
      if (more >= 2 && isSign(next, 126)) {
        approx = true;
        i++;
      } else if (more >= 2 && isSign(next, 61)) i++;
      if (isMax) {
        const n = parseInt64(argv[i + 1]!);
        if (Number.isNaN(n)) return fail(ERR_NOT_INTEGER);
        if (n < 0) return fail("ERR The MAXLEN argument must be >= 0.");
        maxlen = n;
        strategy = "maxlen";
      } else {
        const m = strictIdOrReply(c, argv[i + 1]!);
        if (m === undefined) return undefined;
        minid = m;
        strategy = "minid";
      }
      i++;
    } else if (isKeyword(opt, "limit") && more > 0) {
      const n = parseInt64(argv[i + 1]!);
      if (Number.isNaN(n)) return fail(ERR_NOT_INTEGER);
      if (n < 0) return fail("ERR The LIMIT argument must be >= 0.");
      limit = n;
      limitGiven = true;
      i++;
    } else if (xadd && isKeyword(opt, "nomkstream")) {
      noMkStream = true;
    } else if (xadd) {
      const p = parseId(opt, 0n, true, true);
      if (p === undefined) return fail(ERR_INVALID_ID);
      id = p;
      break;
    } else return fail(ERR_SYNTAX);
  }
  if (limit > 0 && strategy === "none") return fail("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
  if (!xadd && strategy === "none") return fail("ERR syntax error, XTRIM must be called with a trimming strategy");
  if (limitGiven) {
    if (!approx) return fail("ERR syntax error, LIMIT cannot be used without the special ~ option");
  } else if (approx) {
    limit = 100 * limits["stream-node-max-entries"];
    if (limit <= 0 || limit > 1_000_000) limit = 10_000;
  } else limit = 0;
  const trim = strategy === "none" ? undefined : { maxlen: strategy === "maxlen" ? maxlen : -1, minid, approx, limit };
  return { trim, noMkStream, idPos: i, id };
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
export function cmdXAdd(c: Client, argv: Args): void {
  const a = addOrTrimArgsOrReply(c, argv, true);
  if (a === undefined) return;
  const fieldPos = a.idPos + 1;
  const n = argv.length - fieldPos;
  if (n < 2 || n % 2 === 1) return c.reply.error(ERR_ARITY("xadd"));
  if (a.id !== undefined && a.id.seqGiven && a.id.id === 0n) return c.reply.error("ERR The ID specified in XADD must be greater than 0-0");
  const key = argv[1]!;
  let slot = lookupStreamOrReply(c, key, false);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) {
    if (a.noMkStream) return c.reply.nullBulk();
    slot = streamCreate(c.db, key);
    if (slot < 0) return c.reply.error(ERR_OOM);
  }
  const s = streamAt(c, slot);
  if (s.lastId === MAX_ID) return c.reply.error("ERR The stream has exhausted the last possible ID, unable to add more items");
  const given = a.id;
  const id = nextAddId(s, given === undefined ? undefined : given.id >> 64n, given === undefined || !given.seqGiven ? undefined : given.id & ((1n << 64n) - 1n), c.db.now());
  if (typeof id === "number") {
    return c.reply.error(id === AddRefusal.Exhausted ? "ERR The stream has exhausted the last possible ID, unable to add more items" : "ERR The ID specified in XADD is equal or smaller than the target stream top item");
  }
  streamAppend(c.db, slot, id, argv.slice(fieldPos));
  c.reply.bulkString(formatId(id));
  notify(c, NC.STREAM, "xadd", key);
  if (a.trim !== undefined && streamTrim(c.db, slot, a.trim) > 0) notify(c, NC.STREAM, "xtrim", key);
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
export function cmdXTrim(c: Client, argv: Args): void {
  const a = addOrTrimArgsOrReply(c, argv, false);
  if (a === undefined) return;
  const slot = lookupStreamOrReply(c, argv[1]!, false);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return c.reply.integer(0);
  const n = streamTrim(c.db, slot, a.trim!);
  c.reply.integer(n);
  if (n > 0) notify(c, NC.STREAM, "xtrim", argv[1]!);
}

// XDEL key id [id ...]
export function cmdXDel(c: Client, argv: Args): void {
  const slot = lookupStreamOrReply(c, argv[1]!, false);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return c.reply.integer(0);
  const ids: StreamId[] = [];
  for (let j = 2; j < argv.length; j++) {
    const id = strictIdOrReply(c, argv[j]!);
    if (id === undefined) return;
    ids.push(id);
  }
  const n = streamDelete(c.db, slot, ids);
  c.reply.integer(n);
  if (n > 0) notify(c, NC.STREAM, "xdel", argv[1]!);
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
export function cmdXSetId(c: Client, argv: Args): void {
  const id = strictIdOrReply(c, argv[2]!);
  if (id === undefined) return;
  let entriesAdded = -1;
  let maxDeleted: StreamId = 0n;
  for (let i = 3; i < argv.length; i += 2) {
    const more = argv.length - 1 - i;
    if (isKeyword(argv[i]!, "entriesadded") && more > 0) {
      const n = parseInt64(argv[i + 1]!);
      if (Number.isNaN(n)) return c.reply.error(ERR_NOT_INTEGER);
      if (n < 0) return c.reply.error("ERR entries_added must be positive");
      entriesAdded = n;
    } else if (isKeyword(argv[i]!, "maxdeletedid") && more > 0) {
      const m = strictIdOrReply(c, argv[i + 1]!);
      if (m === undefined) return;
      if (id < m) return c.reply.error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      maxDeleted = m;
    } else return c.reply.error(ERR_SYNTAX);
  }
  const slot = lookupStreamOrReply(c, argv[1]!, false);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return c.reply.error(ERR_NO_SUCH_KEY);
  const s = streamAt(c, slot);
  if (s.length > 0) {
    if (id < s.log.edge(true)!) return c.reply.error("ERR The ID specified in XSETID is smaller than the target stream top item");
    if (entriesAdded !== -1 && s.length > entriesAdded) return c.reply.error("ERR The entries_added specified in XSETID is smaller than the target stream length");
  }
  streamSetId(c.db, slot, id, entriesAdded !== -1 ? entriesAdded : s.entriesAdded, maxDeleted !== 0n ? maxDeleted : s.maxDeletedId);
  c.reply.ok();
  notify(c, NC.STREAM, "xsetid", argv[1]!);
}
