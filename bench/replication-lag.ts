// Replica lag under a steady write load. A writer connection to the primary sends pipelined
// `SET lag:<i mod 10000> <32 bytes>` at a fixed rate (topped up every millisecond from the clock,
// so the rate holds even when a tick is late) and, every `probeEveryMs`, one `SET probe <seq>`
// whose send time is recorded. A reader on the replica loops `GET probe` one request at a time;
// the first time it sees a sequence number s, lag(s) = now − sendTime(s). Probes overtaken within
// one read count with that same now (an upper bound for them). The lag therefore includes the
// primary's own queueing and the reader's round trip (~RTT/2 of slack).
import { encodeCommand, RespClient } from "./server-tools.ts";

/** Raw samples of one run (milliseconds), one entry per probe seen on the replica. */
export interface LagSamples {
  /** writes the primary acknowledged per second over the run. */
  achievedRate: number;
  probes: number;
  /** send → first seen on the replica. */
  lags: number[];
  /** send → the primary's +OK on the writer connection (the primary's own queueing). */
  acks: number[];
  /** the primary's +OK → first seen on the replica (the replication part; can be < 0 by a hair). */
  afterAck: number[];
}

export async function measureLag(primaryPort: number, replicaPort: number, ratePerSec: number, durationMs: number, probeEveryMs = 5): Promise<LagSamples> {
  const value = "v".repeat(32);
  const sendTimes: number[] = [];
  let replies = 0;
  /** For probe s: how many commands were sent before it, and when the primary's reply to it came. */
  const probeIndex: number[] = [];
  const ackTimes: number[] = [];
  let pending: Uint8Array[] = [];
  const writer = await Bun.connect({
    hostname: "127.0.0.1",
    port: primaryPort,
    socket: {
      data(_s, chunk) {
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) replies++;
        const now = performance.now();
        while (ackTimes.length < probeIndex.length && replies > probeIndex[ackTimes.length]!) ackTimes.push(now);
      },
      drain(s) { flush(s); },
      error() {},
    },
  });
  const flush = (s: typeof writer): void => {
    while (pending.length > 0) {
      const head = pending[0]!;
      const n = s.write(head);
      if (n < head.length) {
        pending[0] = head.subarray(Math.max(0, n));
        return;
      }
      pending.shift();
    }
  };
  const reader = await RespClient.connect(replicaPort);
  await reader.command(["DEL", "probe"]).catch(() => undefined);

  const t0 = performance.now();
  let sent = 0;
  let nextProbeAt = t0;
  const tick = (): void => {
    const now = performance.now();
    const owed = Math.floor(((now - t0) / 1000) * ratePerSec) - sent;
    let batch = "";
    for (let i = 0; i < owed; i++) {
      const k = `lag:${(sent + i) % 10000}`;
      batch += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$32\r\n${value}\r\n`;
    }
    sent += Math.max(0, owed);
    const parts: Uint8Array[] = batch ? [Buffer.from(batch)] : [];
    if (now >= nextProbeAt) {
      sendTimes.push(performance.now());
      probeIndex.push(sent);
      parts.push(encodeCommand(["SET", "probe", String(sendTimes.length - 1)]));
      sent++;
      nextProbeAt += probeEveryMs;
    }
    if (parts.length === 0) return;
    const wasIdle = pending.length === 0;
    pending.push(...parts);
    if (wasIdle) flush(writer);
  };
  const timer = setInterval(tick, 1);

  const lags: number[] = [];
  const seenTimes: number[] = [];
  let lastSeen = -1;
  while (performance.now() - t0 < durationMs) {
    const r = await reader.command(["GET", "probe"]);
    const now = performance.now();
    const seq = typeof r === "string" ? Number(r) : -1;
    for (let s = lastSeen + 1; s <= seq; s++) {
      lags.push(now - sendTimes[s]!);
      seenTimes.push(now);
      if (process.env.BENCH_LAG_TRACE === "1" && now - sendTimes[s]! > 20) {
        const acked = ackTimes[s] === undefined ? "not yet acked" : `acked by the primary after ${(ackTimes[s]! - sendTimes[s]!).toFixed(1)} ms`;
        console.log(`lag trace: probe ${s} sent at +${(sendTimes[s]! - t0).toFixed(0)} ms, ${acked}, seen on the replica after ${(now - sendTimes[s]!).toFixed(1)} ms`);
      }
    }
    if (seq > lastSeen) lastSeen = seq;
  }
  clearInterval(timer);
  const elapsed = (performance.now() - t0) / 1000;
  const achievedRate = replies / elapsed;
  const acks = ackTimes.map((t, s) => t - sendTimes[s]!);
  reader.close();
  writer.end();
  pending = [];
  const afterAck: number[] = [];
  for (let i = 0; i < seenTimes.length; i++) if (ackTimes[i] !== undefined) afterAck.push(seenTimes[i]! - ackTimes[i]!);
  return { achievedRate, probes: sendTimes.length, lags, acks, afterAck };
}
