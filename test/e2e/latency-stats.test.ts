// Per-command latency histograms (latency-tracking): INFO latencystats and LATENCY HISTOGRAM in
// redis-server 7.0.15's shapes over RESP2 and RESP3 (values differ, field names and reply types
// must not), merged over two workers, CONFIG SET of the two parameters and CONFIG RESETSTAT.
import { afterAll, beforeAll, expect, test } from "bun:test";
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

/** The reply's shape: types, map keys and field names kept, numbers and bucket values dropped. */
function shape(v: RespValue): unknown {
  if (typeof v === "number" || typeof v === "bigint") return "int";
  if (typeof v === "string") return /^\d+$/.test(v) ? "int-text" : v;
  if (v instanceof Map) {
    const keys = [...v.keys()];
    // histogram_usec: only the first bucket's shape (how many buckets differs).
    if (keys.length > 0 && typeof keys[0] === "number") return { map: [[shape(keys[0]!), shape(v.get(keys[0]!)!)]] };
    return { map: keys.map((k) => [shape(k), shape(v.get(k)!)]).sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)) };
  }
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every((x) => typeof x === "number")) return ["int", "int"]; // RESP2 histogram_usec
    // RESP2 maps of commands (name, body, name, body...): in name order, as Redis's order is its dict's.
    if (v.length % 2 === 0 && v.every((x, i) => i % 2 === 1 || typeof x === "string") && v.some((x) => Array.isArray(x))) {
      const pairs: [unknown, unknown][] = [];
      for (let i = 0; i < v.length; i += 2) pairs.push([v[i], shape(v[i + 1]!)]);
      return pairs.sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
    }
    return v.map(shape);
  }
  return v;
}

async function load(c: RawClient, n: number): Promise<void> {
  for (let i = 0; i < n; i++) c.sendCommand("set", `key:${i}`, "v");
  c.sendCommand("get", "key:1");
  await c.read(n + 1);
}

