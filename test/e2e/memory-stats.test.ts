// MEMORY STATS / DOCTOR / MALLOC-STATS / HELP against redis-server 7.0.15: the same field names in
// the same order with the same reply types over RESP2 and RESP3 (values differ; figures added up
// over both workers), the doctor's texts, and the doctor's issue rules on given figures.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { DOCTOR_EMPTY, DOCTOR_FINE, memoryDoctorReport, mergeOverheads, type MemoryOverhead } from "../../src/commands/memory-stats.ts";
import type { RespValue } from "../support/resp-decode.ts";
import { connectWithRetry, REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";
import { RawClient } from "../support/server-process.ts";

let pair: ParityPair;
beforeAll(async () => {
  pair = await startParityPair(["--appendonly", "no"]);
});
afterAll(async () => {
  await pair?.stop();
});

/** Field names and reply types; numbers (and RESP2's numbers as text) reduced to their kind. */
function shape(v: RespValue): unknown {
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "double";
  if (typeof v === "string") return /^-?\d+\.\d+(e[-+]?\d+)?$/.test(v) ? "double-text" : /^-?\d+$/.test(v) ? "int-text" : v;
  if (v instanceof Map) return { map: [...v].map(([k, x]) => [shape(k), shape(x)]) };
  if (Array.isArray(v)) return v.map(shape);
  return v;
}

const both = async (resp: 2 | 3, fn: (c: RawClient) => Promise<RespValue>): Promise<[RespValue, RespValue]> => {
  const redis = await connectWithRetry(pair.redisPort);
  const ours = await RawClient.connect(pair.ours.port, { verbatimAsString: true });
  try {
    if (resp === 3) {
      await redis.command("hello", "3");
      await ours.command("hello", "3");
    }
    return [await fn(redis), await fn(ours)];
  } finally {
    redis.close();
    ours.close();
  }
};

test.skipIf(!REDIS_SERVER)("MEMORY STATS: Redis 7.0's fields, in order, with its reply types (RESP2 and RESP3)", async () => {
  for (const resp of [2, 3] as const) {
    const [redis, ours] = await both(resp, async (c) => {
      await c.command("flushall");
      // 20 keys per database: each of the two workers holds some (MEMORY STATS adds them up).
      for (let i = 0; i < 20; i++) await c.command("set", `k${i}`, "v");
      await c.command("select", "2");
      for (let i = 0; i < 20; i++) await c.command("set", `k${i}`, "v");
      return c.command("memory", "stats");
    });
    // Redis's doubles are sometimes whole numbers (1.0 prints as "1"); compare kinds loosely there.
    const loose = (x: unknown): unknown => JSON.parse(JSON.stringify(x).replace(/"(int|double)(-text)?"/g, '"num"'));
    expect(loose(shape(ours))).toEqual(loose(shape(redis)));
    const fields = resp === 3 ? [...(ours as Map<string, RespValue>).keys()] : (ours as RespValue[]).filter((_, i) => i % 2 === 0);
    expect(fields).toContain("db.0");
    expect(fields).toContain("db.2");
    const get = (k: string): RespValue => (resp === 3 ? (ours as Map<string, RespValue>).get(k)! : (ours as RespValue[])[(ours as RespValue[]).indexOf(k) + 1]!);
    expect(Number(get("keys.count"))).toBe(40); // both workers' keys, added up
    expect(Number(get("total.allocated"))).toBeGreaterThan(0);
    expect(Number(get("peak.allocated"))).toBeGreaterThanOrEqual(Number(get("total.allocated")));
    expect(Number(get("allocator.resident"))).toBeGreaterThan(0);
  }
});

test.skipIf(!REDIS_SERVER)("MEMORY DOCTOR on a small instance, MALLOC-STATS and HELP answer as redis-server", async () => {
  for (const resp of [2, 3] as const) {
    const [redis, ours] = await both(resp, async (c) => {
      await c.command("flushall");
      const doctor = await c.command("memory", "doctor");
      return [typeof doctor === "object" && doctor !== null && "verbatim" in doctor ? (doctor as { verbatim: string }).verbatim : doctor, await c.command("memory", "help")];
    });
    expect(ours).toEqual(redis);
    expect((ours as RespValue[])[0]).toBe(DOCTOR_EMPTY);
  }
  const c = await RawClient.connect(pair.ours.port);
  try {
    expect(await c.command("memory", "malloc-stats")).toBe("Stats not supported for the current allocator");
    expect(await c.command("memory", "stats", "x")).toEqual({ error: "ERR wrong number of arguments for 'memory|stats' command" });
  } finally {
    c.close();
  }
});

const MB = 1024 * 1024;
const figures = (over: Partial<MemoryOverhead>): MemoryOverhead => ({
  peak: 20 * MB,
  total: 20 * MB,
  startup: 0,
  backlog: 0,
  clientsReplicas: 0,
  clientsNormal: 0,
  replicas: 0,
  normalClients: 1,
  dbs: [],
  overheadTotal: 0,
  keys: 1000,
  datasetBytes: 20 * MB,
  rss: 21 * MB,
  ...over,
});

test("two workers' figures add up field by field, databases merged by number", () => {
  const a = figures({ total: 10, peak: 12, keys: 3, dbs: [{ db: 0, main: 5 }] });
  const b = figures({ total: 20, peak: 25, keys: 4, dbs: [{ db: 2, main: 1 }, { db: 0, main: 2 }] });
  const m = mergeOverheads([a, b]);
  expect([m.total, m.peak, m.keys, m.normalClients]).toEqual([30, 37, 7, 2]);
  expect(m.dbs).toEqual([{ db: 0, main: 7 }, { db: 2, main: 1 }]);
});

test("MEMORY DOCTOR's rules: empty below 5 MB, fine, and Redis's issue texts", () => {
  expect(memoryDoctorReport(figures({ total: 4 * MB, peak: 40 * MB }))).toBe(DOCTOR_EMPTY);
  expect(memoryDoctorReport(figures({ total: 50 * MB, keys: 0 }))).toBe(DOCTOR_EMPTY);
  expect(memoryDoctorReport(figures({}))).toBe(DOCTOR_FINE);
  const report = memoryDoctorReport(figures({ peak: 50 * MB, total: 16 * MB, rss: 60 * MB }));
  expect(report).toStartWith("Sam, I detected a few issues in this Redis instance memory implants:\n\n * Peak memory: In the past this instance used more than 150% the memory that is currently using.");
  expect(report).toContain("\n\n * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4");
  expect(report).toContain("\n\n * High allocator RSS overhead:");
  expect(report).toEndWith("\n\nI'm here to keep you safe, Sam. I want to help you.\n");
  expect(memoryDoctorReport(figures({ clientsNormal: 300 * 1024 }))).toContain(" * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average).");
  expect(memoryDoctorReport(figures({ replicas: 1, clientsReplicas: 11 * MB }))).toContain(" * Big replica buffers:");
});

test("INFO memory reports the Lua heap (used_memory_lua, used_memory_vm_eval) once a script ran, as redis-server names them", async () => {
  const field = (info: string, name: string): string | undefined => info.match(new RegExp(`^${name}:(.*)$`, "m"))?.[1]?.trim();
  const ours = await RawClient.connect(pair.ours.port);
  try {
    expect(await ours.command("eval", "local t = {} for i = 1, 1000 do t[i] = tostring(i) end return #t", "0")).toBe(1000);
    const info = String(await ours.command("info", "memory"));
    expect(Number(field(info, "used_memory_lua"))).toBeGreaterThan(1024);
    expect(Number(field(info, "used_memory_vm_eval"))).toBe(Number(field(info, "used_memory_lua")));
    expect(field(info, "used_memory_lua_human")).toMatch(/^\d+(\.\d+)?[BKMG]$/);
  } finally {
    ours.close();
  }
  if (REDIS_SERVER) {
    const redis = await connectWithRetry(pair.redisPort);
    try {
      const info = String(await redis.command("info", "memory"));
      for (const name of ["used_memory_lua", "used_memory_vm_eval", "used_memory_lua_human"]) expect(field(info, name)).toBeDefined();
    } finally {
      redis.close();
    }
  }
});
