// RESP2/RESP3 decoder for tests: turns reply bytes into plain JS values that `toEqual` can compare.
//
//   simple / bulk string  → string (or Uint8Array with { buffers: true })
//   integer               → number (bigint when beyond Number.MAX_SAFE_INTEGER)
//   double `,`            → number (inf / -inf / nan as Infinity / -Infinity / NaN)
//   big number `(`        → bigint
//   null `_`, `$-1`, `*-1`→ null
//   boolean `#`           → boolean
//   array `*`             → RespValue[]
//   map `%`               → Map
//   set `~`               → Set
//   verbatim `=`          → { verbatim: text, format: "txt" } (plain string with { verbatimAsString: true })
//   push `>`              → { push: RespValue[] }
//   error `-` / `!`       → { error: "ERR ..." }
//   attribute `|`         → decoded and dropped; the value that follows is returned
//
// `decode(bytes)` expects exactly one reply; `decodeAll` returns every complete reply;
// `RespDecoder` is incremental (feed chunks from a socket, get the replies completed so far).

export interface RespError {
  error: string;
}
export interface RespVerbatim {
  verbatim: string;
  format: string;
}
export interface RespPush {
  push: RespValue[];
}
export type RespValue =
  | string
  | Uint8Array
  | number
  | bigint
  | boolean
  | null
  | RespValue[]
  | Map<RespValue, RespValue>
  | Set<RespValue>
  | RespError
  | RespVerbatim
  | RespPush;

export interface DecodeOptions {
  /** Bulk and simple strings as Uint8Array instead of UTF-8 strings. @default false */
  buffers?: boolean;
  /** Verbatim strings as their text (format prefix removed). @default false */
  verbatimAsString?: boolean;
}

const decoder = new TextDecoder();
const INCOMPLETE = Symbol("incomplete");
type Step = { value: RespValue; end: number } | typeof INCOMPLETE;

class RespSyntaxError extends Error {}

function lineEnd(buf: Uint8Array, from: number): number {
  for (let i = from; i + 1 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10) return i;
  }
  return -1;
}

