// Issue 19, defect 1: with --workers 2, one connection sending batches of SETs with large values
// and reading each batch's replies before the next stopped getting replies after 10k–60k of them
// (the keys were written, no reply came; CLIENT LIST showed qbuf=0 omem=0). Cause: a peer link's
// `drain` wrote requests whose reply callbacks were still queued for the next flush, so their
// replies found no callback and every later reply went to the wrong place (src/cluster/peer-link.ts).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { encodeCommand } from "../support/resp-decode.ts";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";

let srv: ServerProcess;
beforeAll(async () => {
  srv = await spawnServer(["--workers", "2", "--appendonly", "no", "--save", ""]);
});
afterAll(async () => {
  expect(await srv?.stop()).toBe(0);
});

test.each([
  [5000, 1024, 12],
  [1000, 1024, 40],
  [500, 10 * 1024, 12],
])("batches of %i SETs with %i-byte values, each read before the next, all get their replies", async (batch, size, rounds) => {
  using c = await RawClient.connect(srv.port);
  const value = "v".repeat(size);
  let key = 0;
  for (let r = 0; r < rounds; r++) {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < batch; i++) parts.push(encodeCommand(["SET", `fro:${size}:${key++}`, value]));
    c.send(Buffer.concat(parts));
    const got = await c.read(batch, 20_000); // throws "timed out with N of M replies" when stuck
    expect(got.every((v) => v === "OK")).toBe(true);
  }
  expect(await c.command("EXISTS", `fro:${size}:0`, `fro:${size}:${key - 1}`)).toBe(2);
}, 120_000);
