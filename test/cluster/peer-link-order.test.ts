// A peer link under every interleaving we can provoke: requests sent in random bursts, the peer
// reading in random pauses (so link writes are partial and resumed from `drain`), and replies
// coming back split at random points. Every callback must get its own reply, once, in order
// (issue 19: replies to requests written from `drain` before their flush found no callback).
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PeerLink } from "../../src/cluster/peer-link.ts";
import { RespParser } from "../../src/protocol/resp-parser.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

test("every request's callback gets its own reply in order, whatever the interleaving", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fc-link-"));
  const path = join(dir, "peer.sock");
  let seed = 12345;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  const parser = new RespParser();
  let pendingOut = "";
  let stepping = false;
  const listener = Bun.listen({
    unix: path,
    socket: {
      binaryType: "uint8array",
      data: (s, chunk) => {
        let out = "";
        parser.feed(chunk, (argv) => {
          out += `:${dec.decode(argv[1]!)}\r\n`;
          return true;
        });
        // Replies leave in order, split at random points over later turns (one stepper).
        pendingOut += out;
        if (!stepping) {
          stepping = true;
          const step = (): void => {
            if (pendingOut.length === 0) return void (stepping = false);
            const n = 1 + rnd(Math.min(pendingOut.length, 64));
            const w = s.write(pendingOut.slice(0, n));
            pendingOut = pendingOut.slice(Math.max(0, w));
            setImmediate(step);
          };
          step();
        }
        if (rnd(4) === 0) {
          s.pause();
          setTimeout(() => s.resume(), rnd(3));
        }
      },
      error: () => {},
    },
  });
  const link = new PeerLink(1, path);
  const total = 20_000;
  const got: number[] = [];
  const done = Promise.withResolvers<void>();
  const big = new Uint8Array(4096).fill(120); // large requests: the socket buffer fills, drain resumes
  let sent = 0;
  function burst(): void {
    const n = 1 + rnd(400);
    for (let i = 0; i < n && sent < total; i++, sent++) {
      const id = sent;
      link.send([enc.encode("SET"), enc.encode(String(id)), big], 2, (reply) => {
        got.push(Number(dec.decode(reply).slice(1, -2)));
        if (got.length === total) done.resolve();
        // Sending from inside the link's data callback: a drain of the same loop turn may write
        // these bytes before the link's own flush runs.
        if ((id % 97 === 0 || got.length === sent) && sent < total) burst();
      });
    }
    if (sent < total && rnd(3) === 0) (rnd(2) === 0 ? setImmediate : queueMicrotask)(burst);
  }
  burst();
  const timer = setTimeout(() => done.reject(new Error(`stalled with ${got.length} of ${total} replies`)), 30_000);
  try {
    await done.promise;
  } finally {
    clearTimeout(timer);
    link.close();
    listener.stop(true);
    rmSync(dir, { recursive: true, force: true });
  }
  expect(got.length).toBe(total);
  expect(got.every((v, i) => v === i)).toBe(true);
}, 60_000);
