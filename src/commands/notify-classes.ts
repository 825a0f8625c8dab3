// The event classes of keyspace notifications (Redis's NOTIFY_* bits and their letters) and the
// `notify-keyspace-events` text form, parsed and printed exactly as Redis 7.0 (notify.c). A leaf
// module: the config table and src/commands/notify.ts both read it.

/** Event classes (Redis's NOTIFY_* bits, same values). */
export const NotifyClass = {
  KEYSPACE: 1 << 0, // K
  KEYEVENT: 1 << 1, // E
  GENERIC: 1 << 2, // g
  STRING: 1 << 3, // $
  LIST: 1 << 4, // l
  SET: 1 << 5, // s
  HASH: 1 << 6, // h
  ZSET: 1 << 7, // z
  EXPIRED: 1 << 8, // x
  EVICTED: 1 << 9, // e
  STREAM: 1 << 10, // t
  KEY_MISS: 1 << 11, // m
  MODULE: 1 << 13, // d
  NEW: 1 << 14, // n
} as const;

const N = NotifyClass;
/** 'A': g$lshzxetd (not m, not n), as Redis 7.0. */
const ALL = N.GENERIC | N.STRING | N.LIST | N.SET | N.HASH | N.ZSET | N.EXPIRED | N.EVICTED | N.STREAM | N.MODULE;

const LETTERS: Record<string, number> = {
  A: ALL, g: N.GENERIC, $: N.STRING, l: N.LIST, s: N.SET, h: N.HASH, z: N.ZSET, x: N.EXPIRED, e: N.EVICTED,
  t: N.STREAM, K: N.KEYSPACE, E: N.KEYEVENT, m: N.KEY_MISS, d: N.MODULE, n: N.NEW,
};

export const ERR_NOTIFY_CLASS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/** keyspaceEventsStringToFlags: the class bits of a config string, or -1 for a bad letter. */
export function parseKeyspaceEvents(text: string): number {
  let flags = 0;
  for (const ch of text) {
    const bit = LETTERS[ch];
    if (bit === undefined) return -1;
    flags |= bit;
  }
  return flags;
}

/** keyspaceEventsFlagsToString: Redis's printed form ('n' is not printed beside 'A', as 7.0). */
export function formatKeyspaceEvents(flags: number): string {
  let s = "";
  if ((flags & ALL) === ALL) s = "A";
  else {
    const order: [number, string][] = [[N.GENERIC, "g"], [N.STRING, "$"], [N.LIST, "l"], [N.SET, "s"], [N.HASH, "h"], [N.ZSET, "z"],
      [N.EXPIRED, "x"], [N.EVICTED, "e"], [N.STREAM, "t"], [N.MODULE, "d"], [N.NEW, "n"]];
    for (const [bit, ch] of order) if (flags & bit) s += ch;
  }
  if (flags & N.KEYSPACE) s += "K";
  if (flags & N.KEYEVENT) s += "E";
  if (flags & N.KEY_MISS) s += "m";
  return s;
}
