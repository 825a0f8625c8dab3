// Keyspace notifications with two workers: one subscriber, on whichever worker its connection
// landed, receives the events of the keys every worker owns, each key's events in command order.
// Its PSUBSCRIBE confirmation comes only once every worker knows it is there, so nothing sent
// after it is missed.
import { expect, test } from "bun:test";
import { keyHashSlot } from "../../../src/cluster/slots.ts";
import { RawClient, spawnServer } from "../../support/server-process.ts";
import { EventLog } from "./event-log.ts";

const text = (v: unknown): string => (v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v));

test("a subscriber on one worker gets every worker's events, in order per key (RESP2 and RESP3)", async () => {
  await using server = await spawnServer(["--workers", "2", "--notify-keyspace-events", "KEA"]);
  const c = await RawClient.connect(server.port);
  try {
    // Which worker owns which slots (INFO cores: worker_index, worker_slots).
    const ranges: { worker: number; start: number; end: number }[] = [];
    for (let tries = 0; tries < 20 && new Set(ranges.map((r) => r.worker)).size < 2; tries++) {
      const probe = await RawClient.connect(server.port);
      const info = text(await probe.command("info", "cores"));
      probe.close();
      const w = Number(/worker_index:(\d+)/.exec(info)![1]);
      for (const part of /worker_slots:(\S+)/.exec(info)![1]!.split(",")) {
        const [s, e] = part.split("-").map(Number);
        if (!ranges.some((r) => r.worker === w)) ranges.push({ worker: w, start: s!, end: e! });
      }
    }
    const ownerOf = (key: string): number => {
      const slot = keyHashSlot(new TextEncoder().encode(key));
      return ranges.find((r) => slot >= r.start && slot <= r.end)?.worker ?? -1;
    };
    for (const resp of [2, 3] as const) {
      const log = await EventLog.subscribe(server.port, resp, "__keyspace@0__:*");
      const keys = Array.from({ length: 24 }, (_, i) => `k${resp}:${i}`);
      const owners = new Set<number>();
      for (const k of keys) owners.add(ownerOf(k));
      expect([...owners].sort()).toEqual([0, 1]);
      const script: string[][] = [];
      for (const k of keys) script.push(["set", k, "v"], ["append", k, "w"], ["expire", k, "100"], ["persist", k], ["del", k]);
      for (const argv of script) c.sendCommand(...argv);
      await c.read(script.length);
      const got = await log.untilAll(keys.map((k) => `__keyspace@0__:${k} del`));
      log.close();
      const perKey = new Map<string, string[]>();
      for (const e of got) {
        const [channel, event] = e.split(" ");
        const key = channel!.slice("__keyspace@0__:".length);
        perKey.set(key, [...(perKey.get(key) ?? []), event!]);
      }
      for (const k of keys) expect(perKey.get(k)).toEqual(["set", "append", "expire", "persist", "del"]);
    }
  } finally {
    c.close();
  }
});

test("events stop crossing workers once the last subscriber leaves, and start again for a new one", async () => {
  await using server = await spawnServer(["--workers", "2", "--notify-keyspace-events", "KEA"]);
  const c = await RawClient.connect(server.port);
  try {
    for (let round = 0; round < 3; round++) {
      const log = await EventLog.subscribe(server.port, 2, "__keyevent@0__:set");
      const keys = Array.from({ length: 12 }, (_, i) => `r${round}:${i}`);
      for (const k of keys) c.sendCommand("set", k, "1");
      await c.read(keys.length);
      const got = await log.untilAll(keys.map((k) => `__keyevent@0__:set ${k}`));
      expect(new Set(got)).toEqual(new Set(keys.map((k) => `__keyevent@0__:set ${k}`)));
      log.close();
    }
  } finally {
    c.close();
  }
});
