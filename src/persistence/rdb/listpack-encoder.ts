// Builds a listpack (redis/src/listpack.c) from integers and strings: what Redis 7.0 stores in
// stream nodes. Integers take the smallest integer encoding; strings are written as strings.
const enc = new TextEncoder();

export class ListpackEncoder {
  private buf = new Uint8Array(256);
  private p = 6;
  private n = 0;

  private ensure(k: number): void {
    if (this.p + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.p + k));
    next.set(this.buf.subarray(0, this.p));
    this.buf = next;
  }

  private backlen(len: number): void {
    const b = this.buf;
    if (len <= 127) b[this.p++] = len;
    else if (len < 16383) {
      b[this.p++] = len >> 7;
      b[this.p++] = (len & 127) | 128;
    } else if (len < 2097151) {
      b[this.p++] = len >> 14;
      b[this.p++] = ((len >> 7) & 127) | 128;
      b[this.p++] = (len & 127) | 128;
    } else if (len < 268435455) {
      b[this.p++] = len >> 21;
      b[this.p++] = ((len >> 14) & 127) | 128;
      b[this.p++] = ((len >> 7) & 127) | 128;
      b[this.p++] = (len & 127) | 128;
    } else {
      b[this.p++] = Math.floor(len / 2 ** 28);
      b[this.p++] = ((len >> 21) & 127) | 128;
      b[this.p++] = ((len >> 14) & 127) | 128;
      b[this.p++] = ((len >> 7) & 127) | 128;
      b[this.p++] = (len & 127) | 128;
    }
  }

  int(v: number | bigint): this {
    const x = BigInt(v);
    this.ensure(16);
    const b = this.buf;
    const start = this.p;
    if (x >= 0n && x <= 127n) b[this.p++] = Number(x);
    else if (x >= -4096n && x <= 4095n) {
      const u = Number(x < 0n ? x + 8192n : x);
      b[this.p++] = 0xc0 | (u >> 8);
      b[this.p++] = u & 255;
    } else {
      const [tag, width] = x >= -32768n && x <= 32767n ? [0xf1, 2] : x >= -8388608n && x <= 8388607n ? [0xf2, 3] : x >= -2147483648n && x <= 2147483647n ? [0xf3, 4] : [0xf4, 8];
      b[this.p++] = tag;
      let u = BigInt.asUintN(width * 8, x);
      for (let i = 0; i < width; i++) {
        b[this.p++] = Number(u & 255n);
        u >>= 8n;
      }
    }
    this.backlen(this.p - start);
    this.n++;
    return this;
  }

  str(s: Uint8Array | string): this {
    const v = typeof s === "string" ? enc.encode(s) : s;
    this.ensure(v.length + 16);
    const b = this.buf;
    const start = this.p;
    if (v.length < 64) b[this.p++] = 0x80 | v.length;
    else if (v.length < 4096) {
      b[this.p++] = 0xe0 | (v.length >> 8);
      b[this.p++] = v.length & 255;
    } else {
      b[this.p++] = 0xf0;
      new DataView(b.buffer).setUint32(this.p, v.length, true);
      this.p += 4;
    }
    b.set(v, this.p);
    this.p += v.length;
    this.backlen(this.p - start);
    this.n++;
    return this;
  }

  finish(): Uint8Array {
    this.ensure(1);
    this.buf[this.p++] = 0xff;
    const out = this.buf.slice(0, this.p);
    const v = new DataView(out.buffer);
    v.setUint32(0, out.length, true);
    v.setUint16(4, Math.min(this.n, 65535), true);
    return out;
  }
}
