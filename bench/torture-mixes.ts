// The write mixes of the kill loop (bench/torture.ts), one per data type. Each write is one
// command with its own key, so an acknowledged write has exactly one state to check after a restart.
// A new type adds one entry: `write` gives the command of write i under `prefix`, `check` the command
// that reads it back and whether its reply shows the write.

export interface WriteCheck {
  argv: string[];
  /** True when the reply shows the acknowledged write. */
  ok(reply: unknown): boolean;
}

export interface WriteMix {
  name: string;
  write(prefix: string, i: number): string[];
  check(prefix: string, i: number): WriteCheck;
}

const value = (prefix: string, i: number): string => `${prefix}:${i}:${"x".repeat(i % 64)}`;
const FAR = 4_102_444_800_000; // 2100-01-01, an absolute expiry no round outlives

export const STRING_MIXES: WriteMix[] = [
  {
    name: "string-set",
    write: (p, i) => ["SET", `${p}:s:${i}`, value(p, i)],
    check: (p, i) => ({ argv: ["GET", `${p}:s:${i}`], ok: (r) => r === value(p, i) }),
  },
  {
    name: "string-set-pxat",
    write: (p, i) => ["SET", `${p}:e:${i}`, value(p, i), "PXAT", String(FAR + i)],
    check: (p, i) => ({ argv: ["PEXPIRETIME", `${p}:e:${i}`], ok: (r) => r === FAR + i }),
  },
  {
    name: "string-incrby",
    write: (p, i) => ["INCRBY", `${p}:n:${i}`, String(i + 1)],
    check: (p, i) => ({ argv: ["GET", `${p}:n:${i}`], ok: (r) => r === String(i + 1) }),
  },
];

/**
 * Collections: writes share a few keys (so hashes and sets pass their packed limits and lists
 * span many nodes, and most writes are Delta frames), each write adding one element of its own.
 */
export const COLLECTION_MIXES: WriteMix[] = [
  {
    name: "hash-hset",
    write: (p, i) => ["HSET", `${p}:h:${i % 8}`, `f${i}`, value(p, i)],
    check: (p, i) => ({ argv: ["HGET", `${p}:h:${i % 8}`, `f${i}`], ok: (r) => r === value(p, i) }),
  },
  {
    name: "list-rpush",
    write: (p, i) => ["RPUSH", `${p}:l:${i % 8}`, `e${i}`],
    check: (p, i) => ({ argv: ["LPOS", `${p}:l:${i % 8}`, `e${i}`], ok: (r) => typeof r === "number" && r >= 0 }),
  },
  {
    name: "set-sadd",
    write: (p, i) => ["SADD", `${p}:S:${i % 8}`, i % 2 === 0 ? String(i) : `m${i}`],
    check: (p, i) => ({ argv: ["SISMEMBER", `${p}:S:${i % 8}`, i % 2 === 0 ? String(i) : `m${i}`], ok: (r) => r === 1 }),
  },
];

/** Every mix the kill loop runs by default. */
export const WRITE_MIXES: WriteMix[] = [...STRING_MIXES, ...COLLECTION_MIXES];