/** The Latencystats lines (`latency_percentiles_usec_<cmd>:...`) by command. */
function latencyLines(info: RespValue): Map<string, string> {
  const text = typeof info === "string" ? info : (info as { verbatim: string }).verbatim;
  const out = new Map<string, string>();
  const body = text.split("# Latencystats\r\n")[1]?.split("\r\n\r\n")[0] ?? "";
  for (const line of body.split("\r\n")) {
    const m = /^latency_percentiles_usec_([^:]+):(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

const both = async (fn: (c: RawClient) => Promise<RespValue>): Promise<[RespValue, RespValue]> => {
  const redis = await connectWithRetry(pair.redisPort);
  const ours = await RawClient.connect(pair.ours.port);
  try {
    return [await fn(redis), await fn(ours)];
  } finally {
    redis.close();
    ours.close();
  }
};

test.skipIf(!REDIS_SERVER)("latency-tracking parameters: defaults, CONFIG SET errors as redis-server", async () => {
  const script = async (c: RawClient): Promise<RespValue> => [
    await c.command("config", "get", "latency-tracking*"),
    await c.command("config", "set", "latency-tracking-info-percentiles", "abc"),
    await c.command("config", "set", "latency-tracking-info-percentiles", "101"),
    await c.command("config", "set", "latency-tracking", "maybe"),
    await c.command("config", "set", "latency-tracking-info-percentiles", "25.50 99.990"),
    await c.command("config", "get", "latency-tracking-info-percentiles"),
    await c.command("config", "set", "latency-tracking-info-percentiles", "50 99 99.9"),
  ];
  const [redis, ours] = await both(script);
  const sorted = (v: RespValue): RespValue => {
    const a = (v as RespValue[])[0] as string[];
    const pairs: string[][] = [];
    for (let i = 0; i < a.length; i += 2) pairs.push([a[i]!, a[i + 1]!]);
    return [pairs.sort(), ...(v as RespValue[]).slice(1)] as RespValue;
  };
  expect(sorted(ours)).toEqual(sorted(redis));
  expect((ours as RespValue[])[5]).toEqual(["latency-tracking-info-percentiles", "25.5 99.99"]);
});

test.skipIf(!REDIS_SERVER)("INFO latencystats: Redis's line format, not in default INFO, in INFO all", async () => {
  const [redis, ours] = await both(async (c) => {
    await load(c, 10);
    return [await c.command("info", "latencystats"), await c.command("info"), await c.command("info", "everything")];
  });
  for (const [info, def, all] of [redis, ours] as RespValue[][]) {
    const lines = latencyLines(info!);
    expect(lines.get("set")).toMatch(/^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$/);
    expect(lines.get("get")).toMatch(/^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$/);
    expect(String(def)).not.toContain("# Latencystats");
    expect(String(all)).toContain("# Errorstats\r\n");
    expect(String(all).indexOf("# Latencystats")).toBeGreaterThan(String(all).indexOf("# Errorstats"));
    expect(String(all).indexOf("# Latencystats")).toBeLessThan(String(all).indexOf("# Cluster"));
    expect(String(info)).toEndWith("\r\n");
    expect(String(all)).not.toContain("__latency");
  }
});

test.skipIf(!REDIS_SERVER)("LATENCY HISTOGRAM replies in redis-server's shapes, RESP2 and RESP3", async () => {
  for (const resp of [2, 3]) {
    const [redis, ours] = await both(async (c) => {
      if (resp === 3) await c.command("hello", "3");
      await load(c, 5);
      await c.command("config", "get", "maxmemory");
      return [
        await c.command("latency", "histogram", "set", "GET"),
        await c.command("latency", "histogram", "nosuchcommand"),
        await c.command("latency", "histogram", "config"),
        await c.command("latency", "histogram", "config|get"),
      ];
    });
    expect(shape(ours)).toEqual(shape(redis));
    const [setGet, none, config] = ours as RespValue[];
    expect(none).toEqual(resp === 3 ? new Map() : []);
    if (resp === 3) {
      const m = setGet as Map<string, Map<string, RespValue>>;
      expect([...m.keys()]).toEqual(["set", "get"]);
      const hist = m.get("set")!.get("histogram_usec") as Map<number, number>;
      expect([...hist.values()].at(-1)).toBe(m.get("set")!.get("calls") as number); // cumulative
      expect([...(config as Map<string, RespValue>).keys()]).toContain("config|get");
    }
  }
});

test("two workers: LATENCY HISTOGRAM and INFO latencystats count every worker's calls", async () => {
  const c = await RawClient.connect(pair.ours.port);
  try {
    await c.command("config", "resetstat");
    await load(c, 40); // keys on both workers: each runs its own keys' SETs
    const local = String(await c.command("info", "__latencybuckets"));
    const localSets = (/\r\nset:([^\r]*)/.exec(local)?.[1] ?? "").split(",").reduce((n, kv) => n + Number(kv.split("=")[1] ?? 0), 0);
    expect(localSets).toBeGreaterThan(0);
    expect(localSets).toBeLessThan(40); // this connection's worker ran only its share
    const hist = (await c.command("latency", "histogram", "set")) as RespValue[];
    expect(hist[0]).toBe("set");
    const body = hist[1] as RespValue[];
    expect(body[0]).toBe("calls");
    expect(body[1]).toBe(40);
    const buckets = body[3] as number[];
    expect(buckets.at(-1)).toBe(40);
    const stats = String(await c.command("info", "commandstats", "latencystats"));
    expect(stats).toContain("cmdstat_set:calls=40,");
    expect(latencyLines(stats).get("set")).toMatch(/^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$/);
    expect(stats).not.toContain("__latency");
  } finally {
    c.close();
  }
});

test("CONFIG RESETSTAT clears the histograms; latency-tracking no stops recording; percentiles follow the config", async () => {
  const c = await RawClient.connect(pair.ours.port);
  try {
    await load(c, 4);
    expect(await c.command("config", "resetstat")).toBe("OK");
    expect(await c.command("latency", "histogram", "set")).toEqual([]);
    expect(await c.command("config", "set", "latency-tracking", "no")).toBe("OK");
    await load(c, 4);
    expect(await c.command("latency", "histogram", "set")).toEqual([]);
    expect(await c.command("config", "set", "latency-tracking", "yes")).toBe("OK");
    await load(c, 4);
    expect(((await c.command("latency", "histogram", "set")) as RespValue[])[1]).toEqual(["calls", 4, "histogram_usec", expect.any(Array)]);
    expect(await c.command("config", "set", "latency-tracking-info-percentiles", "25.5 100")).toBe("OK");
    expect(latencyLines(await c.command("info", "latencystats")).get("set")).toMatch(/^p25\.5=\d+\.\d{3},p100=\d+\.\d{3}$/);
    expect(await c.command("config", "set", "latency-tracking-info-percentiles", "")).toBe("OK");
    expect(latencyLines(await c.command("info", "latencystats")).get("set")).toBe("");
    expect(await c.command("config", "set", "latency-tracking-info-percentiles", "50 99 99.9")).toBe("OK");
  } finally {
    c.close();
  }
});