function parseInteger(text: string): number | bigint {
  if (!/^[+-]?\d+$/.test(text)) throw new RespSyntaxError(`bad integer: ${JSON.stringify(text)}`);
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

function parseDouble(text: string): number {
  if (text === "inf" || text === "+inf") return Infinity;
  if (text === "-inf") return -Infinity;
  if (text === "nan" || text === "-nan") return NaN;
  const n = Number(text);
  if (Number.isNaN(n)) throw new RespSyntaxError(`bad double: ${JSON.stringify(text)}`);
  return n;
}

function step(buf: Uint8Array, pos: number, opts: DecodeOptions): Step {
  if (pos >= buf.length) return INCOMPLETE;
  const type = buf[pos]!;
  const eol = lineEnd(buf, pos + 1);
  if (eol < 0) return INCOMPLETE;
  const head = decoder.decode(buf.subarray(pos + 1, eol));
  const next = eol + 2;
  const str = (bytes: Uint8Array): RespValue => (opts.buffers ? bytes.slice() : decoder.decode(bytes));
  switch (type) {
    case 43: // +
      return { value: str(buf.subarray(pos + 1, eol)), end: next };
    case 45: // -
      return { value: { error: head }, end: next };
    case 58: // :
      return { value: parseInteger(head), end: next };
    case 44: // ,
      return { value: parseDouble(head), end: next };
    case 40: // (
      return { value: BigInt(head), end: next };
    case 95: // _
      return { value: null, end: next };
    case 35: // #
      if (head !== "t" && head !== "f") throw new RespSyntaxError(`bad boolean: ${head}`);
      return { value: head === "t", end: next };
    case 36: // $
    case 33: // !
    case 61: {
      // =
      const n = Number(parseInteger(head));
      if (n === -1 && type === 36) return { value: null, end: next };
      if (n < 0) throw new RespSyntaxError(`bad length: ${head}`);
      if (next + n + 2 > buf.length) return INCOMPLETE;
      if (buf[next + n] !== 13 || buf[next + n + 1] !== 10) throw new RespSyntaxError("bulk not followed by CRLF");
      const body = buf.subarray(next, next + n);
      const end = next + n + 2;
      if (type === 33) return { value: { error: decoder.decode(body) }, end };
      if (type === 61) {
        const text = decoder.decode(body);
        const format = text.slice(0, 3);
        const rest = text.slice(4);
        return { value: opts.verbatimAsString ? rest : { verbatim: rest, format }, end };
      }
      return { value: str(body), end };
    }
    case 42: // *
    case 126: // ~
    case 62: // >
    case 37: // %
    case 124: {
      // |
      const n = Number(parseInteger(head));
      if (n === -1 && type === 42) return { value: null, end: next };
      if (n < 0) throw new RespSyntaxError(`bad aggregate length: ${head}`);
      const count = type === 37 || type === 124 ? n * 2 : n;
      const items: RespValue[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const r = step(buf, at, opts);
        if (r === INCOMPLETE) return INCOMPLETE;
        items.push(r.value);
        at = r.end;
      }
      if (type === 42) return { value: items, end: at };
      if (type === 126) return { value: new Set(items), end: at };
      if (type === 62) return { value: { push: items }, end: at };
      if (type === 124) return step(buf, at, opts); // attributes precede the real reply
      const map = new Map<RespValue, RespValue>();
      for (let i = 0; i < items.length; i += 2) map.set(items[i]!, items[i + 1]!);
      return { value: map, end: at };
    }
    default:
      throw new RespSyntaxError(`unknown RESP type byte ${type} (${String.fromCharCode(type)}) at ${pos}`);
  }
}

const encoder = new TextEncoder();
function toBytes(input: Uint8Array | string): Uint8Array {
  return typeof input === "string" ? encoder.encode(input) : input;
}

/** Every complete reply in `input`; throws when bytes are left over (a truncated reply). */
export function decodeAll(input: Uint8Array | string, opts: DecodeOptions = {}): RespValue[] {
  const buf = toBytes(input);
  const out: RespValue[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const r = step(buf, pos, opts);
    if (r === INCOMPLETE) throw new RespSyntaxError(`incomplete reply at byte ${pos} of ${buf.length}`);
    out.push(r.value);
    pos = r.end;
  }
  return out;
}

/** Exactly one reply; throws when there is none, more than one, or a partial one. */
export function decode(input: Uint8Array | string, opts: DecodeOptions = {}): RespValue {
  const all = decodeAll(input, opts);
  if (all.length !== 1) throw new RespSyntaxError(`expected one reply, got ${all.length}`);
  return all[0]!;
}

/** Incremental decoder: feed socket chunks, get back the replies they completed. */
export class RespDecoder {
  private buf = new Uint8Array(0);
  constructor(private readonly opts: DecodeOptions = {}) {}

  feed(chunk: Uint8Array | string): RespValue[] {
    const bytes = toBytes(chunk);
    const joined = new Uint8Array(this.buf.length + bytes.length);
    joined.set(this.buf);
    joined.set(bytes, this.buf.length);
    const out: RespValue[] = [];
    let pos = 0;
    while (pos < joined.length) {
      const r = step(joined, pos, this.opts);
      if (r === INCOMPLETE) break;
      out.push(r.value);
      pos = r.end;
    }
    this.buf = joined.slice(pos);
    return out;
  }

  /** Bytes received but not yet part of a complete reply. */
  get pendingBytes(): number {
    return this.buf.length;
  }
}

/** Encodes a command as a RESP array of bulk strings (what clients send). */
export function encodeCommand(argv: readonly (string | Uint8Array)[]): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode(`*${argv.length}\r\n`)];
  for (const a of argv) {
    const b = toBytes(a);
    parts.push(encoder.encode(`$${b.length}\r\n`), b, encoder.encode("\r\n"));
  }
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** True for a decoded error reply. */
export function isError(v: RespValue | undefined): v is RespError {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && "error" in v;
}
