// Mutation records: what a listener (the WAL) sees for each kind of change, and that records are
// absolute, copied-on-demand views that cost nothing without a listener.
import { describe, expect, test } from "bun:test";
import { Keyspace } from "../../src/engine/keyspace.ts";
import { MutationCause, MutationOp, SetFlag, ValueType, type MutationRecord } from "../../src/engine/types.ts";
import { fakeClock } from "../support/fake-clock.ts";
import { b } from "./keyspace-helpers.ts";

interface Seen {
  op: MutationOp;
  cause: MutationCause;
  type: ValueType;
  key: string;
  value: string;
  expireAt: number;
}

const dec = new TextDecoder();

/** A keyspace whose listener copies every record (views are only valid during the call). */
function recorded(opts: { maxEntries?: number; maxMemory?: number; policy?: "lru" | "s3fifo" } = {}) {
  const clock = fakeClock();
  const seen: Seen[] = [];
  const ks = new Keyspace({
    ...opts,
    now: clock.now,
    onMutation: (m: MutationRecord) => {
      seen.push({ op: m.op, cause: m.cause, type: m.type, key: dec.decode(m.key), value: dec.decode(m.value), expireAt: m.expireAt });
    },
  });
  const take = (): Seen[] => seen.splice(0);
  return { ks, clock, take };
}

const set = (key: string, value: string, expireAt = 0, type: ValueType = ValueType.String): Seen => ({
  op: MutationOp.Set,
  cause: MutationCause.Command,
  type,
  key,
  value,
  expireAt,
});
const del = (key: string, cause: MutationCause = MutationCause.Command): Seen => ({
  op: MutationOp.Delete,
  cause,
  type: ValueType.String,
  key,
  value: "",
  expireAt: 0,
});

describe("Keyspace mutation records", () => {
  test("set, overwrite and delete are recorded with key, value and absolute expiry", () => {
    const { ks, clock, take } = recorded();
    const at = clock.now() + 500;
    ks.set(b("a"), b("1"));
    ks.set(b("a"), b("2"), at);
    ks.set(b("h"), b("x"), 0, 0, ValueType.Hash);
    ks.delete(b("a"));
    expect(take()).toEqual([set("a", "1"), set("a", "2", at), set("h", "x", 0, ValueType.Hash), del("a")]);
  });

  test("operations that change nothing record nothing", () => {
    const { ks, take } = recorded();
    ks.set(b("a"), b("1"));
    take();
    ks.set(b("a"), b("2"), 0, SetFlag.NX);
    ks.set(b("zz"), b("2"), 0, SetFlag.XX);
    ks.delete(b("missing"));
    ks.expire(b("missing"), 1);
    ks.persist(b("missing"));
    ks.persist(b("a")); // no expiry to remove
    ks.get(b("a"));
    ks.lookup(b("missing"));
    expect(take()).toEqual([]);
  });

  test("KEEPTTL records the expiry actually kept", () => {
    const { ks, clock, take } = recorded();
    const at = clock.now() + 1000;
    ks.set(b("k"), b("1"), at);
    ks.set(b("k"), b("2"), 0, SetFlag.KEEPTTL);
    expect(take()).toEqual([set("k", "1", at), set("k", "2", at)]);
  });

  test("expire and persist are recorded as Expire with the absolute time, 0 for persist", () => {
    const { ks, clock, take } = recorded();
    ks.set(b("k"), b("v"));
    const at = clock.now() + 250;
    ks.expire(b("k"), at);
    ks.persist(b("k"));
    expect(take().slice(1)).toEqual([
      { op: MutationOp.Expire, cause: MutationCause.Command, type: ValueType.String, key: "k", value: "", expireAt: at },
      { op: MutationOp.Expire, cause: MutationCause.Command, type: ValueType.String, key: "k", value: "", expireAt: 0 },
    ]);
  });

  test("expire to a past time and a set with a past expiry are recorded as deletes", () => {
    const { ks, clock, take } = recorded();
    ks.set(b("k"), b("v"));
    ks.set(b("j"), b("v"));
    take();
    ks.expire(b("k"), clock.now() - 1);
    ks.set(b("j"), b("w"), clock.now());
    expect(take()).toEqual([del("k"), del("j")]);
  });

  test("lazy expiry on read is recorded as a delete caused by expiry", () => {
    const { ks, clock, take } = recorded();
    ks.set(b("k"), b("v"), clock.now() + 10);
    take();
    clock.advance(10);
    expect(ks.get(b("k"))).toBeUndefined();
    expect(take()).toEqual([del("k", MutationCause.Expired)]);
  });

  test("active expiry by sweepExpired is recorded as a delete caused by expiry", () => {
    const { ks, clock, take } = recorded();
    for (let i = 0; i < 10; i++) ks.set(b(`k${i}`), b("v"), clock.now() + 10);
    ks.set(b("stay"), b("v"));
    take();
    clock.advance(10);
    let removed = 0;
    for (let n = 0; n < 100 && removed < 10; n++) removed += ks.sweepExpired(100);
    const got = take();
    expect(got.length).toBe(10);
    expect(got.every((m) => m.op === MutationOp.Delete && m.cause === MutationCause.Expired)).toBe(true);
    expect(got.map((m) => m.key).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`).sort());
  });

  test("eviction is recorded as a delete caused by eviction, before the set that needed room", () => {
    const { ks, take } = recorded({ maxEntries: 2, policy: "lru" });
    ks.set(b("a"), b("1"));
    ks.set(b("b"), b("2"));
    take();
    ks.set(b("c"), b("3"));
    expect(take()).toEqual([del("a", MutationCause.Evicted), set("c", "3")]);
  });

  test("eviction caused by configure() is recorded", () => {
    const { ks, take } = recorded();
    for (let i = 0; i < 5; i++) ks.set(b(`k${i}`), b("v"));
    take();
    ks.configure({ maxEntries: 2 });
    const got = take();
    expect(got.length).toBe(3);
    expect(got.every((m) => m.op === MutationOp.Delete && m.cause === MutationCause.Evicted)).toBe(true);
  });

  test("clear is recorded once", () => {
    const { ks, take } = recorded();
    ks.set(b("a"), b("1"));
    take();
    ks.clear();
    const got = take();
    expect(got.length).toBe(1);
    expect(got[0]!.op).toBe(MutationOp.Clear);
  });

  test("binary keys and values reach the listener byte for byte", () => {
    const keys: number[][] = [];
    const values: number[][] = [];
    const ks = new Keyspace({
      now: fakeClock().now,
      onMutation: (m) => {
        keys.push(Array.from(m.key));
        values.push(Array.from(m.value));
      },
    });
    ks.set(new Uint8Array([0, 1, 0]), new Uint8Array([255, 0]));
    ks.delete(new Uint8Array([0, 1, 0]));
    expect(keys).toEqual([[0, 1, 0], [0, 1, 0]]);
    expect(values).toEqual([[255, 0], []]);
  });

  test("without a listener nothing is recorded", () => {
    const clock = fakeClock();
    const ks = new Keyspace({ now: clock.now, maxEntries: 2 });
    ks.set(b("a"), b("1"), clock.now() + 5);
    ks.set(b("b"), b("2"));
    ks.set(b("c"), b("3"));
    ks.delete(b("c"));
    clock.advance(5);
    ks.sweepExpired(100);
    // The engine keeps one record object, filled only when a listener is installed.
    const rec = (ks as unknown as { rec?: MutationRecord }).rec;
    if (rec !== undefined) {
      expect(rec.key.length).toBe(0);
      expect(rec.value.length).toBe(0);
    }
    expect(ks.stats().evictions).toBe(1);
  });
});
