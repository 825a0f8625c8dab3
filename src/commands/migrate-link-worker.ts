// The worker thread of migrate-link.ts: connects, writes the request, reads `replies` RESP
// replies (simple strings, errors, integers; anything else is kept as its first line), writes them
// as text lines into the shared buffer and wakes the caller. `linkWorkerMain` is started from its
// own source text (a Blob URL), so it must not use anything outside its body: that works the same
// under `bun src/cli.ts` and in the compiled binary (no extra entrypoint to list).

interface Job {
  host: string;
  port: number;
  request: Uint8Array;
  replies: number;
  timeoutMs: number;
  sab: SharedArrayBuffer;
}

export function linkWorkerMain(): void {
  const HEADER = 8;

  function finish(job: Job, code: number, lines: string[] = []): void {
    const state = new Int32Array(job.sab, 0, 2);
    const bytes = new TextEncoder().encode(lines.join("\n"));
    const room = job.sab.byteLength - HEADER;
    new Uint8Array(job.sab, HEADER, Math.min(bytes.length, room)).set(bytes.subarray(0, room));
    Atomics.store(state, 1, Math.min(bytes.length, room));
    Atomics.store(state, 0, code);
    Atomics.notify(state, 0);
  }

  (globalThis as unknown as { onmessage: (ev: MessageEvent<Job>) => void }).onmessage = (ev: MessageEvent<Job>) => {
    const job = ev.data;
    let done = false;
    let buf = "";
    const lines: string[] = [];
    const end = (code: number, sock?: { end(): void }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock?.end();
      finish(job, code, lines);
    };
    const timer = setTimeout(() => end(4), job.timeoutMs);
    let pending = job.request;
    Bun.connect({
      hostname: job.host,
      port: job.port,
      socket: {
        open(s) {
          const n = s.write(pending);
          pending = pending.subarray(Math.max(0, n));
        },
        drain(s) {
          if (pending.length === 0) return;
          const n = s.write(pending);
          pending = pending.subarray(Math.max(0, n));
        },
        data(s, chunk: Uint8Array) {
          buf += new TextDecoder().decode(chunk);
          let i: number;
          while (lines.length < job.replies && (i = buf.indexOf("\r\n")) >= 0) {
            lines.push(buf.slice(0, i));
            buf = buf.slice(i + 2);
          }
          if (lines.length >= job.replies) end(1, s);
        },
        close() {
          end(4);
        },
        error() {
          end(pending.length > 0 ? 3 : 4);
        },
        connectError() {
          end(2);
        },
      },
    }).catch(() => end(2));
  };
}
