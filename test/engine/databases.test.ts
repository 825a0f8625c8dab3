// The numbered databases (engine/databases.ts): one maxmemory for all of them (a full database 0
// makes room for writes to database 1 by evicting from itself; noeviction refuses), SWAPDB
// renumbers the keyspaces and records one SwapDb mutation, and the counters add up.
import { expect, test } from "bun:test";
import { PAGE_BYTES } from "../../src/engine/arena.ts";
import { Databases } from "../../src/engine/databases.ts";
import { Keyspace } from "../../src/engine/keyspace.ts";
import { MutationOp, Status, type EvictionPolicy, type MutationRecord } from "../../src/engine/types.ts";
import { b, str } from "./keyspace-helpers.ts";

const MB = 1024 * 1024;
const LIMIT = 4 * MB;

/** Databases like the server's: every keyspace counts the others' bytes toward the one limit. */
function makeDatabases(policy: EvictionPolicy, onMutation?: (m: MutationRecord) => void): Databases {
  let dbs: Databases | undefined;
  const zero: Keyspace = new Keyspace({ maxMemory: LIMIT, policy, onMutation, evictElsewhere: () => dbs!.evictFor(zero) });
  dbs = new Databases(zero, 16, (db, evictElsewhere) => {
    const ks = new Keyspace({ maxMemory: LIMIT, policy, onMutation, db, evictElsewhere });
    ks.countAllocatedMemory(() => dbs!.bytesBesides(ks));
    return ks;
  });
  zero.countAllocatedMemory(() => dbs!.bytesBesides(zero));
  return dbs;
}

const value = (i: number): Uint8Array => b(`${i}:`.padEnd(300, "v"));

test("a full database 0 makes room for database 1: the sum stays under maxmemory", () => {
  const dbs = makeDatabases("s3fifo");
  const zero = dbs.at(0);
  for (let i = 0; i < 30_000; i++) expect(zero.set(b(`a${i}`), value(i))).toBe(Status.Ok);
  const fullZero = zero.size;
  const one = dbs.at(1);
  for (let i = 0; i < 8_000; i++) expect(one.set(b(`b${i}`), value(i))).toBe(Status.Ok);
  expect(one.size).toBeGreaterThan(0);
  expect(zero.size).toBeLessThan(fullZero);
  expect(zero.usedMemory()).toBeLessThanOrEqual(LIMIT + 2 * PAGE_BYTES);
  expect(one.usedMemory()).toBe(zero.usedMemory()); // one figure, seen from either database
  expect(dbs.stats().entries).toBe(zero.size + one.size);
  expect(dbs.totalKeys).toBe(zero.size + one.size);
});

test("noeviction: a write to another database is refused once the sum is at the limit", () => {
  const dbs = makeDatabases("noeviction");
  const zero = dbs.at(0);
  let st: Status = Status.Ok;
  for (let i = 0; st === Status.Ok; i++) st = zero.set(b(`a${i}`), value(i));
  expect(st).toBe(Status.OutOfMemory);
  const kept = zero.size;
  expect(dbs.at(3).set(b("x"), value(1))).toBe(Status.OutOfMemory);
  expect(zero.size).toBe(kept);
});

test("SWAPDB trades the keyspaces, renumbers their records and logs one SwapDb", () => {
  const seen: { op: number; db: number | undefined; other: number }[] = [];
  const dbs = makeDatabases("s3fifo", (m) => seen.push({ op: m.op, db: m.db, other: m.expireAt }));
  dbs.at(0).set(b("k"), b("zero"));
  dbs.at(4).set(b("k"), b("four"));
  seen.length = 0;
  dbs.swap(0, 4);
  expect(seen).toEqual([{ op: MutationOp.SwapDb, db: 0, other: 4 }]);
  expect(str(dbs.at(0).get(b("k")))).toBe("four");
  expect(str(dbs.at(4).get(b("k")))).toBe("zero");
  seen.length = 0;
  dbs.at(0).set(b("k2"), b("v"));
  expect(seen[0]!.db).toBe(0); // the keyspace that was database 4 now records as database 0
  dbs.swap(7, 7);
  expect(dbs.peek(7)).toBeUndefined();
  expect(() => dbs.at(16)).toThrow(RangeError);
});
