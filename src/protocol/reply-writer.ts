// Encodes replies into one growable byte buffer per connection (RESP2 or RESP3).
// The server writes `bytes()` with one socket.write() per flush and then `reset()`s it.
// Nothing here allocates per reply except when the buffer has to grow.

const CRLF0 = 13;
const CRLF1 = 10;
const textEncoder = new TextEncoder();
/** Values up to this length are copied into the reply with a byte loop. */
const SMALL_COPY_MAX = 48;

export type Resp = 2 | 3;

export class ReplyWriter {
  buf: Uint8Array;
  len = 0;
  /** Protocol version of the connection; set by HELLO. */
  resp: Resp = 2;

  constructor(initialBytes = 16 * 1024) {
    this.buf = new Uint8Array(initialBytes);
  }

  /** The encoded bytes so far (a view; valid until the next write or reset). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  reset(): void {
    this.len = 0;
    // Give back a buffer that grew for one huge reply.
    if (this.buf.length > 4 * 1024 * 1024) this.buf = new Uint8Array(16 * 1024);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  // ---- raw writers -------------------------------------------------------------------------

  private byte(b: number): void {
    this.buf[this.len++] = b;
  }

  private crlf(): void {
    this.buf[this.len++] = CRLF0;
    this.buf[this.len++] = CRLF1;
  }

  /** Writes an integer in decimal (ensure() must have reserved 21 bytes). */
  private decimal(n: number): void {
    if (n === 0) {
      this.buf[this.len++] = 48;
      return;
    }
    if (n < 0) {
      this.buf[this.len++] = 45;
      n = -n;
    }
    if (n < 1e15 && Number.isInteger(n)) {
      let digits = 1;
      for (let p = 10; p <= n; p *= 10) digits++;
      let i = this.len + digits;
      this.len = i;
      while (n > 0) {
        const q = Math.floor(n / 10);
        this.buf[--i] = 48 + (n - q * 10);
        n = q;
      }
      return;
    }
    this.ascii(BigInt(Math.trunc(n)).toString());
  }

  /** Writes an ASCII string (ensure() must have reserved its length). */
  private ascii(s: string): void {
    const b = this.buf;
    let l = this.len;
    for (let i = 0; i < s.length; i++) b[l++] = s.charCodeAt(i);
    this.len = l;
  }

  /** Appends pre-encoded RESP bytes verbatim (used to splice forwarded replies). */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  // ---- RESP types ---------------------------------------------------------------------------

  /** `+OK` */
  ok(): void {
    this.ensure(5);
    this.ascii("+OK\r\n");
  }

  /** A simple string; CR and LF in `s` are replaced by spaces so it cannot break framing. */
  simple(s: string): void {
    this.ensure(s.length * 3 + 3);
    this.byte(43);
    this.safeText(s);
    this.crlf();
  }

  /**
   * An error reply. `msg` starts with its code, e.g. `ERR syntax error` or `WRONGTYPE Operation…`.
   * CR/LF are replaced by spaces, as Redis does for echoed input.
   */
  error(msg: string): void {
    this.ensure(msg.length * 3 + 3);
    this.byte(45);
    this.safeText(msg);
    this.crlf();
  }

