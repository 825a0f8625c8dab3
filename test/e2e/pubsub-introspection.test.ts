// PUBSUB CHANNELS / NUMSUB / NUMPAT / SHARDCHANNELS / SHARDNUMSUB / HELP and SSUBSCRIBE / SPUBLISH / SUNSUBSCRIBE against redis-server
// 7.0.15, RESP2 and RESP3, with subscribers on several connections (on our side spread over both
// workers by the shared port, so the answers are merged from every worker).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";
import { RawClient } from "../support/server-process.ts";
import type { RespValue } from "../support/resp-decode.ts";

const QUERIES: string[][] = [
  ["pubsub", "numsub", "a", "b", "nosuch"], ["pubsub", "numsub"], ["pubsub", "channels", "a*"], ["pubsub", "numpat"],
  ["pubsub", "shardchannels"], ["pubsub", "shardnumsub", "a"], ["pubsub", "help"], ["pubsub", "foo"], ["pubsub", "channels", "a", "b"], ["pubsub", "numpat", "x"],
];

async function run(port: number, resp: 2 | 3): Promise<RespValue[]> {
  const subs: RawClient[] = [];
  for (const cmd of [["subscribe", "a"], ["subscribe", "a", "b"], ["subscribe", "ab", "zz"], ["psubscribe", "x*"], ["ssubscribe", "sh1", "sh2"], ["ssubscribe", "sh1"]]) {
    const s = await RawClient.connect(port);
    s.sendCommand(...cmd);
    await s.read(cmd.length - 1);
    subs.push(s);
  }
  const c = await RawClient.connect(port);
  if (resp === 3) await c.command("HELLO", "3");
  const out: RespValue[] = [];
  for (const q of QUERIES) out.push(await c.command(...q));
  // CHANNELS without a pattern: compared sorted (the order is a hash order).
  out.push([...((await c.command("PUBSUB", "CHANNELS")) as string[])].sort());
  out.push([...((await c.command("PUBSUB", "SHARDCHANNELS")) as string[])].sort());
  out.push(await c.command("PUBSUB", "SHARDNUMSUB", "sh1", "sh2", "none"));
  // SPUBLISH reaches the shard subscribers (on any worker here), as `smessage` pushes.
  out.push(await c.command("SPUBLISH", "sh1", "hello"), await c.command("SPUBLISH", "none", "x"), await c.command("PUBLISH", "sh1", "not shard"));
  out.push(await subs[4]!.read(1), await subs[5]!.read(1));
  subs[5]!.sendCommand("sunsubscribe", "sh1", "other");
  out.push(await subs[5]!.read(2));
  subs[5]!.sendCommand("sunsubscribe");
  out.push(await subs[5]!.read(1));
  out.push(await c.command("PUBSUB", "SHARDNUMSUB", "sh1"), await c.command("SSUBSCRIBE"));
  c.close();
  for (const s of subs) s.close();
  return out;
}

let pair: ParityPair | undefined;
beforeAll(async () => {
  if (REDIS_SERVER) pair = await startParityPair();
  else console.log("notice: redis-server not installed; skipping the PUBSUB introspection test");
});
afterAll(async () => {
  await pair?.stop();
});

describe.skipIf(!REDIS_SERVER)("PUBSUB introspection matches redis-server 7.0.15", () => {
  test.each([2, 3] as const)("over RESP%d", async (resp) => {
    const want = await run(pair!.redisPort, resp);
    const got = await run(pair!.ours.port, resp);
    // PUBSUB CHANNELS a* and SHARDCHANNELS list their channels in a hash order: sort both.
    for (const v of [want, got]) for (const i of [2, 4]) v[i] = [...(v[i] as string[])].sort();
    expect(got).toEqual(want);
  });
});
