// The embedded Cache's hashes, lists and sets: the same type modules the server's HSET, LPUSH and
// SADD call (src/engine/hash/, list/, set/), not a second implementation. Keys, fields and values
// are copied before the type module keeps them (the scratch buffers are reused). A key of another
// type throws WrongTypeError, where Redis answers WRONGTYPE.
import { CacheBase, outOfMemory, type CacheKey, type CacheValue } from "./cache-base.ts";
import { WrongTypeError } from "./cache-errors.ts";
import { decodeUtf8 } from "./engine/bytes.ts";
import { hashDelete, hashEntries, hashExpireFields, hashGet, hashSet } from "./engine/hash/hash-type.ts";
import { listElements, listLength, listPop, listPush, listRange } from "./engine/list/list-type.ts";
import { setAdd, setHas, setMembers, setRemove, setSize } from "./engine/set/set-type.ts";
import { Status, ValueType, type Milliseconds } from "./engine/types.ts";

export abstract class CacheCollections extends CacheBase {
  // ---- hashes (the same hash type API as HSET/HGET/HGETALL/HDEL/HINCRBY/HPEXPIREAT) ------------

  /** Slot of a hash key, -1 when missing; throws WrongTypeError for another type. */
  protected hashSlot(k: Uint8Array): number {
    const slot = this.ks.peek(k);
    if (slot >= 0 && this.ks.typeOf(slot) !== ValueType.Hash) throw new WrongTypeError();
    return slot;
  }

  /** HSET: sets `fields` (an object of field → value); returns how many fields are new. */
  hset(key: CacheKey, fields: Readonly<Record<string, CacheValue>>): number {
    const k = this.keyBytes(key).slice();
    const pairs: Uint8Array[] = [];
    for (const f of Object.keys(fields)) pairs.push(this.keyBytes(f).slice(), this.valueBytes(fields[f]!).slice());
    if (pairs.length === 0) return 0;
    const n = hashSet(this.ks, k, this.hashSlot(k), pairs);
    if (n < 0) throw outOfMemory(-n as Status);
    return n;
  }

  /** HGET: the field's value (a copy), or undefined. */
  hget(key: CacheKey, field: string): Uint8Array | undefined {
    const k = this.keyBytes(key).slice();
    const slot = this.hashSlot(k);
    return slot < 0 ? undefined : hashGet(this.ks, k, slot, this.keyBytes(field).slice())?.slice();
  }

  /** HGET decoded as UTF-8. */
  hgetString(key: CacheKey, field: string): string | undefined {
    const v = this.hget(key, field);
    return v === undefined ? undefined : decodeUtf8(v);
  }

  /** HGETALL: every live field and its value (UTF-8 decoded); {} when missing. */
  hgetall(key: CacheKey): Record<string, string> {
    const k = this.keyBytes(key).slice();
    const slot = this.hashSlot(k);
    const out: Record<string, string> = {};
    if (slot >= 0) for (const [f, v] of hashEntries(this.ks, slot)) out[decodeUtf8(f)] = decodeUtf8(v);
    return out;
  }

  /** HDEL: removes fields; returns how many existed (the key goes with its last field). */
  hdel(key: CacheKey, ...fields: string[]): number {
    const k = this.keyBytes(key).slice();
    const slot = this.hashSlot(k);
    return slot < 0 ? 0 : hashDelete(this.ks, k, slot, fields.map((f) => this.keyBytes(f).slice()));
  }

  /** HINCRBY: adds `by` to the field's integer (0 when missing); throws TypeError when it is not one. */
  hincrby(key: CacheKey, field: string, by: number): number {
    if (!Number.isSafeInteger(by)) throw new TypeError(`fast-cache: hincrby's 'by' must be a safe integer, got ${by}`);
    const cur = this.hgetString(key, field);
    const n = cur === undefined ? 0 : /^-?(0|[1-9][0-9]*)$/.test(cur) ? Number(cur) : NaN;
    if (!Number.isSafeInteger(n)) throw new TypeError("ERR hash value is not an integer");
    const next = n + by;
    this.hset(key, { [field]: String(next) });
    return next;
  }

  /**
   * HPEXPIRE: the fields expire after `ttl` ms. Returns one code per field as Redis: -2 no such
   * field, 1 set, 2 deleted (ttl ≤ 0).
   */
  hexpire(key: CacheKey, ttl: Milliseconds, ...fields: string[]): number[] {
    const k = this.keyBytes(key).slice();
    const slot = this.hashSlot(k);
    if (slot < 0) return fields.map(() => -2);
    return hashExpireFields(this.ks, k, slot, fields.map((f) => this.keyBytes(f).slice()), this.ks.now() + ttl, "");
  }

  // ---- lists (the same list type API as LPUSH/RPUSH/LPOP/RPOP/LRANGE/LLEN) ----------------------

  /** Slot of a list key, -1 when missing; throws WrongTypeError for another type. */
  protected listSlot(k: Uint8Array): number {
    const slot = this.ks.peek(k);
    if (slot >= 0 && this.ks.typeOf(slot) !== ValueType.List) throw new WrongTypeError();
    return slot;
  }

