// Shared helpers of the persistence tests: temp directories, byte strings, keyspace dumps.
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keyspace } from "../../src/engine/keyspace.ts";
import type { MutationRecord } from "../../src/engine/types.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
export const bytes = (s: string): Uint8Array => enc.encode(s);
export const text = (b: Uint8Array): string => dec.decode(b);

/** A fresh temp directory; `using` removes it. */
export function tempDir(): { path: string; [Symbol.dispose](): void } {
  const path = fs.mkdtempSync(join(tmpdir(), "fc-persist-"));
  return { path, [Symbol.dispose]: () => fs.rmSync(path, { recursive: true, force: true }) };
}

/** Copies every regular file of `from` into a new temp dir. */
export function copyDir(from: string): { path: string; [Symbol.dispose](): void } {
  const d = tempDir();
  for (const name of fs.readdirSync(from)) fs.copyFileSync(join(from, name), join(d.path, name));
  return d;
}

export function fakeClock(start = 1_700_000_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** The live entries of a keyspace as sorted "key=value@expiry#type" strings. */
export function dump(ks: Keyspace): string[] {
  const out: string[] = [];
  let cursor = 0;
  do {
    cursor = ks.scan(cursor, 100, (slot) => {
      out.push(`${text(ks.keyView(slot))}=${text(ks.valueView(slot))}@${ks.expireAt(slot)}#${ks.typeOf(slot)}`);
    });
  } while (cursor !== 0);
  return out.sort();
}

export function record(op: 1 | 2 | 3 | 4, key: string, value = "", expireAt = 0, type: 0 | 1 = 0): MutationRecord {
  return { op, cause: 0, type, key: bytes(key), value: bytes(value), expireAt };
}

/** Waits for the next turns of the event loop (setImmediate callbacks run). */
export const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Waits until `cond` holds, checking each 5 ms, failing after `ms`. */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}
