// RSS bytes per key: one fresh child process per store (bench/rss-child.ts), and a live
// redis-server (INFO memory before/after a pipelined load) when redis-server is installed.
import { resolve } from "node:path";
import { freePort } from "./runner.ts";
import { haveRedis, info, loadKeys, startRedis } from "./server-tools.ts";

export interface RssRow {
  store: string;
  before: number;
  after: number;
  bytesPerKey: number;
  note: string;
}

const CHILD = resolve(import.meta.dir, "rss-child.ts");

async function child(store: string, count: number): Promise<RssRow> {
  const proc = Bun.spawn([process.execPath, CHILD, store, String(count)], { stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 120_000);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  if (code !== 0) throw new Error(`rss-child ${store} exited with ${code}: ${err}`);
  const r = JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as { before: number; after: number; bytesPerKey: number; engineBytes: number | null };
  const note = r.engineBytes === null ? "process RSS" : `process RSS; engine memoryBytes ${(r.engineBytes / count).toFixed(1)} B/key`;
  return { store, before: r.before, after: r.after, bytesPerKey: r.bytesPerKey, note };
}

async function redisLive(count: number): Promise<RssRow[]> {
  const server = await startRedis(freePort());
  try {
    const a = await info(server.port, "memory");
    const load = await loadKeys(server.port, count);
    const b = await info(server.port, "memory");
    const n = (m: Map<string, string>, f: string): number => Number(m.get(f) ?? NaN);
    const note = `redis-server live, ${load.errors} errors`;
    return [
      { store: "redis used_memory", before: n(a, "used_memory"), after: n(b, "used_memory"), bytesPerKey: (n(b, "used_memory") - n(a, "used_memory")) / count, note },
      { store: "redis used_memory_rss", before: n(a, "used_memory_rss"), after: n(b, "used_memory_rss"), bytesPerKey: (n(b, "used_memory_rss") - n(a, "used_memory_rss")) / count, note },
    ];
  } finally {
    await server.stop();
  }
}

/** RSS per key for each store, in fresh processes, one after the other. */
export async function measureRss(count: number): Promise<RssRow[]> {
  const rows: RssRow[] = [];
  for (const store of ["fast-cache", "fast-cache-limited", "lru-cache", "map"]) rows.push(await child(store, count));
  if (haveRedis()) rows.push(...(await redisLive(count)));
  rows.push({ store: "redis 7.0.15 (reference)", before: NaN, after: NaN, bytesPerKey: 146.5, note: "used_memory 136.5 B/key, RSS 146.5 B/key" });
  return rows;
}
