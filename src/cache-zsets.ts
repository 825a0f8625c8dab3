// The embedded Cache's sorted sets: the same zset type API the server's ZADD, ZINCRBY, ZSCORE,
// ZRANK, ZRANGE, ZREM and ZCARD call (src/engine/zset/), not a second implementation. Keys and
// members are copied before the type module keeps them. A key of another type throws
// WrongTypeError, where Redis answers WRONGTYPE; a NaN score (or one an increment makes NaN)
// throws RangeError, where Redis answers an error.
import { outOfMemory, type CacheKey, type CacheValue } from "./cache-base.ts";
import { CacheCollections } from "./cache-collections.ts";
import { WrongTypeError } from "./cache-errors.ts";
import { decodeUtf8 } from "./engine/bytes.ts";
import { Status, ValueType } from "./engine/types.ts";
import { zsetCard, zsetPut, zsetRank, zsetRemove, zsetScore, zsetWalk } from "./engine/zset/zset-type.ts";

/** One member of a sorted set and its score (ZRANGE ... WITHSCORES). */
export interface ZEntry {
  member: string;
  score: number;
}

export abstract class CacheZSets extends CacheCollections {
  /** Slot of a sorted set key, -1 when missing; throws WrongTypeError for another type. */
  protected zsetSlot(k: Uint8Array): number {
    const slot = this.ks.peek(k);
    if (slot >= 0 && this.ks.typeOf(slot) !== ValueType.ZSet) throw new WrongTypeError();
    return slot;
  }

  /**
   * ZADD: sets each member's score (an object of member → score, or [member, score] pairs);
   * returns how many members are new.
   */
  zadd(key: CacheKey, scores: Readonly<Record<string, number>> | readonly (readonly [CacheValue, number])[]): number {
    const k = this.keyBytes(key).slice();
    const members: Uint8Array[] = [];
    const values: number[] = [];
    const pairs = Array.isArray(scores) ? scores : Object.entries(scores);
    for (const [m, s] of pairs as (readonly [CacheValue, number])[]) {
      if (typeof s !== "number" || Number.isNaN(s)) throw new RangeError("score is not a valid float");
      members.push(this.valueBytes(m).slice());
      values.push(s);
    }
    if (members.length === 0) return 0;
    const n = zsetPut(this.ks, k, this.zsetSlot(k), members, values);
    if (n < 0) throw outOfMemory(-n as Status);
    return n;
  }

  /** ZINCRBY: adds `increment` to the member's score (0 when new); returns the new score. */
  zincrby(key: CacheKey, increment: number, member: CacheValue): number {
    const k = this.keyBytes(key).slice();
    const slot = this.zsetSlot(k);
    const m = this.valueBytes(member).slice();
    const score = (slot >= 0 ? (zsetScore(this.ks, slot, m) ?? 0) : 0) + increment;
    if (Number.isNaN(score)) throw new RangeError("resulting score is not a number (NaN)");
    const n = zsetPut(this.ks, k, slot, [m], [score]);
    if (n < 0) throw outOfMemory(-n as Status);
    return score;
  }

  /** ZSCORE: the member's score, or undefined. */
  zscore(key: CacheKey, member: CacheValue): number | undefined {
    const k = this.keyBytes(key).slice();
    const slot = this.zsetSlot(k);
    return slot < 0 ? undefined : zsetScore(this.ks, slot, this.valueBytes(member));
  }

  /** ZRANK (or ZREVRANK with `rev`): the member's 0-based rank, or undefined. */
  zrank(key: CacheKey, member: CacheValue, opts: { rev?: boolean } = {}): number | undefined {
    const k = this.keyBytes(key).slice();
    const slot = this.zsetSlot(k);
    const r = slot < 0 ? -1 : zsetRank(this.ks, slot, this.valueBytes(member));
    if (r < 0) return undefined;
    return opts.rev ? zsetCard(this.ks, slot) - 1 - r : r;
  }

  /**
   * ZRANGE by rank: members from `start` to `stop` (inclusive; negative counts from the end), with
   * their scores, lowest first (highest first with `rev`).
   */
  zrange(key: CacheKey, start: number, stop: number, opts: { rev?: boolean } = {}): ZEntry[] {
    const k = this.keyBytes(key).slice();
    const slot = this.zsetSlot(k);
    if (slot < 0) return [];
    const len = zsetCard(this.ks, slot);
    const from = start < 0 ? Math.max(0, len + start) : start;
    const to = stop < 0 ? len + stop : Math.min(stop, len - 1);
    if (from > to || from >= len) return [];
    const out: ZEntry[] = [];
    let left = to - from + 1;
    // Rank r from the top is ascending rank len - 1 - r.
    zsetWalk(this.ks, slot, opts.rev ? len - 1 - from : from, opts.rev === true, (m, score) => {
      out.push({ member: decodeUtf8(m), score });
      return --left > 0;
    });
    return out;
  }

  /** ZREM: removes members; returns how many were there. An emptied zset is deleted. */
  zrem(key: CacheKey, ...members: CacheValue[]): number {
    const k = this.keyBytes(key).slice();
    const slot = this.zsetSlot(k);
    return slot < 0 ? 0 : zsetRemove(this.ks, k, slot, members.map((m) => this.valueBytes(m).slice()));
  }

  /** ZCARD: the number of members (0 when missing). */
  zcard(key: CacheKey): number {
    const k = this.keyBytes(key).slice();
    const slot = this.zsetSlot(k);
    return slot < 0 ? 0 : zsetCard(this.ks, slot);
  }
}
