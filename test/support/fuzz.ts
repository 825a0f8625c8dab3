// Protocol fuzzer against a running server: random bytes, mutated valid commands, huge and
// negative lengths, NUL bytes and unbalanced inline quotes, each on a fresh connection. Before:
// 100 keys written; after each batch: PING on a fresh connection must answer; at the end the 100
// keys must be intact. Shared by test/e2e/protocol-fuzz.test.ts (bounded) and `npm run fuzz`.

import { RawClient } from "./server-process.ts";
import { encodeCommand } from "./resp-decode.ts";

/** Deterministic PRNG (mulberry32), so a failing seed can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEEP = 100;
const keepKey = (i: number): string => `keep:${i}`;
const keepValue = (i: number): string => `value-${i}-${"x".repeat(i)}`;

/** Commands the mutator starts from (none can remove the kept keys or stop the server). */
const SEEDS: string[][] = [
  ["PING"],
  ["ECHO", "hello"],
  ["SET", "fz:a", "1"],
  ["GET", "fz:a"],
  ["INCR", "fz:n"],
  ["MSET", "fz:b", "2", "fz:c", "3"],
  ["RPUSH", "fz:l", "a", "b"],
  ["HSET", "fz:h", "f", "v"],
  ["SADD", "fz:s", "m"],
  ["EXPIRE", "fz:a", "100"],
  ["GET", "keep:1"],
  ["EXISTS", "keep:2"],
];
const HUGE = ["*99999999999999999999\r\n", "*2147483648\r\n", "*-1\r\n", "*-99\r\n", "*1048577\r\n", "*1\r\n$536870913\r\n", "*1\r\n$-5\r\n", "*2\r\n$3\r\nGET\r\n$999999999\r\n", "*1\r\n$9223372036854775808\r\n", "$-1\r\n", "*3\r\n$3\r\nSET\r\n$4\r\nfz:z\r\n$100000\r\nabc"];
const INLINE = ['SET fz:q "unbalanced\r\n', "GET 'fz:q\r\n", 'ECHO "a\\"\r\n', 'SET "fz:q"x y\r\n', "ECHO \"\\x4\"\r\n", "  \r\n", "PING \x00\x00\r\n"];

function randomBytes(rnd: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

/** One fuzz input. */
export function fuzzInput(rnd: () => number): Uint8Array {
  const kind = Math.floor(rnd() * 5);
  const enc = new TextEncoder();
  if (kind === 0) return randomBytes(rnd, 1 + Math.floor(rnd() * 200));
  if (kind === 1) return enc.encode(HUGE[Math.floor(rnd() * HUGE.length)]!);
  if (kind === 2) return enc.encode(INLINE[Math.floor(rnd() * INLINE.length)]!);
  // Mutated valid commands (a few pipelined): flip, insert (NUL included) or delete bytes.
  const parts: Uint8Array[] = [];
  for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) parts.push(encodeCommand(SEEDS[Math.floor(rnd() * SEEDS.length)]!));
  const bytes = Array.from(concat(parts));
  for (let m = 1 + Math.floor(rnd() * 4); m > 0; m--) {
    const at = Math.floor(rnd() * bytes.length);
    const op = Math.floor(rnd() * 3);
    if (op === 0) bytes[at] = Math.floor(rnd() * 256);
    else if (op === 1) bytes.splice(at, 0, rnd() < 0.5 ? 0 : Math.floor(rnd() * 256));
    else bytes.splice(at, 1);
  }
  if (kind === 4) bytes.push(0, 0, 0);
  return Uint8Array.from(bytes);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Sends one input on a fresh connection and closes it (the server must cope with anything). */
async function sendOne(port: number, input: Uint8Array): Promise<void> {
  const s = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {}, error() {}, close() {} } });
  s.write(input);
  s.end();
}

export interface FuzzReport {
  inputs: number;
  batches: number;
  seed: number;
}

/**
 * Writes the kept keys, sends `count` inputs in batches of `batch` (concurrently within one), and
 * after each batch checks that PING on a fresh connection answers; finally checks the kept keys.
 * Throws on the first failure, naming the seed and batch.
 */
export async function fuzzServer(port: number, count: number, seed: number, batch = 100): Promise<FuzzReport> {
  {
    using c = await RawClient.connect(port);
    for (let i = 0; i < KEEP; i++) c.sendCommand("SET", keepKey(i), keepValue(i));
    const oks = await c.read(KEEP);
    if (oks.some((r) => r !== "OK")) throw new Error(`writing the kept keys failed: ${JSON.stringify(oks.slice(0, 3))}`);
  }
  const rnd = prng(seed);
  let batches = 0;
  for (let sent = 0; sent < count; batches++) {
    const n = Math.min(batch, count - sent);
    await Promise.all(Array.from({ length: n }, () => sendOne(port, fuzzInput(rnd))));
    sent += n;
    using p = await RawClient.connect(port);
    const pong = await p.command("PING").catch((e: Error) => e.message);
    if (pong !== "PONG") throw new Error(`seed ${seed}, batch ${batches}: PING answered ${String(pong)}`);
  }
  using c = await RawClient.connect(port);
  for (let i = 0; i < KEEP; i++) c.sendCommand("GET", keepKey(i));
  const got = await c.read(KEEP);
  for (let i = 0; i < KEEP; i++) {
    if (got[i] !== keepValue(i)) throw new Error(`seed ${seed}: ${keepKey(i)} is ${JSON.stringify(got[i])} after fuzzing`);
  }
  return { inputs: count, batches, seed };
}
