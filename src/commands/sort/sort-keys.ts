// The keys a SORT call reads through its BY and GET patterns, for running it on a copy of the
// keyspace (several workers): the source is read from `db`, each pattern substituted per element.
import { listElements } from "../../engine/list/list-type.ts";
import type { Keyspace } from "../../engine/keyspace.ts";
import { setMembers } from "../../engine/set/set-type.ts";
import { zsetEntries } from "../../engine/zset/zset-type.ts";
import { ValueType } from "../../engine/types.ts";
import type { Args } from "../types.ts";
import { hasStar, parseSortOptions, type SortOptions } from "./sort-options.ts";
import { isElementPattern, patternTarget } from "./sort-pattern.ts";

/** The patterns of `o` that name other keys (BY with a `*` unless nosort, GET other than `#`). */
export function keyPatterns(o: SortOptions): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (o.by !== undefined && !o.dontSort) out.push(o.by);
  for (const g of o.gets) if (!isElementPattern(g) && hasStar(g)) out.push(g);
  return out;
}

/** Every key `argv`'s patterns name for the elements of its source in `db` (duplicates possible). */
export function sortPatternKeys(db: Keyspace, argv: Args): Uint8Array[] {
  const o = parseSortOptions(argv, false, false);
  if (typeof o === "string") return [];
  const patterns = keyPatterns(o);
  if (patterns.length === 0) return [];
  const slot = db.peek(argv[1]!);
  if (slot < 0) return [];
  const type = db.typeOf(slot);
  const els = type === ValueType.List ? listElements(db, slot) : type === ValueType.Set ? setMembers(db, slot) : type === ValueType.ZSet ? zsetEntries(db, slot).members : [];
  const out: Uint8Array[] = [];
  for (const el of els) for (const p of patterns) {
    const t = patternTarget(p, el);
    if (t !== undefined) out.push(t.key);
  }
  return out;
}
