// Shared pieces of the RDB tests: a redis-server 7.0.15 on a free port with its own --dir and
// --dbfilename, the data fill that covers every type in small and large encodings, and a
// protocol-level view of a server's whole data (TYPE, TTL, full contents) to compare two servers.
import type { Subprocess } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectWithRetry, freePort, REDIS_SERVER } from "../../support/redis-parity.ts";
import type { RespValue } from "../../support/resp-decode.ts";
import type { RawClient } from "../../support/server-process.ts";

export { REDIS_SERVER };

export interface RedisProcess {
  port: number;
  dir: string;
  client: RawClient;
  proc: Subprocess;
  stop(): Promise<void>;
}

/** redis-server on a free port with `dir` (a fresh temp dir when absent) and `dbfilename`. */
export async function startRedis(opts: { dir?: string; dbfilename?: string; args?: string[] } = {}): Promise<RedisProcess> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "fc-rdb-redis-"));
  const port = freePort();
  const proc = Bun.spawn(
    [REDIS_SERVER!, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--dbfilename", opts.dbfilename ?? "dump.rdb", ...(opts.args ?? [])],
    { stdout: "pipe", stderr: "pipe" },
  );
  const client = await connectWithRetry(port);
  // A server loading a large file answers -LOADING until done: wait for PING (bounded).
  const deadline = Date.now() + 20000;
  for (;;) {
    const r = await client.command("PING");
    const loading = typeof r === "object" && r !== null && "error" in r && String((r as { error: string }).error).startsWith("LOADING");
    if (!loading) break;
    if (Date.now() > deadline) throw new Error(`redis-server not ready: ${String(r)}`);
    await Bun.sleep(20);
  }
  return {
    port,
    dir,
    client,
    proc,
    async stop() {
      proc.kill("SIGKILL");
      await proc.exited;
      if (opts.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const str = (v: RespValue): string => (typeof v === "string" ? v : v instanceof Uint8Array ? new TextDecoder().decode(v) : JSON.stringify(v));

function pairsSorted(v: RespValue): string[] {
  const a = (v as RespValue[]).map(str);
  const out: string[] = [];
  for (let i = 0; i + 1 < a.length; i += 2) out.push(`${a[i]}=${a[i + 1]}`);
  return out.sort();
}

/** One key as the protocol shows it: type, absolute expiry, contents. */
export interface KeyView {
  type: string;
  /** PEXPIRETIME: absolute expiry in ms (-1 no expiry); absolute, so it does not drift while a test runs. */
  expireAt: number;
  contents: unknown;
}

/** Every key of databases 0..`dbs`-1: "db:key" → view. */
export async function dataView(c: RawClient, dbs = 4): Promise<Map<string, KeyView>> {
  const out = new Map<string, KeyView>();
  for (let db = 0; db < dbs; db++) {
    await c.command("SELECT", String(db));
    let cursor = "0";
    const keys: string[] = [];
    do {
      const r = (await c.command("SCAN", cursor, "COUNT", "1000")) as RespValue[];
      cursor = str(r[0]!);
      for (const k of r[1] as RespValue[]) keys.push(str(k));
    } while (cursor !== "0");
    for (const key of keys) {
      const type = str(await c.command("TYPE", key));
      const expireAt = Number(await c.command("PEXPIRETIME", key));
      let contents: unknown;
      if (type === "string") contents = str(await c.command("GET", key));
      else if (type === "hash") contents = pairsSorted(await c.command("HGETALL", key));
      else if (type === "list") contents = ((await c.command("LRANGE", key, "0", "-1")) as RespValue[]).map(str);
      else if (type === "set") contents = ((await c.command("SMEMBERS", key)) as RespValue[]).map(str).sort();
      else if (type === "zset") contents = ((await c.command("ZRANGE", key, "0", "-1", "WITHSCORES")) as RespValue[]).map(str);
      else if (type === "stream") contents = await streamView(c, key);
      out.set(`${db}:${key}`, { type, expireAt, contents });
    }
  }
  await c.command("SELECT", "0");
  return out;
}

async function streamView(c: RawClient, key: string): Promise<unknown> {
  const entries = await c.command("XRANGE", key, "-", "+");
  const info = (await c.command("XINFO", "STREAM", key, "FULL")) as RespValue[];
  const fields = new Map<string, RespValue>();
  for (let i = 0; i + 1 < info.length; i += 2) fields.set(str(info[i]!), info[i + 1]!);
  const groups = ((fields.get("groups") ?? []) as RespValue[]).map((g) => {
    const a = g as RespValue[];
    const m = new Map<string, RespValue>();
    for (let i = 0; i + 1 < a.length; i += 2) m.set(str(a[i]!), a[i + 1]!);
    const pel = (m.get("pending") as RespValue[]).map((p) => {
      const e = p as RespValue[];
      return [str(e[0]!), str(e[1]!), Number(e[3])]; // id, consumer, delivery count (time differs)
    });
    const consumers = (m.get("consumers") as RespValue[]).map((cv) => {
      const e = cv as RespValue[];
      const cm = new Map<string, RespValue>();
      for (let i = 0; i + 1 < e.length; i += 2) cm.set(str(e[i]!), e[i + 1]!);
      return [str(cm.get("name")!), Number(cm.get("pel-count"))];
    });
    return { name: str(m.get("name")!), lastId: str(m.get("last-delivered-id")!), entriesRead: str(m.get("entries-read") ?? null), pel, consumers };
  });
  return {
    entries,
    length: fields.get("length"),
    lastId: str(fields.get("last-generated-id")!),
    maxDeleted: str(fields.get("max-deleted-entry-id")!),
    added: fields.get("entries-added"),
    groups,
  };
}

/**
 * Differences between two data views, one line each. Expiry times are absolute and equal after a
 * file round trip; `ttlToleranceMs` covers RESTORE's relative TTL (PTTL read, then sent).
 */
export function viewDiffs(want: Map<string, KeyView>, got: Map<string, KeyView>, ttlToleranceMs = 1000): string[] {
  const diffs: string[] = [];
  for (const [k, w] of want) {
    const g = got.get(k);
    if (g === undefined) {
      diffs.push(`${k}: missing`);
      continue;
    }
    if (g.type !== w.type) diffs.push(`${k}: type ${g.type} != ${w.type}`);
    if ((w.expireAt < 0) !== (g.expireAt < 0) || Math.abs(w.expireAt - g.expireAt) > ttlToleranceMs) diffs.push(`${k}: expiry ${g.expireAt} != ${w.expireAt}`);
    const a = JSON.stringify(w.contents, (_k, v) => (typeof v === "bigint" ? String(v) : v));
    const b = JSON.stringify(g.contents, (_k, v) => (typeof v === "bigint" ? String(v) : v));
    if (a !== b) diffs.push(`${k}: contents differ\n  want ${a.slice(0, 300)}\n  got  ${b.slice(0, 300)}`);
  }
  for (const k of got.keys()) if (!want.has(k)) diffs.push(`${k}: unexpected`);
  return diffs;
}

/** Runs commands one after another, throwing on an error reply. */
export async function run(c: RawClient, cmds: string[][]): Promise<void> {
  for (const cmd of cmds) {
    const r = await c.command(...cmd);
    if (r instanceof Error) throw new Error(`${cmd.join(" ")}: ${r.message}`);
  }
}

const range = (n: number): number[] => Array.from({ length: n }, (_v, i) => i);

/**
 * Every type in small and large encodings, in databases 0..3, with expiries; `streams` adds
 * streams with groups, PELs and consumers.
 */
export function fillCommands(opts: { streams: boolean }): string[][] {
  const cmds: string[][] = [];
  const big = "x".repeat(300);
  for (let db = 0; db < 4; db++) {
    cmds.push(["SELECT", String(db)]);
    cmds.push(["SET", `s:int${db}`, String(12345 + db)], ["SET", `s:neg`, "-7"], ["SET", "s:i64", "9223372036854775807"], ["SET", "s:text", "héllo"]);
    cmds.push(["SET", "s:lzf", "abcabcabc".repeat(200)], ["SET", "s:empty", ""], ["SET", "s:ttl", "v", "PX", "500000"]);
    cmds.push(["SET", "s:bin", "\u0000\u00ff\r\n"]);
    cmds.push(["RPUSH", "l:small", "a", "1", "-2", "300", "70000", "-9999999999", big.slice(0, 70)]);
    cmds.push(["RPUSH", "l:big", ...range(600).map((i) => (i % 3 === 0 ? String(i) : `item-${i}`))]);
    cmds.push(["RPUSH", "l:plain", big.repeat(40), "tail"]);
    cmds.push(["SADD", "set:int", "1", "-5", "100000", "4294967296"], ["SADD", "set:str", "a", "b", "c"]);
    cmds.push(["SADD", "set:big", ...range(700).map((i) => `m${i}`)], ["SADD", "set:bigint", ...range(700).map(String)]);
    cmds.push(["ZADD", "z:small", "1", "a", "2.5", "b", "-3", "c", "inf", "d", "-inf", "e"]);
    cmds.push(["ZADD", "z:big", ...range(300).flatMap((i) => [String(i / 7), `m${i}`])]);
    cmds.push(["HSET", "h:small", "f1", "v1", "n", "42", "neg", "-1"]);
    cmds.push(["HSET", "h:big", ...range(600).flatMap((i) => [`f${i}`, `v${i}`])]);
    cmds.push(["HSET", "h:longval", "f", big], ["PEXPIRE", "h:longval", "900000"]);
    cmds.push(["SET", "hll:src", "x"], ["DEL", "hll:src"], ["PFADD", "hll", "a", "b", "c"]);
    if (opts.streams) {
      cmds.push(["XADD", "st", "1-1", "a", "1"], ["XADD", "st", "1-2", "b", "2", "c", "3"], ["XADD", "st", "2-0", "a", "9"]);
      for (let i = 0; i < 150; i++) cmds.push(["XADD", "st", `${10 + i}-0`, "f", `v${i}`, "g", String(i)]);
      cmds.push(["XDEL", "st", "1-2"], ["XGROUP", "CREATE", "st", "g1", "0"], ["XGROUP", "CREATE", "st", "g2", "$"]);
      cmds.push(["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", "st", ">"]);
      cmds.push(["XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "st", ">"], ["XACK", "st", "g1", "1-1"]);
      cmds.push(["XGROUP", "CREATECONSUMER", "st", "g2", "carol"]);
      cmds.push(["XADD", "st:empty", "5-5", "a", "b"], ["XDEL", "st:empty", "5-5"]);
    }
  }
  cmds.push(["SELECT", "0"]);
  return cmds;
}
