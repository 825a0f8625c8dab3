// Keyspace notifications across workers. Events are published on the worker that owns the key;
// each worker tells the others, with `__kswant <index> <0|1>`, whether it has a subscriber that
// may receive keyspace events, and events go (as PUBLISH over the one link to each interested
// worker, so one key's events stay in order) only to those. A (P)SUBSCRIBE that brings this
// worker's first such subscription holds its confirmation until every peer has acknowledged the
// announcement: once a client sees it subscribed, no event of any worker can miss it.

import { mayReceiveKeyspaceEvents, notifyStateOf, refreshNotifyMask } from "../commands/notify.ts";
import type { Args, ServerContext } from "../commands/types.ts";
import type { ReplyWriter } from "../protocol/reply-writer.ts";
import type { CrossHandler } from "./router.ts";
import type { WorkerCluster } from "./worker-cluster.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const KSWANT = enc.encode("__kswant");
const PUBLISH = enc.encode("publish");
const ON = enc.encode("1");
const OFF = enc.encode("0");
const EMPTY = new Uint8Array(0);
const ignore = (): void => {};

/** Wires this worker's notification state to its peer links. */
export function attachNotifyRemote(cw: WorkerCluster): void {
  const st = notifyStateOf(cw.server);
  const me = enc.encode(String(cw.index));
  st.sendToWorkers = (channel, message) => {
    for (const w of st.remote) cw.links[w]?.send([PUBLISH, channel, message], 2, ignore);
  };
  st.onLocalInterest = (interested) => {
    for (const l of cw.links) l?.send([KSWANT, me, interested ? ON : OFF], 2, ignore);
  };
  for (const l of cw.links) {
    if (l === undefined) continue;
    const before = l.onReconnect;
    // A restarted peer knows nothing of this worker's subscribers: tell it again.
    l.onReconnect = () => {
      before?.();
      if (st.local > 0) l.send([KSWANT, me, ON], 2, ignore);
    };
  }
}

/** The peer session's `__kswant <worker> <0|1>`. */
export function receiveKeyspaceInterest(server: ServerContext, argv: Args, r: ReplyWriter): void {
  const st = notifyStateOf(server);
  const w = Number(dec.decode(argv[1]!));
  if (argv[2]![0] === 49) st.remote.add(w);
  else st.remote.delete(w);
  refreshNotifyMask(server);
  r.ok();
}

/** True when (P)SUBSCRIBE `argv` asks for a channel or pattern keyspace events may reach. */
function asksForKeyspace(argv: Args, pattern: boolean): boolean {
  for (let i = 1; i < argv.length; i++) if (mayReceiveKeyspaceEvents(dec.decode(argv[i]!), pattern)) return true;
  return false;
}

function announceFirst(pattern: boolean): CrossHandler {
  return (cw, c, _entry, argv) => {
    const st = notifyStateOf(cw.server);
    if (st.local > 0 || !asksForKeyspace(argv, pattern)) return false;
    // The confirmation the local run writes next waits behind this place until every peer acked.
    const hold = c.hold(false);
    let left = 1;
    const done = (): void => {
      if (--left === 0) hold(EMPTY);
    };
    const me = enc.encode(String(cw.index));
    for (const l of cw.links) {
      if (l === undefined) continue;
      left++;
      l.send([KSWANT, me, ON], 2, done);
    }
    done();
    return false;
  };
}

export const notifyHandlers: Record<string, CrossHandler> = {
  subscribe: announceFirst(false),
  psubscribe: announceFirst(true),
};
