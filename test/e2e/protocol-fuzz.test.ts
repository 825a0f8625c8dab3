// Bounded protocol fuzz run against the real server: 5,000 random and mutated inputs on fresh
// connections; the server answers PING after every batch and keeps the 100 keys written before.
// The long run is `npm run fuzz [count] [seed]` (bench/fuzz.ts).

import { expect, test } from "bun:test";
import { fuzzServer } from "../support/fuzz.ts";
import { RawClient, spawnServer } from "../support/server-process.ts";

test("5,000 fuzzed inputs: the server never crashes or hangs and the data written before is intact", async () => {
  await using srv = await spawnServer(["--workers", "1"]);
  const seed = 20261203;
  const report = await fuzzServer(srv.port, 5000, seed);
  expect(report.inputs).toBe(5000);
  expect(report.batches).toBe(50);
  expect(srv.proc.exitCode).toBeNull();
  // Every input reached the server on its own connection, and the malformed ones were refused.
  using c = await RawClient.connect(srv.port);
  const info = (await c.command("INFO", "stats")) as string;
  expect(Number(/^total_connections_received:(\d+)/m.exec(info)![1])).toBeGreaterThan(5000);
  expect(Number(/^total_error_replies:(\d+)/m.exec(info)![1])).toBeGreaterThan(1000);
}, 60000);
