// Redis Cluster hash slots: CRC16/XMODEM of the key (or of its first non-empty {hash tag}) mod
// 16384, and the map from slot to owner (a worker here, or a node of a static multi-machine map).

import { keyHashSlot, SLOT_COUNT } from "../protocol/key-slot.ts";

export { SLOT_COUNT, crc16, keyHashSlot } from "../protocol/key-slot.ts";

/** An inclusive slot range. */
export interface SlotRange {
  start: number;
  end: number;
}

/** Splits the slots into `n` contiguous ranges, one per worker (the first ones one slot larger). */
export function splitSlots(n: number): SlotRange[] {
  if (!Number.isInteger(n) || n < 1 || n > SLOT_COUNT) throw new RangeError(`workers must be 1..${SLOT_COUNT}, got ${n}`);
  const out: SlotRange[] = [];
  const base = Math.floor(SLOT_COUNT / n);
  const extra = SLOT_COUNT % n;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const size = base + (i < extra ? 1 : 0);
    out.push({ start, end: start + size - 1 });
    start += size;
  }
  return out;
}

/** Owner index per slot. `OWNER_NONE` marks slots no node serves (a partial static map). */
export const OWNER_NONE = 0xffff;

export class SlotMap {
  /** owner index of each slot */
  readonly owners = new Uint16Array(SLOT_COUNT).fill(OWNER_NONE);

  constructor(ranges: readonly (readonly SlotRange[])[]) {
    ranges.forEach((list, owner) => {
      for (const r of list) this.owners.fill(owner, r.start, r.end + 1);
    });
  }

  /** One contiguous range per owner, as splitSlots(n). */
  static even(n: number): SlotMap {
    return new SlotMap(splitSlots(n).map((r) => [r]));
  }

  ownerOfSlot(slot: number): number {
    return this.owners[slot]!;
  }

  ownerOfKey(key: Uint8Array): number {
    return this.owners[keyHashSlot(key)]!;
  }

  /** The contiguous ranges each owner serves (CLUSTER SLOTS / SHARDS / NODES). */
  rangesOf(owner: number): SlotRange[] {
    const out: SlotRange[] = [];
    const o = this.owners;
    for (let s = 0; s < SLOT_COUNT; s++) {
      if (o[s] !== owner) continue;
      let e = s;
      while (e + 1 < SLOT_COUNT && o[e + 1] === owner) e++;
      out.push({ start: s, end: e });
      s = e;
    }
    return out;
  }

  /** Number of slots with an owner. */
  assigned(): number {
    let n = 0;
    for (const o of this.owners) if (o !== OWNER_NONE) n++;
    return n;
  }
}

/** Another machine of a static slot map. */
export interface PeerNode {
  ranges: SlotRange[];
  host: string;
  port: number;
}

/** Parses "start-end[,start-end]" (validated by the config parameter). */
export function parseRanges(text: string): SlotRange[] {
  return text
    .split(",")
    .filter((p) => p !== "")
    .map((p) => {
      const [s, e] = p.split("-");
      return { start: Number(s), end: Number(e) };
    });
}

/** Parses "start-end@host:port[,...]"; ranges of the same host:port form one node. */
export function parsePeers(text: string): PeerNode[] {
  const byAddr = new Map<string, PeerNode>();
  for (const p of text.split(",").filter((x) => x !== "")) {
    const [range, addr] = p.split("@") as [string, string];
    const i = addr.lastIndexOf(":");
    const node = byAddr.get(addr) ?? { ranges: [], host: addr.slice(0, i), port: Number(addr.slice(i + 1)) };
    node.ranges.push(...parseRanges(range));
    byAddr.set(addr, node);
  }
  return [...byAddr.values()];
}

/**
 * The slot map of a machine with `workers` workers serving `local` slots (split into contiguous
 * runs of equal size, in slot order) beside other machines `peers` (owners workers, workers+1...).
 */
export function machineSlotMap(workers: number, local: readonly SlotRange[], peers: readonly PeerNode[]): SlotMap {
  const mine: number[] = [];
  const seen = new Uint8Array(SLOT_COUNT);
  for (const r of local) for (let s = r.start; s <= r.end; s++) if (!seen[s]) (seen[s] = 1), mine.push(s);
  mine.sort((a, b) => a - b);
  const map = new SlotMap([]);
  const base = Math.floor(mine.length / workers);
  const extra = mine.length % workers;
  let at = 0;
  for (let w = 0; w < workers; w++) {
    const size = base + (w < extra ? 1 : 0);
    for (let k = 0; k < size; k++) map.owners[mine[at++]!] = w;
  }
  peers.forEach((p, j) => {
    for (const r of p.ranges) for (let s = r.start; s <= r.end; s++) if (!seen[s]) map.owners[s] = workers + j;
  });
  return map;
}
