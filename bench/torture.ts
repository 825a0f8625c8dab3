// The kill loop: a server under write load with appendfsync always is SIGKILLed (supervisor and
// workers at once, as a power cut), restarted on the same directory, and every write acknowledged
// so far, in every round, is read back. Some rounds start a BGSAVE first, so kills also land
// during snapshots. Usage: bun bench/torture.ts [rounds=20] [workers=1,2]
import { rmSync } from "node:fs";
import { kill9, PipeClient, serverOn } from "../test/persistence/e2e-helpers.ts";
import { tempDataDir, type ServerProcess } from "../test/support/server-process.ts";
import { WRITE_MIXES, type WriteMix } from "./torture-mixes.ts";

export interface TortureOptions {
  rounds: number;
  workers: number;
  /** Clients writing at once. @default 4 */
  clients?: number;
  /** Load time before the kill, in ms (a random point in [min, 2 * min]). @default 300 */
  loadMs?: number;
  mixes?: WriteMix[];
  log?: (line: string) => void;
}

export interface TortureResult {
  rounds: number;
  workers: number;
  acknowledged: number;
  checked: number;
  lost: string[];
}

interface Stream {
  mix: WriteMix;
  prefix: string;
  acked: number;
}

/** SIGKILLs the server process and its workers together, and waits until each is gone. */
async function powerCut(srv: ServerProcess): Promise<void> {
  const pid = srv.proc.pid;
  let children: number[] = [];
  try {
    children = (await Bun.file(`/proc/${pid}/task/${pid}/children`).text()).trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // no /proc: only the process itself
  }
  for (const c of children) {
    try {
      process.kill(c, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await kill9(srv);
  // Workers are not our children, so no exit event reaches us: wait (bounded) for their /proc entry
  // to go or turn into a zombie, so that their lock files are free.
  const end = Date.now() + 10_000;
  for (const c of children) {
    for (;;) {
      let state = "";
      try {
        const stat = await Bun.file(`/proc/${c}/stat`).text();
        state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      } catch {
        break;
      }
      if (state === "Z" || state === "X") break;
      if (Date.now() > end) throw new Error(`worker ${c} did not die`);
      await Bun.sleep(5);
    }
  }
}

/** Runs every check of `streams` pipelined; returns the writes that are missing or wrong. */
async function verify(port: number, streams: Stream[]): Promise<{ checked: number; lost: string[] }> {
  const c = await PipeClient.connect(port);
  const lost: string[] = [];
  let checked = 0;
  try {
    for (const s of streams) {
      const checks = Array.from({ length: s.acked }, (_, i) => s.mix.check(s.prefix, i));
      const at = c.sent;
      for (const ch of checks) c.send(...ch.argv);
      await c.settle(120_000);
      checks.forEach((ch, i) => {
        const r = c.replies[at + i];
        if (!ch.ok(r)) lost.push(`${s.mix.name} ${s.prefix} #${i}: ${ch.argv.join(" ")} -> ${JSON.stringify(r)}`);
      });
      checked += checks.length;
      c.replies.length = 0;
      c.sent = 0;
    }
  } finally {
    c.close();
  }
  return { checked, lost };
}

/** One client writing stream after stream until the connection dies; counts acknowledgements. */
async function load(c: PipeClient, streams: Stream[], mixes: WriteMix[], tag: string): Promise<void> {
  for (let n = 0; !c.closed; n++) {
    const s: Stream = { mix: mixes[n % mixes.length]!, prefix: `${tag}:${n}`, acked: 0 };
    streams.push(s);
    const batch = 64;
    for (let i = 0; i < batch; i++) c.send(...s.mix.write(s.prefix, i));
    await c.settle(60_000).catch(() => {});
    const replies = c.replies.splice(0);
    c.sent = 0;
    // Replies come in order: the acknowledged writes are the leading run of non-error replies.
    let ok = 0;
    while (ok < replies.length && !(typeof replies[ok] === "object" && replies[ok] !== null && "error" in (replies[ok] as object))) ok++;
    s.acked = ok;
  }
}

export async function runTorture(opts: TortureOptions): Promise<TortureResult> {
  const { rounds, workers } = opts;
  const mixes = opts.mixes ?? WRITE_MIXES;
  const log = opts.log ?? ((l: string): void => console.log(l));
  const dir = tempDataDir();
  const args = ["--appendfsync", "always", "--workers", String(workers)];
  const streams: Stream[] = [];
  const res: TortureResult = { rounds, workers, acknowledged: 0, checked: 0, lost: [] };
  try {
    let srv = await serverOn(dir, args);
    for (let round = 1; round <= rounds; round++) {
      const clients = await Promise.all(Array.from({ length: opts.clients ?? 4 }, () => PipeClient.connect(srv.port)));
      const loops = clients.map((c, ci) => load(c, streams, mixes, `r${round}:c${ci}`));
      const loadMs = opts.loadMs ?? 300;
      if (round % 3 === 0) {
        await Bun.sleep(loadMs / 2);
        const admin = await PipeClient.connect(srv.port);
        admin.send("BGSAVE");
        await admin.settle(10_000).catch(() => {});
        admin.close();
      }
      await Bun.sleep(loadMs * (1 + Math.random()));
      await powerCut(srv);
      await Promise.all(loops);
      srv = await serverOn(dir, args);
      const v = await verify(srv.port, streams);
      res.acknowledged = streams.reduce((n, s) => n + s.acked, 0);
      res.checked += v.checked;
      res.lost.push(...v.lost);
      log(`round ${round}/${rounds} (workers ${workers}): ${res.acknowledged} acknowledged writes so far, ${v.checked} checked, ${v.lost.length} lost`);
    }
    await srv.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return res;
}

if (import.meta.main) {
  const rounds = Number(process.argv[2] ?? 20);
  const workerCounts = (process.argv[3] ?? "1,2").split(",").map(Number);
  let failed = false;
  for (const workers of workerCounts) {
    const r = await runTorture({ rounds, workers });
    for (const l of r.lost.slice(0, 20)) console.log(`LOST ${l}`);
    console.log(`torture: workers ${workers}, ${r.rounds} SIGKILLs, ${r.acknowledged} acknowledged writes ` +
      `(${WRITE_MIXES.map((m) => m.name).join(", ")}), ${r.checked} checks, ${r.lost.length} lost`);
    if (r.lost.length > 0) failed = true;
  }
  process.exit(failed ? 1 : 0);
}
