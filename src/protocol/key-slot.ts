// Redis Cluster's key → hash slot function: CRC16/XMODEM of the key (or of its first non-empty
// {hash tag}) mod 16384. Pure and shared: the cluster routes by it, CLUSTER KEYSLOT answers it.

/** Number of hash slots (Redis Cluster). */
export const SLOT_COUNT = 16384;

const CRC_TABLE = ((): Uint16Array => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

/** CRC16/XMODEM (poly 0x1021, init 0) of `b[from, to)`, as Redis's crc16(). */
export function crc16(b: Uint8Array, from = 0, to = b.length): number {
  let crc = 0;
  for (let i = from; i < to; i++) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >>> 8) ^ b[i]!) & 0xff]!;
  return crc;
}

const OPEN = 123; // {
const CLOSE = 125; // }

/** The hash slot of a key, exactly as Redis's keyHashSlot(): a non-empty `{tag}` is hashed alone. */
export function keyHashSlot(key: Uint8Array): number {
  const n = key.length;
  let s = 0;
  for (; s < n; s++) if (key[s] === OPEN) break;
  if (s === n) return crc16(key) & (SLOT_COUNT - 1);
  let e = s + 1;
  for (; e < n; e++) if (key[e] === CLOSE) break;
  if (e === n || e === s + 1) return crc16(key) & (SLOT_COUNT - 1);
  return crc16(key, s + 1, e) & (SLOT_COUNT - 1);
}
