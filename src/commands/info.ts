// INFO rendering: Redis's sections and field names, filled from the server context, the keyspace
// and the process. Subsystems add sections through `server.infoProviders` (name → lines); a
// provider named like a built-in section (e.g. "persistence") replaces that section's body.
import { arch, cpus, release, type as osType } from "node:os";
import { trackingClients, trackingTotals } from "./tracking.ts";
import { REDIS_COMPAT_VERSION } from "./server-help.ts";
import { MEMORY_OVERHEAD_SECTION, memoryOverheadBody } from "./memory-stats.ts";
import { LATENCY_BUCKETS_SECTION, latencyBucketsBody, latencystatsBody, localHistograms } from "./latency-histogram.ts";
import type { CommandEntry, ServerContext } from "./types.ts";
import { scriptVmBytes } from "../scripting/script-runner.ts";

/** Sections in Redis's order, and which of them `INFO` / `INFO default` prints. */
const SECTIONS = [
  "server",
  "clients",
  "memory",
  "persistence",
  "stats",
  "replication",
  "cpu",
  "modules",
  "commandstats",
  "errorstats",
  "latencystats",
  "cluster",
  "keyspace",
] as const;
type Section = (typeof SECTIONS)[number];
const NOT_DEFAULT = new Set<string>(["commandstats", "latencystats"]);

/** The peak of used_memory seen by INFO, per server. */
const peaks = new WeakMap<ServerContext, number>();
/** Last ops/sec sample per server: time (ms), commands processed, rate. */
const opsSamples = new WeakMap<ServerContext, { t: number; n: number; rate: number }>();

/** Forgets the memory peak and the ops/sec sample (CONFIG RESETSTAT). */
export function resetInfoState(s: ServerContext): void {
  peaks.delete(s);
  opsSamples.delete(s);
}

