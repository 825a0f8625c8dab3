// SORT's SQL-like options, parsed left to right as Redis 7.0's sortCommandGeneric does (sort.c):
// the first bad option answers its error and nothing else is looked at.
import { ERR_SYNTAX } from "../../protocol/errors.ts";
import { isKeyword, parseInt64 } from "../args.ts";
import type { Args } from "../types.ts";
import { ERR_NOT_INTEGER } from "../../protocol/errors.ts";

export interface SortOptions {
  desc: boolean;
  alpha: boolean;
  /** LIMIT offset count; count -1 = everything (Redis's defaults). */
  limitStart: number;
  limitCount: number;
  /** BY pattern with a `*` (undefined: sort by the elements themselves). */
  by: Uint8Array | undefined;
  /** BY pattern without a `*` (BY nosort): keep the source's own order. */
  dontSort: boolean;
  /** GET patterns in order (`#` = the element itself). */
  gets: Uint8Array[];
  store: Uint8Array | undefined;
}

export const ERR_BY_CLUSTER = "ERR BY option of SORT denied in Cluster mode.";
export const ERR_GET_CLUSTER = "ERR GET option of SORT denied in Cluster mode.";

const STAR = 42;

/** True when the pattern has a `*` before its end (C's strchr stops at a NUL byte). */
export function hasStar(pattern: Uint8Array): boolean {
  for (const b of pattern) {
    if (b === 0) return false;
    if (b === STAR) return true;
  }
  return false;
}

/**
 * Parses argv[2..]. `readonly` (SORT_RO) knows no STORE; `clusterMode` refuses BY patterns and
 * GET as a Redis Cluster node does. Returns the options or the error reply's text.
 */
export function parseSortOptions(argv: Args, readonly: boolean, clusterMode: boolean): SortOptions | string {
  const o: SortOptions = { desc: false, alpha: false, limitStart: 0, limitCount: -1, by: undefined, dontSort: false, gets: [], store: undefined };
  for (let j = 2; j < argv.length; j++) {
    const a = argv[j]!;
    const left = argv.length - j - 1;
    if (isKeyword(a, "asc")) o.desc = false;
    else if (isKeyword(a, "desc")) o.desc = true;
    else if (isKeyword(a, "alpha")) o.alpha = true;
    else if (isKeyword(a, "limit") && left >= 2) {
      const start = parseInt64(argv[j + 1]!);
      if (Number.isNaN(start)) return ERR_NOT_INTEGER;
      const count = parseInt64(argv[j + 2]!);
      if (Number.isNaN(count)) return ERR_NOT_INTEGER;
      o.limitStart = start;
      o.limitCount = count;
      j += 2;
    } else if (!readonly && isKeyword(a, "store") && left >= 1) {
      o.store = argv[++j]!;
    } else if (isKeyword(a, "by") && left >= 1) {
      const p = argv[++j]!;
      // Redis keeps the last BY: a later pattern replaces an earlier one, but dontsort stays set.
      o.by = p;
      if (!hasStar(p)) o.dontSort = true;
      else if (clusterMode) return ERR_BY_CLUSTER;
    } else if (isKeyword(a, "get") && left >= 1) {
      if (clusterMode) return ERR_GET_CLUSTER;
      o.gets.push(argv[++j]!);
    } else return ERR_SYNTAX;
  }
  return o;
}

/**
 * Argument positions of the keys SORT names: the source, and STORE's destination (the last
 * STORE wins, as in the parse). Used as the table's movable-key extractor (routing, COMMAND
 * GETKEYS, transactions).
 */
export function sortKeyPositions(argv: Args): number[] {
  const out = [1];
  let store = -1;
  for (let j = 2; j < argv.length; j++) {
    const a = argv[j]!;
    const left = argv.length - j - 1;
    if (isKeyword(a, "limit") && left >= 2) j += 2;
    else if ((isKeyword(a, "by") || isKeyword(a, "get")) && left >= 1) j++;
    else if (isKeyword(a, "store") && left >= 1) store = ++j;
  }
  if (store > 0) out.push(store);
  return out;
}
