// A connection of a multi-worker server stops reading while too many forwarded replies are
// outstanding (MAX_PENDING_FORWARDS) and reads on once they came back: a large pipeline still
// gets every reply, in order.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { MAX_PENDING_FORWARDS } from "../../src/server/connection.ts";
import { encodeCommand } from "../support/resp-decode.ts";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";

let srv: ServerProcess;

beforeAll(async () => {
  srv = await spawnServer(["--workers", "2", "--appendonly", "no", "--save", ""]);
});
afterAll(async () => {
  expect(await srv?.stop()).toBe(0);
});

test("a pipeline forwarding many more commands than the pause threshold gets every reply in order", async () => {
  const n = MAX_PENDING_FORWARDS * 3; // about half of the keys belong to the other worker
  const parts: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(encodeCommand(["SET", `bp:${i}`, `v${i}`]));
    parts.push(encodeCommand(["GET", `bp:${i}`]));
  }
  using c = await RawClient.connect(srv.port);
  c.send(Buffer.concat(parts));
  const replies = await c.read(2 * n, 60_000);
  for (let i = 0; i < n; i++) {
    if (replies[2 * i] !== "OK" || replies[2 * i + 1] !== `v${i}`) {
      throw new Error(`reply ${i}: ${String(replies[2 * i])} ${String(replies[2 * i + 1])}`);
    }
  }
  // The connection reads on after the pause: a later command is answered.
  expect(await c.command("DBSIZE")).toBe(n);
});
