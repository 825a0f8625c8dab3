// Prometheus metrics on `--metrics-port` (Bun.serve, GET /metrics), under redis_exporter's metric
// names so dashboards built for redis_exporter work unchanged: INFO's fields through its gauge and
// counter maps, `redis_commands_total{cmd}` and friends from commandstats, `redis_db_keys{db}` from
// keyspace, `redis_errors_total{err}` from errorstats, `redis_latency_percentiles_usec{cmd,quantile}`
// (a summary) from latencystats, `redis_instance_info`, `redis_up`; plus
// fast-cache's own series (`fastcache_*`: the WAL export counters, worker restarts).
//
// A scrape reads INFO through the server's own port, as redis_exporter would: with several
// workers that INFO is already the sum over all of them (cluster/aggregate.ts), so the process
// that serves /metrics (the supervisor or the single process) needs no state of its own. A server
// that does not answer makes `redis_up 0`, never a failed scrape.

/** INFO field → metric name (without `redis_`), gauges. From redis_exporter's metricMapGauges. */
const GAUGES: Record<string, string> = {
  uptime_in_seconds: "uptime_in_seconds",
  process_id: "process_id",
  connected_clients: "connected_clients",
  blocked_clients: "blocked_clients",
  tracking_clients: "tracking_clients",
  client_recent_max_output_buffer: "client_recent_max_output_buffer_bytes",
  client_recent_max_input_buffer: "client_recent_max_input_buffer_bytes",
  used_memory: "memory_used_bytes",
  used_memory_rss: "memory_used_rss_bytes",
  used_memory_peak: "memory_used_peak_bytes",
  used_memory_lua: "memory_used_lua_bytes",
  used_memory_overhead: "memory_used_overhead_bytes",
  used_memory_startup: "memory_used_startup_bytes",
  used_memory_dataset: "memory_used_dataset_bytes",
  used_memory_scripts: "memory_used_scripts_bytes",
  maxmemory: "memory_max_bytes",
  mem_fragmentation_ratio: "mem_fragmentation_ratio",
  mem_fragmentation_bytes: "mem_fragmentation_bytes",
  mem_clients_slaves: "mem_clients_slaves",
  mem_clients_normal: "mem_clients_normal",
  expired_stale_perc: "expired_stale_percentage",
  loading: "loading_dump_file",
  rdb_changes_since_last_save: "rdb_changes_since_last_save",
  rdb_bgsave_in_progress: "rdb_bgsave_in_progress",
  rdb_last_save_time: "rdb_last_save_timestamp_seconds",
  rdb_last_bgsave_time_sec: "rdb_last_bgsave_duration_sec",
  rdb_current_bgsave_time_sec: "rdb_current_bgsave_duration_sec",
  aof_enabled: "aof_enabled",
  aof_rewrite_in_progress: "aof_rewrite_in_progress",
  aof_current_size: "aof_current_size_bytes",
  aof_base_size: "aof_base_size_bytes",
  aof_buffer_length: "aof_buffer_length",
  aof_delayed_fsync: "aof_delayed_fsync",
  pubsub_channels: "pubsub_channels",
  pubsub_patterns: "pubsub_patterns",
  latest_fork_usec: "latest_fork_usec",
  connected_slaves: "connected_slaves",
  repl_backlog_size: "replication_backlog_bytes",
  repl_backlog_active: "repl_backlog_is_active",
  master_repl_offset: "master_repl_offset",
};

/** INFO field → metric name (without `redis_`), counters. From redis_exporter's metricMapCounters. */
const COUNTERS: Record<string, string> = {
  total_connections_received: "connections_received_total",
  total_commands_processed: "commands_processed_total",
  rejected_connections: "rejected_connections_total",
  total_net_input_bytes: "net_input_bytes_total",
  total_net_output_bytes: "net_output_bytes_total",
  expired_keys: "expired_keys_total",
  evicted_keys: "evicted_keys_total",
  keyspace_hits: "keyspace_hits_total",
  keyspace_misses: "keyspace_misses_total",
  used_cpu_sys: "cpu_sys_seconds_total",
  used_cpu_user: "cpu_user_seconds_total",
  used_cpu_sys_children: "cpu_sys_children_seconds_total",
  used_cpu_user_children: "cpu_user_children_seconds_total",
};

/** INFO fields that are "ok"/"err" and become 1/0, as redis_exporter reports them. */
const STATUS_FIELDS: Record<string, string> = {
  rdb_last_bgsave_status: "rdb_last_bgsave_status",
  aof_last_bgrewrite_status: "aof_last_bgrewrite_status",
  aof_last_write_status: "aof_last_write_status",
};

