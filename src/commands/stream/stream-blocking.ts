// XREAD BLOCK on the blocked-clients service (src/commands/blocking.ts): when no stream has entries
// after its ID, the client waits on its streams (FIFO per key) until a write to one of them (the
// dispatcher signals XADD's key), its timeout (a null array) or CLIENT UNBLOCK; woken by one
// stream, it gets that stream's new entries alone, as Redis 7.0 answers. `$` was resolved to the
// stream's last ID when the command ran. Inside MULTI nothing blocks (a null array at once).
// Not here yet: XREADGROUP BLOCK (answers as an expired timeout), and a wait on streams of another
// worker (the command is forwarded to the owner, whose peer client cannot block: a null array).

import type { StreamId } from "../../engine/stream/stream-id.ts";
import { formatId } from "../../engine/stream/stream-id.ts";
import { ValueType } from "../../engine/types.ts";
import { runBlocking, type BlockingCall } from "../blocking.ts";
import type { Client } from "../types.ts";
import { replyCounted, streamAt, writeRange } from "./stream-args.ts";

const enc = new TextEncoder();
const XREAD = enc.encode("xread");
const COUNT = enc.encode("count");
const STREAMS = enc.encode("streams");
const MAX_ID = (1n << 128n) - 1n;

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const isNil = (raw: Uint8Array): boolean => raw[0] === 95 || (raw[0] === 42 && raw[1] === 45);

/** Blocks `c` on `keys` (copies) for entries after `after[i]`, at most `count` (0 = all). */
export function blockXRead(c: Client, keys: Uint8Array[], after: StreamId[], count: number, timeoutMs: number): void {
  const idOf = (key: Uint8Array): StreamId => after[keys.findIndex((k) => same(k, key))] ?? MAX_ID;
  const call: BlockingCall = {
    keys,
    timeoutMs,
    serve(cl, key, first) {
      // The command's own attempt already found nothing to serve (and checked the types).
      if (first) return false;
      const slot = cl.db.peek(key);
      if (slot < 0 || cl.db.typeOf(slot) !== ValueType.Stream) return false;
      const s = streamAt(cl, slot);
      const id = idOf(key);
      if (s.length === 0 || id === MAX_ID || s.log.edge(true)! <= id) return false;
      const r = cl.reply;
      if (r.resp === 3) r.mapHeader(1);
      else {
        r.arrayHeader(1);
        r.arrayHeader(2);
      }
      r.bulk(key);
      replyCounted(cl, (w) => writeRange(w, s, id + 1n, MAX_ID, false, count));
      return true;
    },
    timedOut: (cl) => cl.reply.nullArray(),
    cannotBlock: (cl) => cl.reply.nullArray(),
    remoteTry: (key) => [XREAD, COUNT, enc.encode(String(count)), STREAMS, key, enc.encode(formatId(idOf(key)))],
    remoteReply: (_key, raw) => (isNil(raw) ? undefined : raw.slice()),
  };
  runBlocking(c, call);
}
