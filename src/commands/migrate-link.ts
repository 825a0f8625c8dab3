// MIGRATE's connection to the target: synchronous, as Redis's is (migrateCommand blocks the
// server on syncWrite/syncReadLine up to its timeout). A worker thread owns the socket and the
// calling thread waits on a shared flag (Atomics.wait, bounded by the timeout); the replies come
// back through shared memory. Each call connects, sends the whole request, reads `replies` RESP
// replies and closes.

import { linkWorkerMain } from "./migrate-link-worker.ts";

const SHARED_BYTES = 1 << 20;
const HEADER = 8; // Int32 state, Int32 length

export type LinkResult = { ok: true; replies: string[] } | { ok: false; stage: "connecting" | "writing" | "reading" };

let worker: Worker | undefined;
let shared: SharedArrayBuffer | undefined;

function ensureWorker(): { w: Worker; sab: SharedArrayBuffer } {
  if (worker === undefined || shared === undefined) {
    shared = new SharedArrayBuffer(HEADER + SHARED_BYTES);
    const source = new Blob([`(${linkWorkerMain.toString()})();`], { type: "application/javascript" });
    worker = new Worker(URL.createObjectURL(source));
    worker.unref();
  }
  return { w: worker, sab: shared };
}

/** Sends `request` (RESP commands) to host:port and returns the first `replies` replies as text lines. */
export function migrateExchange(host: string, port: number, request: Uint8Array, replies: number, timeoutMs: number): LinkResult {
  const { w, sab } = ensureWorker();
  const state = new Int32Array(sab, 0, 2);
  Atomics.store(state, 0, 0);
  w.postMessage({ host, port, request, replies, timeoutMs, sab });
  // The worker sets state[0] to 1 (done) or 2.. (failure stage) and notifies.
  const r = Atomics.wait(state, 0, 0, timeoutMs + 1000);
  const code = Atomics.load(state, 0);
  if (r === "timed-out" || code === 0) {
    // The worker is stuck on a dead socket: replace it.
    worker?.terminate();
    worker = undefined;
    shared = undefined;
    return { ok: false, stage: "reading" };
  }
  if (code !== 1) return { ok: false, stage: code === 2 ? "connecting" : code === 3 ? "writing" : "reading" };
  const len = Atomics.load(state, 1);
  const text = new TextDecoder().decode(new Uint8Array(sab, HEADER, len).slice());
  return { ok: true, replies: text.length === 0 ? [] : text.split("\n") };
}
