// XREAD BLOCK on one worker through real sockets: a reader waiting on `$` gets the entry the next
// XADD writes (that stream alone, as Redis 7.0 answers), waiters are served in the order they
// blocked, the timeout answers a null array, and inside MULTI nothing blocks. No timing is
// asserted; every wait is bounded.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { infoField } from "../cluster/helpers.ts";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";

async function waitFor(cond: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

describe("XREAD BLOCK on one worker", () => {
  let srv: ServerProcess;
  let ctl: RawClient;
  const untilBlocked = (n: number): Promise<void> =>
    waitFor(async () => Number(infoField(String(await ctl.command("INFO", "clients")), "blocked_clients")) === n, `${n} blocked clients`);

  beforeAll(async () => {
    srv = await spawnServer(["--workers", "1", "--appendfsync", "no"]);
    ctl = await RawClient.connect(srv.port);
  });
  afterAll(async () => {
    ctl?.close();
    expect(await srv?.stop()).toBe(0);
  });

  test("a reader on $ gets the next XADD's entry, and only from the stream that got it", async () => {
    expect(await ctl.command("xadd", "a", "1-1", "old", "x")).toBe("1-1");
    const r = await RawClient.connect(srv.port);
    r.sendCommand("xread", "block", "0", "streams", "a", "b", "$", "$");
    await untilBlocked(1);
    expect(await ctl.command("xadd", "b", "5-1", "f", "v")).toBe("5-1");
    expect(await r.read(1)).toEqual([[["b", [["5-1", ["f", "v"]]]]]]);
    // Served from an ID: entries after it, COUNT honoured.
    r.sendCommand("xread", "count", "1", "block", "0", "streams", "a", "9");
    await untilBlocked(1);
    expect(await ctl.command("xadd", "a", "10-1", "n", "1")).toBe("10-1");
    expect(await r.read(1)).toEqual([[["a", [["10-1", ["n", "1"]]]]]]);
    r.close();
  });

  test("waiters are served in the order they blocked, RESP3 as a map", async () => {
    const first = await RawClient.connect(srv.port);
    const second = await RawClient.connect(srv.port);
    second.sendCommand("hello", "3");
    await second.read(1);
    first.sendCommand("xread", "block", "0", "streams", "q", "$");
    await untilBlocked(1);
    second.sendCommand("xread", "block", "0", "streams", "q", "$");
    await untilBlocked(2);
    expect(await ctl.command("xadd", "q", "1-1", "job", "1")).toBe("1-1");
    expect(await first.read(1)).toEqual([[["q", [["1-1", ["job", "1"]]]]]]);
    expect(await second.read(1)).toEqual([new Map([["q", [["1-1", ["job", "1"]]]]])]);
    first.close();
    second.close();
  });

  test("the timeout answers a null array; inside MULTI it does not block", async () => {
    const r = await RawClient.connect(srv.port);
    expect(await r.command("xread", "block", "20", "streams", "quiet", "$")).toBeNull();
    expect(await r.command("multi")).toBe("OK");
    expect(await r.command("xread", "block", "0", "streams", "quiet", "$")).toBe("QUEUED");
    expect(await r.command("exec")).toEqual([null]);
    r.close();
  });
});