export function humanBytes(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ["K", "M", "G", "T", "P"];
  let v = n;
  let i = -1;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(2)}${units[i]}`;
}

function title(name: string): string {
  if (name === "cpu") return "CPU";
  if (name === "commandstats") return "Commandstats";
  if (name === "errorstats") return "Errorstats";
  if (name === "latencystats") return "Latencystats";
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function lines(fields: [string, string | number][]): string {
  let s = "";
  for (const [k, v] of fields) s += `${k}:${v}\r\n`;
  return s;
}

/**
 * used_memory, what maxmemory compares (as in Redis): bytes the engine allocated (arena pages with
 * their dead space, typed arrays, index) plus client query/output buffers and WAL buffers.
 */
export function usedMemory(server: ServerContext): number {
  return server.keyspace.memoryBytes() + server.keyspace.externalMemory();
}

/** The highest used memory seen so far, `used` included (INFO used_memory_peak, MEMORY STATS). */
export function memoryPeak(s: ServerContext, used: number): number {
  const peak = Math.max(peaks.get(s) ?? 0, used);
  peaks.set(s, peak);
  return peak;
}

function serverSection(s: ServerContext, now: number): string {
  const uptime = Math.max(0, Math.floor((now - s.startedAt) / 1000));
  return lines([
    ["redis_version", REDIS_COMPAT_VERSION],
    ["redis_git_sha1", "00000000"],
    ["redis_git_dirty", 0],
    ["redis_build_id", "0"],
    ["redis_mode", "standalone"],
    ["os", `${osType()} ${release()} ${arch() === "x64" ? "x86_64" : arch()}`],
    ["arch_bits", arch().endsWith("64") ? 64 : 32],
    ["monotonic_clock", "POSIX clock_gettime"],
    ["multiplexing_api", process.platform === "linux" ? "epoll" : "kqueue"],
    ["process_id", s.pid],
    ["process_supervised", "no"],
    ["run_id", s.runId],
    ["tcp_port", s.tcpPort],
    ["server_time_usec", now * 1000],
    ["uptime_in_seconds", uptime],
    ["uptime_in_days", Math.floor(uptime / 86400)],
    ["hz", 10],
    ["configured_hz", 10],
    ["executable", s.executable],
    ["config_file", s.configFile],
    ["io_threads_active", 0],
    ["fast_cache_version", s.version],
    ["bun_version", Bun.version],
  ]);
}

function clientsSection(s: ServerContext): string {
  let maxIn = 0;
  let maxOut = 0;
  for (const c of s.clients.values()) {
    maxIn = Math.max(maxIn, c.queryBufferBytes());
    maxOut = Math.max(maxOut, c.outputBufferBytes());
  }
  const blocked = s.blocking?.counts();
  return lines([
    ["connected_clients", s.clients.size],
    ["cluster_connections", 0],
    ["maxclients", s.config.get("maxclients") ?? "10000"],
    ["client_recent_max_input_buffer", maxIn],
    ["client_recent_max_output_buffer", maxOut],
    ["blocked_clients", blocked?.blocked ?? 0],
    ["tracking_clients", trackingClients(s)],
    ["clients_in_timeout_table", blocked?.withTimeout ?? 0],
  ]);
}

function memorySection(s: ServerContext): string {
  const st = s.databases.stats();
  const mu = process.memoryUsage();
  const lua = scriptVmBytes();
  const used = usedMemory(s);
  const buffers = Math.max(0, used - st.memoryBytes); // external memory of database 0 also counts the other databases
  const peak = memoryPeak(s, used);
  const maxmemory = Number(s.config.get("maxmemory") ?? s.keyspace.maxMemory) || 0;
  return lines([
    ["used_memory", used],
    ["used_memory_human", humanBytes(used)],
    ["used_memory_rss", mu.rss],
    ["used_memory_rss_human", humanBytes(mu.rss)],
    ["used_memory_peak", peak],
    ["used_memory_peak_human", humanBytes(peak)],
    ["used_memory_dataset", st.usedBytes],
    ["used_memory_engine", st.memoryBytes],
    ["used_memory_buffers", buffers],
    ["used_memory_js_heap", mu.heapUsed],
    ["used_memory_lua", lua],
    ["used_memory_vm_eval", lua],
    ["used_memory_lua_human", humanBytes(lua)],
    ["maxmemory", maxmemory],
    ["maxmemory_human", humanBytes(maxmemory)],
    ["maxmemory_policy", s.config.get("maxmemory-policy") ?? s.keyspace.policy],
    ["mem_fragmentation_ratio", used > 0 ? (mu.rss / used).toFixed(2) : "0.00"],
    ["mem_allocator", "bun"],
  ]);
}

function persistenceSection(s: ServerContext): string {
  return lines([
    ["loading", s.loading ? 1 : 0],
    ["async_loading", 0],
    ["rdb_changes_since_last_save", 0],
    ["rdb_bgsave_in_progress", 0],
    ["rdb_last_save_time", 0],
    ["rdb_last_bgsave_status", "ok"],
    ["rdb_last_bgsave_time_sec", -1],
    ["rdb_current_bgsave_time_sec", -1],
    ["aof_enabled", 0],
    ["aof_rewrite_in_progress", 0],
    ["aof_rewrite_scheduled", 0],
    ["aof_last_rewrite_time_sec", -1],
    ["aof_current_rewrite_time_sec", -1],
    ["aof_last_bgrewrite_status", "ok"],
    ["aof_last_write_status", "ok"],
  ]);
}

/** Commands per second since the previous INFO (at least 1 s apart); over the uptime at first. */
function opsPerSec(s: ServerContext, now: number): number {
  const n = s.stats.totalCommandsProcessed;
  const prev = opsSamples.get(s);
  if (!prev) {
    const rate = Math.round(n / Math.max(1, (now - s.startedAt) / 1000));
    opsSamples.set(s, { t: now, n, rate });
    return rate;
  }
  if (now - prev.t >= 1000) {
    prev.rate = Math.round(((n - prev.n) * 1000) / (now - prev.t));
    prev.t = now;
    prev.n = n;
  }
  return prev.rate;
}

function statsSection(s: ServerContext, now: number): string {
  const st = s.databases.stats();
  const x = s.stats;
  return lines([
    ["total_connections_received", x.totalConnectionsReceived],
    ["total_commands_processed", x.totalCommandsProcessed],
    ["instantaneous_ops_per_sec", opsPerSec(s, now)],
    ["total_net_input_bytes", x.netInputBytes],
    ["total_net_output_bytes", x.netOutputBytes],
    ["instantaneous_input_kbps", "0.00"],
    ["instantaneous_output_kbps", "0.00"],
    ["rejected_connections", x.rejectedConnections],
    ["sync_full", x.syncFull],
    ["sync_partial_ok", x.syncPartialOk],
    ["sync_partial_err", x.syncPartialErr],
    ["expired_keys", st.expired],
    ["expired_stale_perc", "0.00"],
    ["expired_time_cap_reached_count", 0],
    ["evicted_keys", st.evictions],
    ["evicted_clients", 0],
    ["keyspace_hits", st.hits],
    ["keyspace_misses", st.misses],
    ["pubsub_channels", 0],
    ["pubsub_patterns", 0],
    ["latest_fork_usec", 0],
    ["total_forks", 0],
    ["tracking_total_keys", trackingTotals(s).keys],
    ["tracking_total_items", trackingTotals(s).items],
    ["tracking_total_prefixes", trackingTotals(s).prefixes],
    ["total_error_replies", x.errorReplies],
    ["client_query_buffer_limit_disconnections", x.clientQueryBufferLimitDisconnections],
    ["client_output_buffer_limit_disconnections", x.clientOutputLimitDisconnections],
  ]);
}

function replicationSection(s: ServerContext): string {
  if (s.replication !== undefined) return s.replication.info();
  return lines([
    ["role", "master"],
    ["connected_slaves", 0],
    ["master_failover_state", "no-failover"],
    ["master_replid", s.runId],
    ["master_replid2", "0".repeat(40)],
    ["master_repl_offset", 0],
    ["second_repl_offset", -1],
    ["repl_backlog_active", 0],
    ["repl_backlog_size", 1048576],
    ["repl_backlog_first_byte_offset", 0],
    ["repl_backlog_histlen", 0],
  ]);
}

function cpuSection(): string {
  const u = process.cpuUsage();
  return lines([
    ["used_cpu_sys", (u.system / 1e6).toFixed(6)],
    ["used_cpu_user", (u.user / 1e6).toFixed(6)],
    ["used_cpu_sys_children", "0.000000"],
    ["used_cpu_user_children", "0.000000"],
    ["cpu_count", cpus().length],
  ]);
}

function commandStat(e: CommandEntry): string {
  const perCall = e.calls > 0 ? (e.usec / e.calls).toFixed(2) : "0.00";
  return `cmdstat_${e.name}:calls=${e.calls},usec=${Math.round(e.usec)},usec_per_call=${perCall},rejected_calls=${e.rejectedCalls},failed_calls=${e.failedCalls}\r\n`;
}

function commandstatsSection(s: ServerContext): string {
  let out = "";
  const visit = (e: CommandEntry): void => {
    if (e.calls > 0 || e.rejectedCalls > 0 || e.failedCalls > 0) out += commandStat(e);
    for (const sub of e.subcommands ?? []) visit(sub);
  };
  for (const e of s.commands.all()) visit(e);
  return out;
}

function errorstatsSection(s: ServerContext): string {
  let out = "";
  for (const [code, n] of [...s.stats.errorCounts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out += `errorstat_${code}:count=${n}\r\n`;
  return out;
}

function keyspaceSection(s: ServerContext): string {
  let out = "";
  s.databases.each((db, ks) => {
    if (ks.size > 0) out += `db${db}:keys=${ks.size},expires=${ks.volatileCount},avg_ttl=0\r\n`;
  });
  return out;
}

function builtin(name: Section, s: ServerContext, now: number): string {
  switch (name) {
    case "server":
      return serverSection(s, now);
    case "clients":
      return clientsSection(s);
    case "memory":
      return memorySection(s);
    case "persistence":
      return persistenceSection(s);
    case "stats":
      return statsSection(s, now);
    case "replication":
      return replicationSection(s);
    case "cpu":
      return cpuSection();
    case "modules":
      return "";
    case "commandstats":
      return commandstatsSection(s);
    case "errorstats":
      return errorstatsSection(s);
    case "latencystats":
      return latencystatsBody(s, localHistograms(s));
    case "cluster":
      return "cluster_enabled:0\r\n";
    case "keyspace":
      return keyspaceSection(s);
  }
}

function providerBody(render: () => string): string {
  const text = render().replace(/\r?\n/g, "\r\n");
  return text === "" || text.endsWith("\r\n") ? text : text + "\r\n";
}

/** True when INFO with these (lower-case) section words prints section `name`. */
export function infoWants(requested: readonly string[], name: string): boolean {
  const words = requested.length === 0 ? ["default"] : requested;
  return words.some((w) => w === name || w === "all" || w === "everything" || (w === "default" && !NOT_DEFAULT.has(name)));
}

/**
 * The INFO text for the requested sections (lower-case names, or all/everything/default; empty
 * means default). Unknown sections are skipped, as Redis does.
 */
export function renderInfo(s: ServerContext, requested: readonly string[], now = Date.now()): string {
  const want = new Set<string>();
  const extra = [...s.infoProviders.keys()].filter((n) => !(SECTIONS as readonly string[]).includes(n));
  const words = requested.length === 0 ? ["default"] : requested;
  for (const w of words) {
    if (w === "all" || w === "everything") {
      for (const n of SECTIONS) want.add(n);
      for (const n of extra) want.add(n);
    } else if (w === "default") {
      for (const n of SECTIONS) if (!NOT_DEFAULT.has(n)) want.add(n);
      for (const n of extra) want.add(n);
    } else {
      want.add(w);
    }
  }
  const parts: string[] = [];
  for (const name of [...SECTIONS, ...extra]) {
    if (!want.has(name)) continue;
    const provider = s.infoProviders.get(name);
    const body = provider ? providerBody(provider) : builtin(name as Section, s, now);
    parts.push(`# ${title(name)}\r\n${body}`);
  }
  // Internal: raw latency buckets for the multi-worker merge (src/cluster/aggregate.ts), only when named.
  if (want.has(LATENCY_BUCKETS_SECTION)) parts.push(`# ${LATENCY_BUCKETS_SECTION}\r\n${latencyBucketsBody(s)}`);
  // Internal: this worker's MEMORY STATS figures, for the multi-worker MEMORY STATS / DOCTOR.
  if (want.has(MEMORY_OVERHEAD_SECTION)) parts.push(`# ${MEMORY_OVERHEAD_SECTION}\r\n${memoryOverheadBody(s)}`);
  return parts.join("\r\n");
}