  protected listPushGeneric(key: CacheKey, values: CacheValue[], left: boolean): number {
    const els = values.map((v) => this.valueBytes(v).slice());
    const k = this.keyBytes(key).slice();
    const n = listPush(this.ks, k, this.listSlot(k), els, left);
    if (n < 0) throw outOfMemory(-n as Status);
    return n;
  }

  /** LPUSH: prepends `values` (each pushed to the head in turn); returns the new length. */
  lpush(key: CacheKey, ...values: CacheValue[]): number {
    return this.listPushGeneric(key, values, true);
  }

  /** RPUSH: appends `values`; returns the new length. */
  rpush(key: CacheKey, ...values: CacheValue[]): number {
    return this.listPushGeneric(key, values, false);
  }

  protected listPopGeneric(key: CacheKey, count: number | undefined, left: boolean): Uint8Array | Uint8Array[] | undefined {
    const k = this.keyBytes(key).slice();
    const slot = this.listSlot(k);
    if (slot < 0) return undefined;
    const out = listPop(this.ks, k, slot, count ?? 1, left);
    return count === undefined ? out[0] : out;
  }

  /** LPOP: the first element (or the first `count`), or undefined when the list is missing. */
  lpop(key: CacheKey): Uint8Array | undefined;
  lpop(key: CacheKey, count: number): Uint8Array[] | undefined;
  lpop(key: CacheKey, count?: number): Uint8Array | Uint8Array[] | undefined {
    return this.listPopGeneric(key, count, true);
  }

  /** RPOP: the last element (or the last `count`, last first), or undefined when missing. */
  rpop(key: CacheKey): Uint8Array | undefined;
  rpop(key: CacheKey, count: number): Uint8Array[] | undefined;
  rpop(key: CacheKey, count?: number): Uint8Array | Uint8Array[] | undefined {
    return this.listPopGeneric(key, count, false);
  }

  /** LRANGE with Redis's inclusive, negative-from-the-tail indexes. */
  lrange(key: CacheKey, start: number, stop: number): Uint8Array[] {
    const slot = this.listSlot(this.keyBytes(key));
    if (slot < 0) return [];
    const n = listLength(this.ks, slot);
    if (start < 0) start = Math.max(0, n + start);
    if (stop < 0) stop = n + stop;
    if (stop >= n) stop = n - 1;
    if (start > stop || start >= n) return [];
    return start === 0 && stop === n - 1 ? listElements(this.ks, slot) : listRange(this.ks, slot, start, stop);
  }

  /** LLEN: 0 when missing. */
  llen(key: CacheKey): number {
    const slot = this.listSlot(this.keyBytes(key));
    return slot < 0 ? 0 : listLength(this.ks, slot);
  }

  // ---- sets (the same set type API as SADD/SREM/SISMEMBER/SMEMBERS/SCARD) ----------------------

  /** Slot of `key` when it holds a set, -1 when missing; throws WrongTypeError for another type. */
  protected setSlot(k: Uint8Array): number {
    const slot = this.ks.peek(k);
    if (slot >= 0 && this.ks.typeOf(slot) !== ValueType.Set) throw new WrongTypeError();
    return slot;
  }

  /** Adds members to the set at `key` (created when missing); returns how many were new (SADD). */
  sadd(key: CacheKey, ...members: CacheValue[]): number {
    const k = this.keyBytes(key).slice();
    const ms = members.map((m) => this.valueBytes(m).slice());
    const n = setAdd(this.ks, k, this.setSlot(k), ms);
    if (n < 0) throw outOfMemory(-n as Status);
    return n;
  }

  /** Removes members; returns how many were there (SREM). An emptied set is deleted. */
  srem(key: CacheKey, ...members: CacheValue[]): number {
    const k = this.keyBytes(key).slice();
    const slot = this.setSlot(k);
    return slot < 0 ? 0 : setRemove(this.ks, k, slot, members.map((m) => this.valueBytes(m).slice()));
  }

  /** True when `member` is in the set at `key` (SISMEMBER). */
  sismember(key: CacheKey, member: CacheValue): boolean {
    const k = this.keyBytes(key).slice();
    const slot = this.setSlot(k);
    return slot >= 0 && setHas(this.ks, slot, this.valueBytes(member));
  }

  /** Members as copies (SMEMBERS); an empty array when the key is missing. */
  smembers(key: CacheKey): Uint8Array[] {
    const k = this.keyBytes(key).slice();
    const slot = this.setSlot(k);
    return slot < 0 ? [] : setMembers(this.ks, slot);
  }

  /** Members decoded as UTF-8. */
  smembersStrings(key: CacheKey): string[] {
    return this.smembers(key).map((m) => decodeUtf8(m));
  }

  /** Number of members (SCARD). */
  scard(key: CacheKey): number {
    const k = this.keyBytes(key).slice();
    const slot = this.setSlot(k);
    return slot < 0 ? 0 : setSize(this.ks, slot);
  }
}
