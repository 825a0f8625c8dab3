// Stream entry IDs (Redis's streamID: two unsigned 64-bit numbers, ms and seq) held as one
// unsigned 128-bit bigint, ms in the high half: comparison is one `<`, and "the next ID" is `+ 1n`
// with the carry from seq into ms that Redis's streamIncrID does by hand.

/** An entry ID: (ms << 64) | seq. */
export type StreamId = bigint;

export const SEQ_MASK = (1n << 64n) - 1n;
export const MIN_ID: StreamId = 0n;
export const MAX_ID: StreamId = (1n << 128n) - 1n;
export const U64_MAX = SEQ_MASK;

export const makeId = (ms: bigint, seq: bigint): StreamId => (ms << 64n) | seq;
export const idMs = (id: StreamId): bigint => id >> 64n;
export const idSeq = (id: StreamId): bigint => id & SEQ_MASK;

/** "ms-seq", as Redis prints an ID. */
export function formatId(id: StreamId): string {
  return `${id >> 64n}-${id & SEQ_MASK}`;
}

const enc = new TextEncoder();
export const idBytes = (id: StreamId): Uint8Array => enc.encode(formatId(id));

/** Parses "ms-seq" (both parts required, as the serialized form writes them); undefined when malformed. */
export function parseFullId(s: string): StreamId | undefined {
  const dash = s.indexOf("-");
  if (dash <= 0 || !/^\d+-\d+$/.test(s)) return undefined;
  const ms = BigInt(s.slice(0, dash));
  const seq = BigInt(s.slice(dash + 1));
  if (ms > U64_MAX || seq > U64_MAX) return undefined;
  return makeId(ms, seq);
}
