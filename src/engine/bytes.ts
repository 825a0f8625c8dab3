// Byte helpers for the engine: key hashing, comparison against page bytes, and UTF-8 encoding
// of string keys into a reused scratch buffer (no allocation on the hot path for short keys).

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * 32-bit hash of bytes. Short keys use an inlined multiply-xor loop (cheaper than a native call);
 * long keys use Bun's xxHash32. The choice depends only on the length, so it is deterministic.
 */
export function hashBytes(b: Uint8Array): number {
  const n = b.length;
  if (n > 64) return Bun.hash.xxHash32(b, 0x9e3779b1);
  let h = 0x811c9dc5 ^ n;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const w = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
    h = Math.imul(h ^ w, 0x5bd1e995);
    h ^= h >>> 15;
  }
  for (; i < n; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Longest string key hashed and compared straight from the JS string (`hashAscii`). */
export const ASCII_KEY_MAX = 64;

/**
 * `hashBytes` of the UTF-8 bytes of `s`, computed from its char codes without encoding it, or -1
 * when `s` is not short ASCII (longer than ASCII_KEY_MAX or any code ≥ 0x80): the caller then
 * encodes. For ASCII the bytes are the char codes, so both hashes agree by construction.
 */
export function hashAscii(s: string): number {
  const n = s.length;
  if (n > ASCII_KEY_MAX) return -1;
  let h = 0x811c9dc5 ^ n;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const c0 = s.charCodeAt(i);
    const c1 = s.charCodeAt(i + 1);
    const c2 = s.charCodeAt(i + 2);
    const c3 = s.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) >= 0x80) return -1;
    h = Math.imul(h ^ (c0 | (c1 << 8) | (c2 << 16) | (c3 << 24)), 0x5bd1e995);
    h ^= h >>> 15;
  }
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return -1;
    h = Math.imul(h ^ c, 0x01000193);
  }
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** True when `page[off, off+key.length)` equals `key`. */
export function equalsAt(page: Uint8Array, off: number, key: Uint8Array): boolean {
  const n = key.length;
  for (let i = 0; i < n; i++) if (page[off + i] !== key[i]) return false;
  return true;
}

/** A growable scratch buffer for encoding string keys and values without allocating. */
export class Utf8Scratch {
  private buf = new Uint8Array(256);
  /** Views of `buf` by length, made once: a subarray() costs more than the rest of a lookup. */
  private views: Uint8Array[] = [];

  /** Encodes `s` and returns a view valid until the next call. */
  encode(s: string): Uint8Array {
    const n = s.length;
    if (n * 3 > this.buf.length) {
      this.buf = new Uint8Array(Math.max(n * 3, this.buf.length * 2));
      this.views = [];
    }
    const buf = this.buf;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return this.view(encoder.encodeInto(s, buf).written);
      buf[i] = c;
    }
    return this.view(n);
  }

  /** `hashBytes` of what the last `encodeHashed` returned. */
  hash = 0;

  /**
   * Encodes `s` like `encode` and sets `hash` to `hashBytes` of the bytes, computed in the same
   * pass for short ASCII strings (the common key), so a lookup reads the key once.
   */
  encodeHashed(s: string): Uint8Array {
    const n = s.length;
    if (n > 64 || n * 3 > this.buf.length) {
      const v = this.encode(s);
      this.hash = hashBytes(v);
      return v;
    }
    const buf = this.buf;
    let h = 0x811c9dc5 ^ n;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const c0 = s.charCodeAt(i);
      const c1 = s.charCodeAt(i + 1);
      const c2 = s.charCodeAt(i + 2);
      const c3 = s.charCodeAt(i + 3);
      if ((c0 | c1 | c2 | c3) >= 0x80) return this.slowHashed(s);
      buf[i] = c0;
      buf[i + 1] = c1;
      buf[i + 2] = c2;
      buf[i + 3] = c3;
      h = Math.imul(h ^ (c0 | (c1 << 8) | (c2 << 16) | (c3 << 24)), 0x5bd1e995);
      h ^= h >>> 15;
    }
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return this.slowHashed(s);
      buf[i] = c;
      h = Math.imul(h ^ c, 0x01000193);
    }
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    this.hash = h >>> 0;
    return this.view(n);
  }

  private slowHashed(s: string): Uint8Array {
    const v = this.encode(s);
    this.hash = hashBytes(v);
    return v;
  }

  private view(n: number): Uint8Array {
    if (n > 512) return this.buf.subarray(0, n);
    let v = this.views[n];
    if (v === undefined) {
      while (this.views.length < n) this.views.push(this.buf.subarray(0, this.views.length));
      v = this.buf.subarray(0, n);
      this.views[n] = v;
    }
    return v;
  }
}

/** Decodes UTF-8 bytes (ASCII fast path for short values). */
export function decodeUtf8(b: Uint8Array): string {
  const n = b.length;
  if (n <= 64) {
    let ascii = true;
    for (let i = 0; i < n; i++) {
      if (b[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, b as unknown as number[]);
  }
  return decoder.decode(b);
}

/** Encodes a string to fresh bytes (when the caller keeps them). */
export const utf8 = (s: string): Uint8Array => encoder.encode(s);
