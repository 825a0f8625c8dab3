// Prometheus /metrics on --metrics-port, parsed with a real Prometheus text parser: redis_exporter's
// names (so its dashboards work), counts summed over both workers, one series per database and
// command, and `redis_up 0` (not a failed scrape) when the server cannot answer.
import { expect, test } from "bun:test";
// @ts-expect-error -- the package ships no type declarations
import parsePrometheus from "parse-prometheus-text-format";
import { renderMetrics } from "../../src/server/metrics.ts";
import { RawClient, spawnServer } from "../support/server-process.ts";

interface Family {
  name: string;
  type: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}

const parse = (text: string): Map<string, Family> => new Map((parsePrometheus(text) as Family[]).map((f) => [f.name, f]));
const value = (fams: Map<string, Family>, name: string, labels: Record<string, string> = {}): number => {
  const f = fams.get(name);
  const m = f?.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v));
  return m === undefined ? NaN : Number(m.value);
};

test("/metrics answers redis_exporter's series, summed over both workers", async () => {
  await using srv = await spawnServer(["--appendonly", "no", "--metrics-port", "0", "--requirepass", "pw"]);
  const port = Number(/metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(srv.stdout())?.[1]);
  expect(port).toBeGreaterThan(0);
  const c = await RawClient.connect(srv.port);
  c.sendCommand("auth", "pw");
  await c.read(1);
  for (let i = 0; i < 30; i++) {
    c.sendCommand("set", `k${i}`, "v");
    c.sendCommand("get", `missing${i}`);
  }
  c.sendCommand("select", "4");
  c.sendCommand("set", "x", "y", "px", "100000");
  c.sendCommand("nosuchcommand");
  await c.read(63);
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
  const fams = parse(await res.text());
  expect(value(fams, "redis_up")).toBe(1);
  expect(fams.get("redis_commands_total")?.type).toBe("COUNTER");
  expect(value(fams, "redis_commands_total", { cmd: "set" })).toBe(31); // both workers' calls
  expect(value(fams, "redis_commands_total", { cmd: "get" })).toBe(30);
  expect(value(fams, "redis_keyspace_misses_total")).toBe(30);
  expect(value(fams, "redis_db_keys", { db: "db0" })).toBe(30);
  expect(value(fams, "redis_db_keys", { db: "db4" })).toBe(1);
  expect(value(fams, "redis_db_keys_expiring", { db: "db4" })).toBe(1);
  expect(value(fams, "redis_errors_total", { err: "ERR" })).toBeGreaterThanOrEqual(1);
  expect(value(fams, "redis_memory_used_bytes")).toBeGreaterThan(0);
  expect(value(fams, "redis_connected_clients")).toBeGreaterThanOrEqual(1);
  expect(fams.get("redis_instance_info")?.metrics[0]?.labels?.maxmemory_policy).toBe("noeviction");
  expect(value(fams, "fastcache_worker_restarts_total")).toBe(0);
  c.close();
});

test("a server that does not answer is redis_up 0, still valid text", () => {
  const fams = parse(renderMetrics(undefined));
  expect(value(fams, "redis_up")).toBe(0);
  expect(fams.size).toBe(1);
});

test("latencystats become redis_exporter's redis_latency_percentiles_usec summary (quantiles, _sum, _count)", async () => {
  const info = "# Commandstats\r\ncmdstat_set:calls=31,usec=310,usec_per_call=10.00,rejected_calls=0,failed_calls=0\r\n\r\n# Latencystats\r\nlatency_percentiles_usec_set:p50=4.015,p99=11.007,p99.9=200.703\r\n";
  const text = renderMetrics(info);
  expect(text).toContain("# TYPE redis_latency_percentiles_usec summary\n");
  expect(text).toContain('redis_latency_percentiles_usec{cmd="set",quantile="99.9"} 200.703\n');
  const fam = (parsePrometheus(text) as { name: string; type: string; metrics: { quantiles: Record<string, string>; count: string; sum: string }[] }[]).find(
    (f) => f.name === "redis_latency_percentiles_usec",
  )!;
  expect(fam.type).toBe("SUMMARY");
  expect(text).toContain('redis_latency_percentiles_usec_count{cmd="set"} 31\n');
  expect(fam.metrics[0]!.quantiles).toEqual({ "50": "4.015", "99": "11.007", "99.9": "200.703" });
  expect(text).toContain('redis_latency_percentiles_usec_sum{cmd="set"} 310\n'); // (the parser keeps only the quantiles)

  await using srv = await spawnServer(["--appendonly", "no", "--metrics-port", "0"]);
  const port = Number(/metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(srv.stdout())?.[1]);
  const c = await RawClient.connect(srv.port);
  for (let i = 0; i < 10; i++) c.sendCommand("set", `k${i}`, "v");
  await c.read(10);
  c.close();
  const live = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(live).toMatch(/redis_latency_percentiles_usec\{cmd="set",quantile="50"\} \d/);
  expect(live).toContain('redis_latency_percentiles_usec_count{cmd="set"} 10\n');
});
