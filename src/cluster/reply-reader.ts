// Finds where one RESP2/RESP3 reply ends in a byte stream, so forwarded replies can be spliced
// into a client's stream as raw bytes, and reads the few reply shapes merges need (integers,
// arrays of replies). Nothing is decoded into strings unless asked.

const CR = 13;
const LF = 10;

/** End offset (exclusive) of the line starting at `pos` including CRLF, or -1 when incomplete. */
function lineEnd(buf: Uint8Array, pos: number, end: number): number {
  const at = buf.indexOf(LF, pos);
  return at < 0 || at >= end ? -1 : at + 1;
}

/** Parses the signed decimal between `from` and the CR. */
function num(buf: Uint8Array, from: number, lf: number): number {
  let i = from;
  let neg = false;
  if (buf[i] === 45) {
    neg = true;
    i++;
  }
  let n = 0;
  for (; i < lf - 1 && buf[i] !== CR; i++) n = n * 10 + (buf[i]! - 48);
  return neg ? -n : n;
}

/**
 * End offset (exclusive) of the complete reply starting at `pos`, or -1 when the bytes up to
 * `end` do not hold all of it yet.
 */
export function replyEnd(buf: Uint8Array, pos: number, end = buf.length): number {
  if (pos >= end) return -1;
  const type = buf[pos]!;
  const le = lineEnd(buf, pos, end);
  if (le < 0) return -1;
  switch (type) {
    case 36: // $ bulk
    case 33: // ! blob error
    case 61: {
      // = verbatim
      const n = num(buf, pos + 1, le - 1);
      if (n < 0) return le;
      const e = le + n + 2;
      return e <= end ? e : -1;
    }
    case 42: // * array
    case 126: // ~ set
    case 62: // > push
    case 37: // % map
    case 124: {
      // | attribute (followed by the reply it annotates)
      let count = num(buf, pos + 1, le - 1);
      if (count < 0) return le;
      if (type === 37 || type === 124) count *= 2;
      let p = le;
      for (let i = 0; i < count; i++) {
        p = replyEnd(buf, p, end);
        if (p < 0) return -1;
      }
      return type === 124 ? replyEnd(buf, p, end) : p;
    }
    default:
      // + - : _ , # ( simple lines
      return le;
  }
}

/** The integer of a `:n` reply at `pos` (NaN for another type). */
export function readInteger(buf: Uint8Array, pos: number): number {
  if (buf[pos] !== 58) return Number.NaN;
  const le = lineEnd(buf, pos, buf.length);
  return num(buf, pos + 1, le - 1);
}

/** True when the reply at `pos` is an error (`-` or `!`). */
export function isError(buf: Uint8Array, pos: number): boolean {
  return buf[pos] === 45 || buf[pos] === 33;
}

/** The element spans [start, end) of the array/set/push reply at `pos`; undefined for another type. */
export function readArray(buf: Uint8Array, pos: number): [number, number][] | undefined {
  const t = buf[pos];
  if (t !== 42 && t !== 126 && t !== 62) return undefined;
  const le = lineEnd(buf, pos, buf.length);
  const count = num(buf, pos + 1, le - 1);
  const out: [number, number][] = [];
  let p = le;
  for (let i = 0; i < count; i++) {
    const e = replyEnd(buf, p);
    out.push([p, e]);
    p = e;
  }
  return out;
}

/** The payload of a bulk reply at `pos` (a view), null for a null bulk, undefined for another type. */
export function readBulk(buf: Uint8Array, pos: number): Uint8Array | null | undefined {
  const t = buf[pos];
  if (t === 95) return null; // RESP3 null
  if (t === 43) {
    const le = lineEnd(buf, pos, buf.length);
    return buf.subarray(pos + 1, le - 2);
  }
  if (t !== 36) return undefined;
  const le = lineEnd(buf, pos, buf.length);
  const n = num(buf, pos + 1, le - 1);
  if (n < 0) return null;
  return buf.subarray(le, le + n);
}

/** The first error among the workers' replies, if any. */
export const firstError = (replies: Uint8Array[]): Uint8Array | undefined => replies.find((r) => isError(r, 0));