  private safeText(s: string): void {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        this.buf[this.len++] = c === 13 || c === 10 ? 32 : c;
      } else {
        const r = textEncoder.encodeInto(s.slice(i), this.buf.subarray(this.len));
        // Replace CR/LF that encodeInto copied.
        for (let j = this.len; j < this.len + r.written; j++) {
          if (this.buf[j] === 13 || this.buf[j] === 10) this.buf[j] = 32;
        }
        this.len += r.written;
        return;
      }
    }
  }

  integer(n: number): void {
    this.ensure(24);
    this.byte(58);
    this.decimal(n);
    this.crlf();
  }

  /** A bulk string from bytes. */
  bulk(v: Uint8Array): void {
    this.bulkFrom(v, 0, v.length);
  }

  /** A bulk string from `src[off, off+n)` (e.g. straight from an arena page). */
  bulkFrom(src: Uint8Array, off: number, n: number): void {
    this.ensure(n + 24);
    const buf = this.buf;
    let l = this.len;
    buf[l++] = 36;
    if (n < 10) {
      buf[l++] = 48 + n;
    } else if (n < 100) {
      const t = (n / 10) | 0;
      buf[l++] = 48 + t;
      buf[l++] = 48 + n - t * 10;
    } else {
      this.len = l;
      this.decimal(n);
      l = this.len;
    }
    buf[l++] = CRLF0;
    buf[l++] = CRLF1;
    if (n <= SMALL_COPY_MAX) {
      // A byte loop beats set(subarray()) (a view allocation and a native call) for short values.
      for (let i = 0; i < n; i++) buf[l + i] = src[off + i]!;
    } else {
      buf.set(src.subarray(off, off + n), l);
    }
    l += n;
    buf[l++] = CRLF0;
    buf[l++] = CRLF1;
    this.len = l;
  }

  /** A bulk string from a JS string (UTF-8). */
  bulkString(s: string): void {
    const max = s.length * 3;
    this.ensure(max + 24);
    // Reserve the header for the longest length, then fix it up once the byte count is known.
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      this.byte(36);
      this.decimal(s.length);
      this.crlf();
      this.ascii(s);
      this.crlf();
      return;
    }
    this.bulk(textEncoder.encode(s));
  }

  /** Null bulk string: `$-1` in RESP2, `_` in RESP3. */
  nullBulk(): void {
    this.ensure(5);
    this.ascii(this.resp === 3 ? "_\r\n" : "$-1\r\n");
  }

  /** Null array: `*-1` in RESP2, `_` in RESP3. */
  nullArray(): void {
    this.ensure(5);
    this.ascii(this.resp === 3 ? "_\r\n" : "*-1\r\n");
  }

  arrayHeader(n: number): void {
    this.aggregate(42, n);
  }

  /** A map of `n` pairs: `%n` in RESP3, an array of 2n elements in RESP2. */
  mapHeader(n: number): void {
    if (this.resp === 3) this.aggregate(37, n);
    else this.aggregate(42, n * 2);
  }

  /** A set of `n` members: `~n` in RESP3, an array in RESP2. */
  setHeader(n: number): void {
    this.aggregate(this.resp === 3 ? 126 : 42, n);
  }

  /** A push message of `n` elements: `>n` in RESP3, an array in RESP2. */
  pushHeader(n: number): void {
    this.aggregate(this.resp === 3 ? 62 : 42, n);
  }

  private aggregate(type: number, n: number): void {
    this.ensure(24);
    this.byte(type);
    this.decimal(n);
    this.crlf();
  }

  /** A double: `,x` in RESP3, a bulk string in RESP2 (formatted like Redis: 17 significant digits). */
  double(x: number): void {
    const s = formatDouble(x);
    if (this.resp === 3) {
      this.ensure(s.length + 3);
      this.byte(44);
      this.ascii(s);
      this.crlf();
    } else {
      this.bulkString(s);
    }
  }

  /** A boolean: `#t`/`#f` in RESP3, `:1`/`:0` in RESP2. */
  boolean(b: boolean): void {
    if (this.resp === 3) {
      this.ensure(4);
      this.ascii(b ? "#t\r\n" : "#f\r\n");
    } else {
      this.integer(b ? 1 : 0);
    }
  }

  /** Verbatim text (`=n\r\ntxt:...` in RESP3, a bulk string in RESP2), as INFO and CLIENT LIST use. */
  verbatim(s: string, format = "txt"): void {
    if (this.resp !== 3) {
      this.bulkString(s);
      return;
    }
    const body = textEncoder.encode(format + ":" + s);
    this.ensure(body.length + 24);
    this.byte(61);
    this.decimal(body.length);
    this.crlf();
    this.buf.set(body, this.len);
    this.len += body.length;
    this.crlf();
  }

  /** An array of bulk strings from JS strings (COMMAND DOCS, CONFIG GET and friends). */
  stringArray(items: readonly string[]): void {
    this.arrayHeader(items.length);
    for (const s of items) this.bulkString(s);
  }
}

/** Formats a double the way Redis does for INCRBYFLOAT and RESP3 doubles. */
export function formatDouble(x: number): string {
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Number.isNaN(x)) return "nan";
  if (Number.isInteger(x) && Math.abs(x) < 1e17) return String(x);
  let s = x.toPrecision(17);
  if (s.includes("e")) return String(x);
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  // Shortest form that round-trips, when it is shorter.
  const short = String(x);
  return short.length < s.length && !short.includes("e") ? short : s;
}