const INFO_LABELS = ["role", "redis_version", "redis_build_id", "redis_mode", "os", "maxmemory_policy", "tcp_port", "run_id", "process_id"] as const;

/** Escapes a label value for the text format. */
const label = (v: string): string => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

/** Metric families in first-seen order; the text format wants every sample of a family together. */
class MetricsText {
  private readonly families = new Map<string, { head: string; samples: string[] }>();

  /** One sample of family `name`; `sample` names it when it differs (a summary's `_sum`, `_count`). */
  add(name: string, type: "gauge" | "counter" | "summary", help: string, value: number, labels?: Record<string, string>, sample = name): void {
    if (!Number.isFinite(value)) return;
    let f = this.families.get(name);
    if (f === undefined) {
      f = { head: `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`, samples: [] };
      this.families.set(name, f);
    }
    const l = labels === undefined ? "" : `{${Object.entries(labels).map(([k, v]) => `${k}="${label(v)}"`).join(",")}}`;
    f.samples.push(`${sample}${l} ${value}\n`);
  }

  text(): string {
    let out = "";
    for (const f of this.families.values()) out += f.head + f.samples.join("");
    return out;
  }
}

/** Splits `a=1,b=2` (commandstats, keyspace, errorstats values). */
function pairs(v: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of v.split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) m.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return m;
}

/**
 * redis_exporter's `redis_latency_percentiles_usec{cmd,quantile}` summary: INFO latencystats'
 * percentiles (quantile "50", "99", "99.9" as the INFO keys name them), `_sum` the command's usec
 * and `_count` its calls from commandstats; only commands present in both sections.
 */
function latencySummaries(m: MetricsText, latency: Map<string, Map<string, string>>, calls: Map<string, Map<string, string>>): void {
  const name = "redis_latency_percentiles_usec";
  const help = "A summary of latency percentile distribution per command";
  for (const [cmd, ps] of latency) {
    const stat = calls.get(cmd);
    if (stat === undefined) continue;
    for (const [p, v] of ps) if (p.startsWith("p")) m.add(name, "summary", help, Number(v), { cmd, quantile: String(Number(p.slice(1))) });
    m.add(name, "summary", help, Number(stat.get("usec")), { cmd }, `${name}_sum`);
    m.add(name, "summary", help, Number(stat.get("calls")), { cmd }, `${name}_count`);
  }
}

/** The metrics for one INFO text (`undefined`: the server did not answer, so only `redis_up 0`). */
export function renderMetrics(info: string | undefined, extra: { workerRestarts?: number } = {}): string {
  const m = new MetricsText();
  m.add("redis_up", "gauge", "Information about the Redis instance", info === undefined ? 0 : 1);
  if (info === undefined) return m.text();
  const fields = new Map<string, string>();
  /** Latencystats percentiles and commandstats calls/usec by command, for the latency summary. */
  const latency = new Map<string, Map<string, string>>();
  const calls = new Map<string, Map<string, string>>();
  let section = "";
  for (const raw of info.split("\n")) {
    const line = raw.trimEnd();
    if (line.startsWith("# ")) {
      section = line.slice(2).toLowerCase();
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1);
    if (section === "commandstats" && key.startsWith("cmdstat_")) {
      const p = pairs(value);
      const cmd = key.slice(8);
      calls.set(cmd, p);
      m.add("redis_commands_total", "counter", "Total number of calls per command", Number(p.get("calls")), { cmd });
      m.add("redis_commands_duration_seconds_total", "counter", "Total amount of time in seconds spent per command", Number(p.get("usec")) / 1e6, { cmd });
      m.add("redis_commands_rejected_calls_total", "counter", "Total number of errors within command execution per command", Number(p.get("rejected_calls")), { cmd });
      m.add("redis_commands_failed_calls_total", "counter", "Total number of errors prior command execution per command", Number(p.get("failed_calls")), { cmd });
    } else if (section === "keyspace" && /^db\d+$/.test(key)) {
      const p = pairs(value);
      m.add("redis_db_keys", "gauge", "Total number of keys by DB", Number(p.get("keys")), { db: key });
      m.add("redis_db_keys_expiring", "gauge", "Total number of expiring keys by DB", Number(p.get("expires")), { db: key });
      m.add("redis_db_avg_ttl_seconds", "gauge", "Avg TTL in seconds", Number(p.get("avg_ttl")) / 1000, { db: key });
    } else if (section === "errorstats" && key.startsWith("errorstat_")) {
      m.add("redis_errors_total", "counter", "Total number of errors per error type", Number(pairs(value).get("count")), { err: key.slice(10) });
    } else if (section === "latencystats" && key.startsWith("latency_percentiles_usec_")) {
      latency.set(key.slice(25), pairs(value));
    } else if (section === "walexport") {
      const n = Number(value);
      if (value !== "" && Number.isFinite(n)) m.add(`fastcache_${key}`, "gauge", `fast-cache WAL export: INFO walexport ${key}`, n);
    } else {
      fields.set(key, value);
    }
  }
  latencySummaries(m, latency, calls);
  for (const [field, name] of Object.entries(GAUGES)) {
    const v = fields.get(field);
    if (v !== undefined) m.add(`redis_${name}`, "gauge", `INFO ${field}`, Number(v));
  }
  for (const [field, name] of Object.entries(COUNTERS)) {
    const v = fields.get(field);
    if (v !== undefined) m.add(`redis_${name}`, "counter", `INFO ${field}`, Number(v));
  }
  for (const [field, name] of Object.entries(STATUS_FIELDS)) {
    const v = fields.get(field);
    if (v !== undefined) m.add(`redis_${name}`, "gauge", `INFO ${field} (1 = ok)`, v === "ok" ? 1 : 0);
  }
  const info_labels: Record<string, string> = {};
  for (const l of INFO_LABELS) info_labels[l] = fields.get(l) ?? "";
  m.add("redis_instance_info", "gauge", "Information about the Redis instance", 1, info_labels);
  const maxclients = fields.get("maxclients");
  if (maxclients !== undefined) m.add("redis_config_maxclients", "gauge", "config_maxclients", Number(maxclients));
  if (extra.workerRestarts !== undefined) m.add("fastcache_worker_restarts_total", "counter", "Workers the supervisor restarted", extra.workerRestarts);
  return m.text();
}

