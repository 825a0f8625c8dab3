// Factories for the server-wide state that server commands read (stats, SLOWLOG, LATENCY).
// The real server (src/server/) and the test harness build their ServerContext from these, so
// both start from the same zeroed shapes.
import type { LatencyMonitor, ServerStats, SlowLog } from "./types.ts";

export function createServerStats(): ServerStats {
  return {
    totalConnectionsReceived: 0,
    totalCommandsProcessed: 0,
    rejectedConnections: 0,
    netInputBytes: 0,
    netOutputBytes: 0,
    keyspaceHits: 0,
    keyspaceMisses: 0,
    errorReplies: 0,
    errorCounts: new Map(),
    clientOutputLimitDisconnections: 0,
    syncFull: 0,
    syncPartialOk: 0,
    syncPartialErr: 0,
    clientQueryBufferLimitDisconnections: 0,
  };
}

/** Zeroes every counter in place (CONFIG RESETSTAT). */
export function resetServerStats(s: ServerStats): void {
  s.totalConnectionsReceived = 0;
  s.totalCommandsProcessed = 0;
  s.rejectedConnections = 0;
  s.netInputBytes = 0;
  s.netOutputBytes = 0;
  s.keyspaceHits = 0;
  s.keyspaceMisses = 0;
  s.errorReplies = 0;
  s.errorCounts.clear();
  s.clientOutputLimitDisconnections = 0;
  s.syncFull = 0;
  s.syncPartialOk = 0;
  s.syncPartialErr = 0;
  s.clientQueryBufferLimitDisconnections = 0;
}

export function createSlowLog(): SlowLog {
  const log: SlowLog = {
    entries: [],
    nextId: 0,
    reset() {
      log.entries.length = 0;
    },
  };
  return log;
}

/**
 * Records one command in the slow log when it took at least `thresholdUs` (Redis's
 * slowlog-log-slower-than; negative disables, 0 logs everything). Newest entries first;
 * at most `maxLen` kept. Arguments are cut like Redis: 32 args, 128 bytes each.
 */
export function slowlogRecord(
  log: SlowLog,
  thresholdUs: number,
  maxLen: number,
  entry: { durationUs: number; args: string[]; peer: string; clientName: string; time: number },
): void {
  if (thresholdUs < 0 || entry.durationUs < thresholdUs) return;
  let args = entry.args;
  if (args.length > 32) args = [...args.slice(0, 31), `... (${args.length - 31} more arguments)`];
  args = args.map((a) => (a.length > 128 ? `${a.slice(0, 128)}... (${a.length - 128} more bytes)` : a));
  log.entries.unshift({ id: log.nextId++, time: entry.time, durationUs: entry.durationUs, args, peer: entry.peer, clientName: entry.clientName });
  if (log.entries.length > maxLen) log.entries.length = Math.max(0, maxLen);
}

export function createLatencyMonitor(): LatencyMonitor {
  const mon: LatencyMonitor = {
    events: new Map(),
    reset(events?: string[]) {
      if (!events || events.length === 0) {
        const n = mon.events.size;
        mon.events.clear();
        return n;
      }
      let n = 0;
      for (const e of events) if (mon.events.delete(e)) n++;
      return n;
    },
  };
  return mon;
}

/** Adds a latency sample (Redis keeps 160 per event; one per second, the max of that second). */
export function latencyRecord(mon: LatencyMonitor, event: string, unixSeconds: number, ms: number): void {
  let e = mon.events.get(event);
  if (!e) {
    e = { samples: [], max: 0 };
    mon.events.set(event, e);
  }
  const last = e.samples[e.samples.length - 1];
  if (last && last[0] === unixSeconds) {
    if (ms > last[1]) last[1] = ms;
  } else {
    e.samples.push([unixSeconds, ms]);
    if (e.samples.length > 160) e.samples.shift();
  }
  if (ms > e.max) e.max = ms;
}
