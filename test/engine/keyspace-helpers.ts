// Shared helpers for the keyspace tests: byte encoding and an invariant check after each step.
import { expect } from "bun:test";
import { Keyspace, type KeyspaceOptions } from "../../src/engine/keyspace.ts";
import { fakeClock, type FakeClock } from "../support/fake-clock.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** UTF-8 bytes of `s`. */
export const b = (s: string): Uint8Array => enc.encode(s);
/** `bytes` decoded as UTF-8 (undefined stays undefined). */
export const str = (bytes: Uint8Array | undefined): string | undefined => (bytes === undefined ? undefined : dec.decode(bytes));

/** A keyspace on a fake clock. */
export function keyspace(opts: Omit<KeyspaceOptions, "now"> = {}): { ks: Keyspace; clock: FakeClock } {
  const clock = fakeClock();
  return { ks: new Keyspace({ ...opts, now: clock.now }), clock };
}

/** Asserts the engine's internal invariants (index ↔ slots ↔ accounting) when it exposes them. */
export function expectConsistent(ks: Keyspace): void {
  const check = (ks as unknown as { checkInvariants?: () => string[] }).checkInvariants;
  if (typeof check === "function") expect(check.call(ks)).toEqual([]);
  expect(ks.stats().entries).toBe(ks.size);
}

/** Every live key, via a full scan. */
export function allKeys(ks: Keyspace): string[] {
  const keys: string[] = [];
  let cursor = 0;
  let guard = 0;
  do {
    cursor = ks.scan(cursor, 100, (slot) => keys.push(dec.decode(ks.keyView(slot))));
    if (++guard > 1_000_000) throw new Error("scan did not finish");
  } while (cursor !== 0);
  return keys;
}