/** Reads `INFO everything` from the server at `hostname:port` (AUTH first when a password is set). */
export async function readInfo(hostname: string, port: number, password: string, timeoutMs = 2000): Promise<string | undefined> {
  const enc = (argv: string[]): string => `*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
  const { promise, resolve } = Promise.withResolvers<string | undefined>();
  let buf = Buffer.alloc(0);
  const expect = password !== "" ? 2 : 1;
  const timer = setTimeout(() => resolve(undefined), timeoutMs);
  try {
    const socket = await Bun.connect({
      hostname,
      port,
      socket: {
        data(s, chunk) {
          buf = Buffer.concat([buf, chunk]);
          const text = replies(buf, expect);
          if (text !== undefined) {
            resolve(text);
            s.end();
          }
        },
        close: () => resolve(undefined),
        error: () => resolve(undefined),
        connectError: () => resolve(undefined),
      },
    });
    socket.write(password !== "" ? enc(["AUTH", password]) + enc(["INFO", "everything"]) : enc(["INFO", "everything"]));
  } catch {
    resolve(undefined);
  }
  const text = await promise;
  clearTimeout(timer);
  return text;
}

/** The last of `n` replies when all arrived: the INFO bulk's text, or undefined when incomplete or an error. */
function replies(buf: Buffer, n: number): string | undefined {
  let p = 0;
  for (let i = 0; i < n; i++) {
    const eol = buf.indexOf("\r\n", p);
    if (eol < 0) return undefined;
    const type = buf[p];
    if (type === 36 /* $ */ || type === 61 /* = verbatim */) {
      const len = Number(buf.toString("latin1", p + 1, eol));
      const end = eol + 2 + len;
      if (buf.length < end + 2) return undefined;
      if (i === n - 1) {
        const body = buf.toString("utf8", eol + 2, end);
        return type === 61 ? body.slice(4) : body;
      }
      p = end + 2;
    } else {
      if (i === n - 1) return undefined; // the INFO reply is an error (-NOAUTH, -LOADING...)
      p = eol + 2;
    }
  }
  return undefined;
}

export interface MetricsServer {
  readonly port: number;
  stop(): void;
}

/** Serves /metrics on `hostname:port` (0 = any free port), scraping the RESP server at `respPort`. */
export function startMetricsServer(o: { hostname: string; port: number; respPort: number; password: string; workerRestarts?: () => number }): MetricsServer {
  const server = Bun.serve({
    hostname: o.hostname,
    port: o.port,
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname !== "/metrics") return new Response("fast-cache metrics: GET /metrics\n", { status: url.pathname === "/" ? 200 : 404 });
      const info = await readInfo(o.hostname === "0.0.0.0" || o.hostname === "::" ? "127.0.0.1" : o.hostname, o.respPort, o.password);
      return new Response(renderMetrics(info, { workerRestarts: o.workerRestarts?.() }), {
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      });
    },
  });
  return { port: server.port ?? o.port, stop: () => void server.stop(true) };
}
