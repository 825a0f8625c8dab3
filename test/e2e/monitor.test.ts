// MONITOR against redis-server 7.0.15: the same commands from other connections give the same
// lines once the timestamp and the client's port are cut away: quoting, the database, queued
// commands at queue time, EXEC and EVAL before what they run (`lua` for a script's calls),
// passwords redacted, admin commands and refused ones not shown, RESET leaving monitor mode.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";

const COMMANDS: string[][] = [
  ["set", "a b", "x\ty\"\\\u0001"], ["select", "2"], ["get", "k"], ["select", "0"], ["multi"], ["set", "q", "1"], ["incr", "q"], ["exec"],
  ["eval", "return redis.call('incr', KEYS[1])", "1", "n"], ["auth", "nopass"], ["hello", "2", "auth", "default", "secret"],
  ["config", "get", "port"], ["nosuchcommand"], ["get"], ["rpush", "l", "a"],
];

/** Lines of a monitor while `COMMANDS` run on another connection, timestamps and ports cut. */
async function monitorLines(port: number, lines: number): Promise<string[]> {
  const mon = await RawClient.connect(port);
  expect(await mon.command("MONITOR")).toBe("OK");
  const c = await RawClient.connect(port);
  for (const cmd of COMMANDS) await c.command(...cmd);
  const got = (await mon.read(lines, 5000)) as string[];
  c.close();
  expect(await mon.command("RESET")).toBe("RESET");
  mon.close();
  return got.map((l) => l.replace(/^\d+\.\d{6} /, "").replace(/ 127\.0\.0\.1:\d+\]/, " client]"));
}

let pair: ParityPair | undefined;
let oneWorker: ServerProcess | undefined;
beforeAll(async () => {
  if (!REDIS_SERVER) return console.log("notice: redis-server not installed; skipping the MONITOR parity test");
  pair = await startParityPair();
  oneWorker = await spawnServer(["--workers", "1"]);
});
afterAll(async () => {
  await pair?.stop();
  await oneWorker?.stop();
});

describe.skipIf(!REDIS_SERVER)("MONITOR matches redis-server 7.0.15", () => {
  test("the same lines for the same commands", async () => {
    const want = await monitorLines(pair!.redisPort, 13);
    expect(await monitorLines(oneWorker!.port, 13)).toEqual(want);
    expect(want).toContain('[0 lua] "incr" "n"');
  });
});
