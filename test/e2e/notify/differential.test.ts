// Keyspace notifications compared event for event with redis-server 7.0.15: the differential
// generators' seeded command stream runs on both with `notify-keyspace-events KEA`, a PSUBSCRIBE
// `__key*__:*` client on each collects the events, and the two sequences must be equal, in RESP2
// and RESP3. One worker here (the exact order across keys); test/e2e/notify/workers.test.ts
// checks two workers key by key. Replay: NOTIFY_SEED=<seed> NOTIFY_COUNT=<n> NOTIFY_FAMILIES=list.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { REDIS_SERVER, connectWithRetry, startParityPair, type ParityPair } from "../../support/redis-parity.ts";
import { RawClient } from "../../support/server-process.ts";
import type { FamilyGenerator } from "../differential/generator.ts";
import { bitsGenerator } from "../differential/gen-bits.ts";
import { geoGenerator } from "../differential/gen-geo.ts";
import { hashGenerator } from "../differential/gen-hash.ts";
import { keysGenerator } from "../differential/gen-keys.ts";
import { listGenerator } from "../differential/gen-list.ts";
import { setGenerator } from "../differential/gen-set.ts";
import { streamGenerator } from "../differential/gen-stream.ts";
import { stringGenerator } from "../differential/gen-string.ts";
import { zsetGenerator } from "../differential/gen-zset.ts";
import { EventLog, seededRng } from "./event-log.ts";

const GENERATORS: readonly FamilyGenerator[] = [setGenerator, keysGenerator, stringGenerator, hashGenerator, listGenerator, zsetGenerator, bitsGenerator, streamGenerator, geoGenerator];
const SEEDS = process.env.NOTIFY_SEED !== undefined ? [Number(process.env.NOTIFY_SEED)] : [11, 12];
const COUNT = Number(process.env.NOTIFY_COUNT ?? 1000);
const FAMILIES = process.env.NOTIFY_FAMILIES?.split(",");
const SENTINEL = "__keyevent@0__:set __notify_end__";

function stream(seed: number): string[][] {
  const rng = seededRng(seed);
  const gens = FAMILIES === undefined ? GENERATORS : GENERATORS.filter((g) => FAMILIES.includes(g.name));
  return Array.from({ length: COUNT }, () => rng.pick(gens).next(rng));
}

/** Runs `cmds` (in batches, replies awaited) and returns the events up to the sentinel SET. */
async function eventsOf(port: number, cmds: readonly string[][], resp: 2 | 3): Promise<string[]> {
  const log = await EventLog.subscribe(port, resp);
  const c = await RawClient.connect(port);
  try {
    if (resp === 3) await c.command("hello", "3");
    for (let i = 0; i < cmds.length; i += 100) {
      const batch = cmds.slice(i, i + 100);
      for (const argv of batch) c.sendCommand(...argv);
      await c.read(batch.length);
    }
    await c.command("set", "__notify_end__", "1");
    return await log.until(SENTINEL);
  } finally {
    log.close();
    c.close();
  }
}

let pair: ParityPair | undefined;
beforeAll(async () => {
  if (REDIS_SERVER === null) {
    console.log("notification differential skipped: redis-server is not installed");
    return;
  }
  pair = await startParityPair(["--workers", "1", "--notify-keyspace-events", "KEA"]);
  const ref = await connectWithRetry(pair.redisPort);
  await ref.command("config", "set", "notify-keyspace-events", "KEA");
  ref.close();
});
afterAll(async () => {
  await pair?.stop();
});

describe("keyspace notifications against redis-server 7.0.15", () => {
  for (const resp of [2, 3] as const) {
    test(`RESP${resp}: seeds ${SEEDS.join(",")} x ${COUNT} commands, the same events in the same order`, async () => {
      if (pair === undefined) return;
      for (const seed of SEEDS) {
        const cmds = stream(seed);
        for (const port of [pair.redisPort, pair.ours.port]) {
          const c = await RawClient.connect(port);
          await c.command("flushall");
          c.close();
        }
        const want = await eventsOf(pair.redisPort, cmds, resp);
        const got = await eventsOf(pair.ours.port, cmds, resp);
        const n = Math.max(want.length, got.length);
        for (let i = 0; i < n; i++) {
          if (got[i] === want[i]) continue;
          const around = (xs: string[]): string => xs.slice(Math.max(0, i - 8), i + 4).join("\n    ");
          throw new Error(`RESP${resp} seed ${seed}: event #${i} differs\n  ours:\n    ${around(got)}\n  redis:\n    ${around(want)}`);
        }
        expect(got.length).toBe(want.length);
      }
    });
  }
});
