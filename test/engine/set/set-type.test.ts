// Model test of the set type against a JS Set: random adds, removes and pops across the
// intset → hashtable conversion; every recorded mutation replayed into a second keyspace must
// reproduce the set; the packed (serialized) form loads back to the same members.
import { describe, expect, test } from "bun:test";
import "../../../src/engine/compound/all-types.ts";
import { applyDelta, copyValue, encodingOf, restoreValue } from "../../../src/engine/compound/codecs.ts";
import { Keyspace } from "../../../src/engine/keyspace.ts";
import { setAdd, setHas, setMembers, setPop, setRemove, setSize } from "../../../src/engine/set/set-type.ts";
import { MutationOp, ValueType, type MutationRecord } from "../../../src/engine/types.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string): Uint8Array => enc.encode(s);
const KEY = b("s");

/** A keyspace whose every mutation is replayed into `replica`. */
function pair(): { ks: Keyspace; replica: Keyspace } {
  const replica = new Keyspace({});
  const ks = new Keyspace({
    onMutation: (m: MutationRecord) => {
      const key = m.key.slice();
      const value = m.value.slice();
      if (m.op === MutationOp.Delete) replica.delete(key);
      else if (m.op === MutationOp.Delta) applyDelta(replica, m.type, key, value);
      else if (m.op === MutationOp.Set) restoreValue(replica, key, m.type, value, m.expireAt);
    },
  });
  return { ks, replica };
}

const membersOf = (ks: Keyspace): string[] => {
  const slot = ks.peek(KEY);
  return slot < 0 ? [] : setMembers(ks, slot).map((m) => dec.decode(m)).sort();
};

describe("the set type against a JS Set", () => {
  test("random adds, removes and pops across conversions, replayed exactly", () => {
    const { ks, replica } = pair();
    const model = new Set<string>();
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let step = 0; step < 4000; step++) {
      const phase = step < 1500 ? 0 : 1; // integers first (intset), then strings too
      const member = (): string => (phase === 0 || rnd(3) > 0 ? String(rnd(800) - 100) : `m${rnd(300)}`);
      const op = rnd(10);
      const slot = ks.peek(KEY);
      if (op < 6) {
        const ms = [member(), member()];
        const expected = new Set(ms.filter((m) => !model.has(m))).size;
        for (const m of ms) model.add(m);
        expect(setAdd(ks, KEY, slot, ms.map(b))).toBe(expected);
      } else if (op < 9 && slot >= 0) {
        const m = member();
        expect(setRemove(ks, KEY, slot, [b(m)])).toBe(model.delete(m) ? 1 : 0);
      } else if (slot >= 0) {
        for (const m of setPop(ks, KEY, slot, rnd(3) + 1)) expect(model.delete(dec.decode(m))).toBe(true);
      }
      const s = ks.peek(KEY);
      expect(s < 0 ? 0 : setSize(ks, s)).toBe(model.size);
      if (s >= 0) {
        const allInts = [...model].every((m) => /^(0|-?[1-9][0-9]*)$/.test(m));
        if (encodingOf(ks, s) === "intset") expect(allInts && model.size <= 512).toBe(true);
      }
    }
    expect(membersOf(ks)).toEqual([...model].sort());
    expect(membersOf(replica)).toEqual([...model].sort());
    expect(encodingOf(replica, replica.peek(KEY))).toBe(encodingOf(ks, ks.peek(KEY)));
  });

  test("an intset keeps ascending numeric order and converts past set-max-intset-entries", () => {
    const ks = new Keyspace({});
    setAdd(ks, KEY, -1, ["10", "-5", "3", "9223372036854775807", "-9223372036854775808"].map(b));
    const slot = ks.peek(KEY);
    expect(encodingOf(ks, slot)).toBe("intset");
    expect(setMembers(ks, slot).map((m) => dec.decode(m))).toEqual(["-9223372036854775808", "-5", "3", "10", "9223372036854775807"]);
    setAdd(ks, KEY, slot, [b("9223372036854775808")]); // past int64: a string
    expect(encodingOf(ks, ks.peek(KEY))).toBe("hashtable");
    expect(setHas(ks, ks.peek(KEY), b("3"))).toBe(true);
  });

  test("serialize and load round trip keeps members and encoding", () => {
    for (const members of [["1", "2", "3"], ["a", "1", "b"]]) {
      const from = new Keyspace({});
      setAdd(from, KEY, -1, members.map(b));
      const to = new Keyspace({});
      copyValue(from, from.peek(KEY), to, b("t"), 0);
      const t = to.peek(b("t"));
      expect(to.typeOf(t)).toBe(ValueType.Set);
      expect(setMembers(to, t).map((m) => dec.decode(m)).sort()).toEqual([...members].sort());
      expect(encodingOf(to, t)).toBe(encodingOf(from, from.peek(KEY)));
    }
  });

  test("1M integers and 1M 16-byte strings; churn reuses space", () => {
    for (const make of [(i: number) => String(i), (i: number) => `member:${String(i).padStart(9, "0")}`]) {
      const ks = new Keyspace({});
      const batch: Uint8Array[] = [];
      for (let i = 0; i < 1_000_000; i++) {
        batch.push(b(make(i)));
        if (batch.length === 10_000) {
          setAdd(ks, KEY, ks.peek(KEY), batch);
          batch.length = 0;
        }
      }
      const slot = ks.peek(KEY);
      expect(setSize(ks, slot)).toBe(1_000_000);
      expect(setHas(ks, slot, b(make(999_999)))).toBe(true);
      const before = ks.memoryBytes();
      for (let round = 0; round < 3; round++) {
        const chunk = Array.from({ length: 100_000 }, (_, i) => b(make(i + round * 100_000)));
        expect(setRemove(ks, KEY, ks.peek(KEY), chunk)).toBe(100_000);
        expect(setAdd(ks, KEY, ks.peek(KEY), chunk)).toBe(100_000);
      }
      expect(setSize(ks, ks.peek(KEY))).toBe(1_000_000);
      expect(ks.memoryBytes()).toBeLessThanOrEqual(before * 1.1);
    }
  }, 120_000);
});
