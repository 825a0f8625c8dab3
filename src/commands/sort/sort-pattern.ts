// BY and GET patterns (sort.c lookupKeyByPattern): the first `*` is replaced by the element, and
// `key->field` after the `*` reads a hash field. `#` is the element itself. Values of another
// type, missing keys and patterns without a `*` read as nothing.
import { hashGet } from "../../engine/hash/hash-type.ts";
import type { Keyspace } from "../../engine/keyspace.ts";
import { ValueType } from "../../engine/types.ts";

const STAR = 42;
const HASH = 35;
const DASH = 45;
const GT = 62;

/** Length of the C string in `b` (up to its first NUL): strchr and strstr stop there. */
function cLength(b: Uint8Array): number {
  const n = b.indexOf(0);
  return n < 0 ? b.length : n;
}

export const isElementPattern = (p: Uint8Array): boolean => p.length >= 1 && p[0] === HASH && (p.length === 1 || p[1] === 0);

/** The key and hash field a pattern names for `element`; undefined for `#` and patterns without `*`. */
export function patternTarget(pattern: Uint8Array, element: Uint8Array): { key: Uint8Array; field: Uint8Array | undefined } | undefined {
  if (isElementPattern(pattern)) return undefined;
  const clen = cLength(pattern);
  const star = pattern.subarray(0, clen).indexOf(STAR);
  if (star < 0) return undefined;
  let arrow = -1;
  for (let i = star + 1; i + 1 < clen; i++) {
    if (pattern[i] === DASH && pattern[i + 1] === GT) {
      arrow = i;
      break;
    }
  }
  // "->" at the very end is no field reference (Redis checks the byte after it is not NUL).
  if (arrow >= 0 && (arrow + 2 >= pattern.length || pattern[arrow + 2] === 0)) arrow = -1;
  const end = arrow >= 0 ? arrow : pattern.length;
  const key = new Uint8Array(star + element.length + (end - star - 1));
  key.set(pattern.subarray(0, star), 0);
  key.set(element, star);
  key.set(pattern.subarray(star + 1, end), star + element.length);
  return { key, field: arrow >= 0 ? pattern.slice(arrow + 2) : undefined };
}

/** The value `pattern` names for `element` (a copy), or undefined. */
export function lookupByPattern(db: Keyspace, pattern: Uint8Array, element: Uint8Array): Uint8Array | undefined {
  if (isElementPattern(pattern)) return element;
  const t = patternTarget(pattern, element);
  if (t === undefined) return undefined;
  const slot = db.lookup(t.key);
  if (slot < 0) return undefined;
  const type = db.typeOf(slot);
  if (t.field !== undefined) {
    if (type !== ValueType.Hash) return undefined;
    return hashGet(db, t.key, slot, t.field)?.slice();
  }
  if (type !== ValueType.String) return undefined;
  return db.valueView(slot).slice();
}
