// SORT and SORT_RO (sort.c sortCommandGeneric, Redis 7.0): the options, the source's elements,
// the scores or compare strings by pattern, the sort, LIMIT, then GET and the reply or STORE.
// `sortRun` takes `clusterMode` so a Redis Cluster port can refuse BY/GET as Redis does.
import { listElements, listLength, listRange, listReplace } from "../../engine/list/list-type.ts";
import { setMembers } from "../../engine/set/set-type.ts";
import { zsetCard, zsetWalk } from "../../engine/zset/zset-type.ts";
import { ValueType } from "../../engine/types.ts";
import { ERR_WRONGTYPE } from "../../protocol/errors.ts";
import { replyWriteFailure } from "../string-value.ts";
import type { Args, Client } from "../types.ts";
import { compareBytes, parseSortScore } from "./sort-compare.ts";
import { parseSortOptions, type SortOptions } from "./sort-options.ts";
import { lookupByPattern } from "./sort-pattern.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

export const ERR_SCORE_NOT_DOUBLE = "ERR One or more scores can't be converted into double";

interface Item {
  element: Uint8Array;
  score: number;
  /** ALPHA with BY: the pattern's value (undefined when missing). */
  cmp: Uint8Array | undefined;
}

/** The elements to sort (a copy), undefined after WRONGTYPE. */
function sourceElements(c: Client, key: Uint8Array, o: SortOptions): { els: Uint8Array[]; type: ValueType | undefined } | undefined {
  const slot = c.db.lookup(key);
  if (slot < 0) return { els: [], type: undefined };
  const type = c.db.typeOf(slot);
  if (type === ValueType.List) return { els: listSourceElements(c, slot, o), type };
  if (type === ValueType.Set) return { els: setMembers(c.db, slot), type };
  if (type === ValueType.ZSet) return { els: zsetSourceElements(c, slot, o), type };
  c.reply.error(ERR_WRONGTYPE);
  return undefined;
}

/** A list with BY nosort keeps its order and only the LIMIT range is read (DESC reads from the tail). */
function listSourceElements(c: Client, slot: number, o: SortOptions): Uint8Array[] {
  if (!o.dontSort) return listElements(c.db, slot);
  const n = listLength(c.db, slot);
  const [start, end] = limitRange(o, n);
  if (end < start) return [];
  if (!o.desc) return listRange(c.db, slot, start, end);
  return listRange(c.db, slot, n - 1 - end, n - 1 - start).reverse();
}

/** A sorted set's members in rank order; with BY nosort only the LIMIT range (DESC from the top). */
function zsetSourceElements(c: Client, slot: number, o: SortOptions): Uint8Array[] {
  const n = zsetCard(c.db, slot);
  const [start, end] = o.dontSort ? limitRange(o, n) : [0, n - 1];
  if (end < start) return [];
  const out: Uint8Array[] = [];
  let left = end - start + 1;
  zsetWalk(c.db, slot, o.desc && o.dontSort ? n - 1 - start : start, o.desc && o.dontSort, (m) => {
    out.push(m.slice());
    return --left > 0;
  });
  return out;
}

/** LIMIT's [start, end] over `n` elements, as sort.c clamps it (end < start = nothing). */
export function limitRange(o: SortOptions, n: number): [number, number] {
  let start = o.limitStart < 0 ? 0 : o.limitStart;
  let end = o.limitCount < 0 ? n - 1 : start + o.limitCount - 1;
  if (start >= n) {
    start = n - 1;
    end = n - 2;
  }
  if (end >= n) end = n - 1;
  return [start, end];
}

function sortItems(c: Client, items: Item[], o: SortOptions): boolean {
  let bad = false;
  for (const it of items) {
    const byVal = o.by !== undefined ? lookupByPattern(c.db, o.by, it.element) : it.element;
    if (byVal === undefined) continue;
    if (o.alpha) {
      if (o.by !== undefined) it.cmp = byVal;
    } else {
      it.score = parseSortScore(byVal);
      if (Number.isNaN(it.score)) bad = true;
    }
  }
  if (bad) return false;
  const sign = o.desc ? -1 : 1;
  const byPattern = o.by !== undefined;
  // Redis's sortCompare: equal scores fall back to the element bytes; ALPHA BY compares the
  // pattern values, a missing one first. The JS sort is stable, like glibc's merge-sort qsort.
  items.sort((a, b) => {
    let cmp: number;
    if (!o.alpha) cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.element, b.element);
    else if (byPattern) {
      if (a.cmp === undefined || b.cmp === undefined) cmp = a.cmp === b.cmp ? 0 : a.cmp === undefined ? -1 : 1;
      else cmp = compareBytes(a.cmp, b.cmp);
    } else cmp = compareBytes(a.element, b.element);
    return sign * cmp;
  });
  return true;
}

/** SORT (`readonly` false) and SORT_RO. */
export function sortRun(c: Client, argv: Args, readonly: boolean, clusterMode: boolean): void {
  const parsed = parseSortOptions(argv, readonly, clusterMode);
  if (typeof parsed === "string") return c.reply.error(parsed);
  const o = parsed;
  const src = sourceElements(c, argv[1]!, o);
  if (src === undefined) return;
  // A set has no order of its own: with STORE, Redis sorts it ALPHA so the result is deterministic.
  if (o.dontSort && src.type === ValueType.Set && o.store !== undefined) {
    o.dontSort = false;
    o.alpha = true;
    o.by = undefined;
  }
  const items: Item[] = src.els.map((element) => ({ element, score: 0, cmp: undefined }));
  let start: number;
  let end: number;
  if (o.dontSort && (src.type === ValueType.List || src.type === ValueType.ZSet)) [start, end] = [0, items.length - 1];
  else [start, end] = limitRange(o, items.length);
  if (!o.dontSort && !sortItems(c, items, o)) return c.reply.error(ERR_SCORE_NOT_DOUBLE);
  const rows = end >= start ? items.slice(start, end + 1) : [];
  if (o.store === undefined) {
    c.reply.arrayHeader(o.gets.length > 0 ? o.gets.length * rows.length : rows.length);
    for (const it of rows) {
      if (o.gets.length === 0) c.reply.bulk(it.element);
      for (const g of o.gets) {
        const v = lookupByPattern(c.db, g, it.element);
        if (v === undefined) c.reply.nullBulk();
        else c.reply.bulk(v);
      }
    }
    return;
  }
  const out: Uint8Array[] = [];
  for (const it of rows) {
    if (o.gets.length === 0) out.push(it.element);
    for (const g of o.gets) out.push(lookupByPattern(c.db, g, it.element) ?? new Uint8Array(0));
  }
  // setKey semantics: the destination is replaced whatever it held, its TTL dropped; an empty
  // result deletes it.
  const existed = c.db.delete(o.store);
  if (out.length > 0 && replyWriteFailure(c, listReplace(c.db, o.store, out))) return;
  c.reply.integer(out.length);
  if (out.length > 0) notify(c, NC.LIST, "sortstore", o.store);
  else if (existed) notify(c, NC.GENERIC, "del", o.store);
}

// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC | DESC] [ALPHA] [STORE destination]
export const cmdSort = (c: Client, argv: Args): void => sortRun(c, argv, false, false);
// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC | DESC] [ALPHA]
export const cmdSortRo = (c: Client, argv: Args): void => sortRun(c, argv, true, false);
