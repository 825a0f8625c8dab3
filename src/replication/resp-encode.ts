// Appends RESP commands (`*n $len arg ...`) to a growable byte buffer: the replication stream.
import type { Arg } from "./mutation-commands.ts";

const enc = new TextEncoder();

export class CommandBuffer {
  buf = new Uint8Array(16 * 1024);
  len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  private header(t: number, n: number): void {
    const s = String(n);
    this.ensure(s.length + 3);
    const b = this.buf;
    let p = this.len;
    b[p++] = t;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    b[p++] = 13;
    b[p++] = 10;
    this.len = p;
  }

  command(argv: readonly Arg[]): void {
    this.header(42, argv.length);
    for (const a of argv) {
      const bytes = typeof a === "string" ? enc.encode(a) : a;
      this.header(36, bytes.length);
      this.ensure(bytes.length + 2);
      this.buf.set(bytes, this.len);
      this.len += bytes.length;
      this.buf[this.len++] = 13;
      this.buf[this.len++] = 10;
    }
  }

  /** Appends bytes already in RESP. */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** The bytes so far (a copy) and an empty buffer; a grown buffer shrinks back. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    if (this.buf.length > 1024 * 1024) this.buf = new Uint8Array(16 * 1024);
    return out;
  }
}
