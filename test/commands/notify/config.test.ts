// notify-keyspace-events: parsed and printed back exactly as redis-server 7.0.15 does (CONFIG
// SET / GET side by side, errors word for word), and events inside MULTI/EXEC and scripts come
// in command order (one hash tag: one owner, one order). The class filter: only the classes asked for are published.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { REDIS_SERVER, connectWithRetry, startParityPair, type ParityPair } from "../../support/redis-parity.ts";
import { RawClient, spawnServer } from "../../support/server-process.ts";
import { EventLog } from "../../e2e/notify/event-log.ts";

const CLASS_STRINGS = ["", "AKE", "KEA", "Kg$", "KEAmn", "Agn", "xe", "A", "Kx", "gslhz$xetdK", "KEl", "Eh", "Kt", "Knd", "mK", "Kq", "Z", "K E", "AKEx?"];

let pair: ParityPair | undefined;
beforeAll(async () => {
  if (REDIS_SERVER === null) console.log("notify config parity skipped: redis-server is not installed");
  else pair = await startParityPair();
});
afterAll(async () => {
  await pair?.stop();
});

test("CONFIG SET / GET notify-keyspace-events answer as redis-server 7.0.15", async () => {
  if (pair === undefined) return;
  const ref = await connectWithRetry(pair.redisPort);
  const mine = await RawClient.connect(pair.ours.port);
  try {
    for (const s of CLASS_STRINGS) {
      const want = [await ref.command("config", "set", "notify-keyspace-events", s), await ref.command("config", "get", "notify-keyspace-events")];
      const got = [await mine.command("config", "set", "notify-keyspace-events", s), await mine.command("config", "get", "notify-keyspace-events")];
      expect({ s, got }).toEqual({ s, got: want });
    }
  } finally {
    ref.close();
    mine.close();
  }
});

test("only the classes asked for are published, on the channels asked for", async () => {
  await using server = await spawnServer(["--notify-keyspace-events", "El"]);
  const log = await EventLog.subscribe(server.port, 2);
  const c = await RawClient.connect(server.port);
  try {
    // Strings and generic are off; lists on; keyevent only.
    for (const argv of [["set", "{c}s", "1"], ["del", "{c}s"], ["rpush", "{c}l", "a"], ["config", "set", "notify-keyspace-events", "Kg"], ["del", "{c}l"], ["config", "set", "notify-keyspace-events", ""], ["set", "{c}quiet", "1"], ["config", "set", "notify-keyspace-events", "E$"], ["set", "{c}end", "1"]]) {
      await c.command(...argv);
    }
    expect(await log.until("__keyevent@0__:set {c}end")).toEqual(["__keyevent@0__:rpush {c}l", "__keyspace@0__:{c}l del", "__keyevent@0__:set {c}end"]);
  } finally {
    log.close();
    c.close();
  }
});

test("MULTI/EXEC and scripts publish in command order, and SELECTed databases name their index", async () => {
  await using server = await spawnServer(["--notify-keyspace-events", "KEA"]);
  const log = await EventLog.subscribe(server.port, 3, "__keyspace@*__:*");
  const c = await RawClient.connect(server.port);
  try {
    await c.command("multi");
    for (const argv of [["set", "{m}a", "1"], ["incrby", "{m}a", "2"], ["rename", "{m}a", "{m}b"], ["expire", "{m}b", "100"]]) await c.command(...argv);
    await c.command("exec");
    await c.command("eval", "redis.call('lpush', KEYS[1], 'x'); redis.call('lpop', KEYS[1]); return 1", "1", "{m}l");
    await c.command("select", "3");
    await c.command("sadd", "{m}s3", "m");
    await c.command("move", "{m}s3", "0");
    expect(await log.until("__keyspace@0__:{m}s3 move_to")).toEqual([
      "__keyspace@0__:{m}a set",
      "__keyspace@0__:{m}a incrby",
      "__keyspace@0__:{m}a rename_from",
      "__keyspace@0__:{m}b rename_to",
      "__keyspace@0__:{m}b expire",
      "__keyspace@0__:{m}l lpush",
      "__keyspace@0__:{m}l lpop",
      "__keyspace@0__:{m}l del",
      "__keyspace@3__:{m}s3 sadd",
      "__keyspace@3__:{m}s3 move_from",
      "__keyspace@0__:{m}s3 move_to",
    ]);
  } finally {
    log.close();
    c.close();
  }
});

test("class n: new is published when a key is created, before the command's event, as redis-server", async () => {
  if (pair === undefined) return;
  const script = [["set", "{n}1", "a"], ["set", "{n}1", "b"], ["rpush", "{n}2", "a"], ["sadd", "{n}3", "x"], ["rename", "{n}1", "{n}4"], ["copy", "{n}4", "{n}5"],
    ["incr", "{n}6"], ["hset", "{n}7", "f", "v"], ["xadd", "{n}8", "*", "f", "v"], ["setbit", "{n}9", "1", "1"], ["pfadd", "{n}10", "a"], ["zadd", "{n}11", "1", "a"],
    ["lmove", "{n}2", "{n}12", "left", "left"], ["sunionstore", "{n}13", "{n}3"], ["set", "{n}14", "v", "ex", "100"], ["set", "{n}end", "1"]];
  const run = async (port: number): Promise<string[]> => {
    const c = await RawClient.connect(port);
    await c.command("flushall");
    await c.command("config", "set", "notify-keyspace-events", "KAn");
    const log = await EventLog.subscribe(port, 2);
    for (const argv of script) await c.command(...argv);
    const got = await log.until("__keyspace@0__:{n}end set");
    await c.command("config", "set", "notify-keyspace-events", "");
    log.close();
    c.close();
    return got;
  };
  const want = await run(pair.redisPort);
  expect(want).toContain("__keyspace@0__:{n}1 new");
  expect(await run(pair.ours.port)).toEqual(want);
});
