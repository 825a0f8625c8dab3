// The byte layout inside a stream node (stream-nodes.ts): varints, zigzag deltas and
// length-prefixed strings, read with a cursor (`pos`: the offset after what was read last).

import { readLen, writeLen } from "../arena.ts";

/** Entry flag: the entry's fields are the node's master fields (only values are stored). */
export const SAME_FIELDS = 2;

/** The offset after the last varint or string read (a second result without an allocation). */
export let pos = 0;

export function readVarint(b: Uint8Array, p: number): number {
  let v = 0;
  let mul = 1;
  for (;;) {
    const x = b[p++]!;
    v += (x & 127) * mul;
    if (x < 128) break;
    mul *= 128;
  }
  pos = p;
  return v;
}

export function writeVarint(b: Uint8Array, p: number, v: number): number {
  while (v >= 128) {
    b[p++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  b[p++] = v;
  return p;
}

export const varintBytes = (v: number): number => (v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : Math.ceil(Math.log2(v + 1) / 7));
export const zigzag = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);
export const unzigzag = (v: number): number => (v % 2 === 0 ? v / 2 : -(v + 1) / 2);

export function putString(b: Uint8Array, p: number, s: Uint8Array): number {
  p = writeLen(b, p, s.length);
  if (s.length < 32) for (let i = 0; i < s.length; i++) b[p + i] = s[i]!;
  else b.set(s, p);
  return p + s.length;
}

export function viewString(b: Uint8Array, p: number): Uint8Array {
  const n = readLen(b, p);
  const s = p + (n < 128 ? 1 : 4);
  pos = s + n;
  return b.subarray(s, s + n);
}

export function skipString(b: Uint8Array, p: number): number {
  const n = readLen(b, p);
  return p + (n < 128 ? 1 : 4) + n;
}

