// Consumer groups through the real command table with a fake clock: XGROUP, XREADGROUP, XACK,
// XPENDING, XCLAIM, XAUTOCLAIM and XINFO, with delivery times, idle times and seen-times exact.
// Shapes and error strings were checked against redis-server 7.0.15 (stream-redis-parity.test.ts).
import { describe, expect, test } from "bun:test";
import { createHarness, type Harness } from "../../support/command-harness.ts";
import type { RespValue } from "../../support/resp-decode.ts";

const T0 = 1_700_000_000_000;
const NOGROUP = (k: string, g: string) => ({ error: `NOGROUP No such key '${k}' or consumer group '${g}'` });

function script(h: Harness, steps: [string[], unknown][]): void {
  for (const [argv, expected] of steps) expect([argv, h.run(argv)] as unknown[]).toEqual([argv, expected]);
}

function queue(n = 5): Harness {
  const h = createHarness({ now: T0 });
  for (let i = 1; i <= n; i++) h.run(["xadd", "q", `${i}-0`, "job", String(i)]);
  return h;
}
const entry = (i: number): RespValue => [`${i}-0`, ["job", String(i)]];

describe("XGROUP", () => {
  test("CREATE (with $, MKSTREAM, ENTRIESREAD), SETID, DESTROY, CREATECONSUMER, DELCONSUMER and their errors", () => {
    script(queue(), [
      [["xgroup", "create", "q", "g", "0"], "OK"],
      [["xgroup", "create", "q", "g", "$"], { error: "BUSYGROUP Consumer Group name already exists" }],
      [["xgroup", "create", "nokey", "g", "$"], { error: "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically." }],
      [["xgroup", "create", "mk", "g", "$", "mkstream"], "OK"],
      [["xlen", "mk"], 0],
      [["xgroup", "create", "q", "h", "$", "entriesread", "-2"], { error: "ERR value for ENTRIESREAD must be positive or -1" }],
      [["xgroup", "create", "q", "h", "$", "foo"], { error: "ERR unknown subcommand or wrong number of arguments for 'create'. Try XGROUP HELP." }],
      [["xgroup", "create", "q", "h", "bad"], { error: "ERR Invalid stream ID specified as stream command argument" }],
      [["xgroup", "create", "q", "h", "3-0", "entriesread", "3"], "OK"],
      [["xinfo", "groups", "q"], [
        ["name", "g", "consumers", 0, "pending", 0, "last-delivered-id", "0-0", "entries-read", null, "lag", 5],
        ["name", "h", "consumers", 0, "pending", 0, "last-delivered-id", "3-0", "entries-read", 3, "lag", 2],
      ]],
      [["xgroup", "setid", "q", "g", "$"], "OK"],
      [["xgroup", "setid", "q", "g", "2-0", "entriesread", "2"], "OK"],
      [["xgroup", "setid", "q", "nog", "0"], { error: "NOGROUP No such consumer group 'nog' for key name 'q'" }],
      [["xgroup", "setid", "q", "g", "0", "mkstream"], { error: "ERR unknown subcommand or wrong number of arguments for 'setid'. Try XGROUP HELP." }],
      [["xgroup", "createconsumer", "q", "g", "c1"], 1],
      [["xgroup", "createconsumer", "q", "g", "c1"], 0],
      [["xgroup", "createconsumer", "q", "nog", "c1"], { error: "NOGROUP No such consumer group 'nog' for key name 'q'" }],
      [["xreadgroup", "group", "g", "c1", "streams", "q", ">"], [["q", [entry(3), entry(4), entry(5)]]]],
      [["xgroup", "delconsumer", "q", "g", "c1"], 3],
      [["xgroup", "delconsumer", "q", "g", "c1"], 0],
      [["xpending", "q", "g"], [0, null, null, null]],
      [["xgroup", "destroy", "q", "h"], 1],
      [["xgroup", "destroy", "q", "h"], 0],
      [["xgroup", "destroy", "nokey", "h"], { error: "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically." }],
      [["xgroup", "foo"], { error: "ERR unknown subcommand 'foo'. Try XGROUP HELP." }],
      [["xgroup", "create", "q"], { error: "ERR wrong number of arguments for 'xgroup|create' command" }],
      [["set", "str", "v"], "OK"],
      [["xgroup", "create", "str", "g", "$"], { error: "WRONGTYPE Operation against a key holding the wrong kind of value" }],
    ]);
  });

  test("HELP lists the subcommands", () => {
    const help = createHarness().run(["xgroup", "help"]) as string[];
    expect(help[0]).toBe("XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    expect(help.at(-1)).toBe("    Prints this help.");
  });
});

describe("XREADGROUP XACK XPENDING", () => {
  test("new entries go to one consumer each, history re-delivers, NOACK skips the PEL, XACK clears it", () => {
    const h = queue();
    h.run(["xgroup", "create", "q", "g", "0"]);
    script(h, [
      [["xreadgroup", "group", "g", "alice", "count", "2", "streams", "q", ">"], [["q", [entry(1), entry(2)]]]],
      [["xreadgroup", "group", "g", "bob", "count", "1", "streams", "q", ">"], [["q", [entry(3)]]]],
      [["xreadgroup", "group", "g", "carol", "noack", "count", "1", "streams", "q", ">"], [["q", [entry(4)]]]],
      [["xpending", "q", "g"], [3, "1-0", "3-0", [["alice", "2"], ["bob", "1"]]]],
    ]);
    h.clock.advance(1000);
    script(h, [
      [["xreadgroup", "group", "g", "alice", "streams", "q", "0"], [["q", [entry(1), entry(2)]]]],
      [["xreadgroup", "group", "g", "alice", "count", "1", "streams", "q", "1-0"], [["q", [entry(2)]]]],
      [["xreadgroup", "group", "g", "bob", "streams", "q", "9"], [["q", []]]],
      [["xreadgroup", "group", "g", "dave", "streams", "q", "0"], [["q", []]]],
    ]);
    h.clock.advance(500);
    script(h, [
      [["xpending", "q", "g", "-", "+", "10"], [["1-0", "alice", 500, 2], ["2-0", "alice", 500, 3], ["3-0", "bob", 1500, 1]]],
      [["xpending", "q", "g", "idle", "1000", "-", "+", "10"], [["3-0", "bob", 1500, 1]]],
      [["xpending", "q", "g", "(1-0", "+", "1"], [["2-0", "alice", 500, 3]]],
      [["xpending", "q", "g", "-", "+", "10", "bob"], [["3-0", "bob", 1500, 1]]],
      [["xpending", "q", "g", "-", "+", "10", "nobody"], []],
      [["xpending", "q", "g", "-", "+"], { error: "ERR syntax error" }],
      [["xpending", "q", "g", "idle", "0", "-", "+"], { error: "ERR syntax error" }],
      [["xpending", "q", "g", "-", "+", "x"], { error: "ERR value is not an integer or out of range" }],
      [["xpending", "q", "nog"], NOGROUP("q", "nog")],
      [["xack", "q", "g", "1-0", "2-0", "9-0"], 2],
      [["xack", "q", "g", "x"], { error: "ERR Invalid stream ID specified as stream command argument" }],
      [["xack", "q", "nog", "3-0"], 0],
      [["xack", "nokey", "g", "3-0"], 0],
      [["xreadgroup", "group", "g", "alice", "streams", "q", ">"], [["q", [entry(5)]]]],
      [["xreadgroup", "group", "g", "alice", "streams", "q", ">"], null],
      [["xreadgroup", "group", "nog", "c", "streams", "q", ">"], { error: "NOGROUP No such key 'q' or consumer group 'nog' in XREADGROUP with GROUP option" }],
      [["xreadgroup", "group", "g", "c", "streams", "q", "$"], { error: "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set." }],
      [["xreadgroup", "count", "1", "noack", "streams", "q", ">"], { error: "ERR Missing GROUP option for XREADGROUP" }],
      [["xreadgroup", "group", "g", "c", "streams", "q", "x", "y"], { error: "ERR Unbalanced XREADGROUP list of streams: for each stream key an ID or '>' must be specified." }],
    ]);
    // A history read serves (and creates) dave; a ">" read with nothing new creates no consumer.
    h.run(["xreadgroup", "group", "g", "erin", "streams", "q", ">"]);
    expect((h.run(["xinfo", "consumers", "q", "g"]) as unknown[][]).map((c) => c[1])).toEqual(["alice", "bob", "carol", "dave"]);
  });

  test("a deleted entry still pending comes back as [id, nil] in the history", () => {
    const h = queue(2);
    h.run(["xgroup", "create", "q", "g", "0"]);
    h.run(["xreadgroup", "group", "g", "a", "streams", "q", ">"]);
    h.run(["xdel", "q", "1-0"]);
    expect(h.run(["xreadgroup", "group", "g", "a", "streams", "q", "0"])).toEqual([["q", [["1-0", null], entry(2)]]]);
    h.run(["hello", "3"]);
    expect(h.run(["xreadgroup", "group", "g", "a", "streams", "q", "0"])).toEqual(new Map([["q", [["1-0", null], entry(2)]]]));
  });
});

describe("XCLAIM XAUTOCLAIM", () => {
  const pending = (): Harness => {
    const h = queue();
    h.run(["xgroup", "create", "q", "g", "0"]);
    h.run(["xreadgroup", "group", "g", "alice", "count", "3", "streams", "q", ">"]);
    h.clock.advance(10_000);
    return h;
  };

  test("XCLAIM moves entries idle long enough; IDLE, TIME, RETRYCOUNT, FORCE, JUSTID, LASTID", () => {
    const h = pending();
    script(h, [
      [["xclaim", "q", "g", "bob", "20000", "1-0"], []],
      [["xclaim", "q", "g", "bob", "5000", "1-0"], [entry(1)]],
      [["xclaim", "q", "g", "bob", "0", "2-0", "idle", "3000", "justid"], ["2-0"]],
      [["xclaim", "q", "g", "bob", "0", "3-0", "time", String(T0 + 4000), "retrycount", "9"], [entry(3)]],
      [["xclaim", "q", "g", "carol", "0", "5-0"], []],
      [["xclaim", "q", "g", "carol", "0", "5-0", "force", "justid"], ["5-0"]],
      [["xclaim", "q", "g", "carol", "0", "9-0", "force"], []],
      [["xclaim", "q", "g", "carol", "0", "4-0", "lastid", "9-0", "justid"], []],
      [["xpending", "q", "g", "-", "+", "10"], [["1-0", "bob", 0, 2], ["2-0", "bob", 3000, 1], ["3-0", "bob", 6000, 9], ["5-0", "carol", 0, 1]]],
      [["xinfo", "groups", "q"], [["name", "g", "consumers", 3, "pending", 4, "last-delivered-id", "9-0", "entries-read", 3, "lag", 2]]],
      [["xclaim", "q", "g", "bob", "x", "1-0"], { error: "ERR Invalid min-idle-time argument for XCLAIM" }],
      [["xclaim", "q", "g", "bob", "0", "1-0", "idle", "x"], { error: "ERR Invalid IDLE option argument for XCLAIM" }],
      [["xclaim", "q", "g", "bob", "0", "1-0", "time", "x"], { error: "ERR Invalid TIME option argument for XCLAIM" }],
      [["xclaim", "q", "g", "bob", "0", "1-0", "retrycount", "x"], { error: "ERR Invalid RETRYCOUNT option argument for XCLAIM" }],
      [["xclaim", "q", "g", "bob", "0", "1-0", "lastid", "x"], { error: "ERR Invalid stream ID specified as stream command argument" }],
      [["xclaim", "q", "g", "bob", "0", "1-0", "foo"], { error: "ERR Unrecognized XCLAIM option 'foo'" }],
      [["xclaim", "q", "nog", "bob", "0", "1-0"], NOGROUP("q", "nog")],
      [["xclaim", "nokey", "g", "bob", "0", "1-0"], NOGROUP("nokey", "g")],
    ]);
  });

  test("XCLAIM drops a pending entry whose stream entry was deleted", () => {
    const h = pending();
    h.run(["xdel", "q", "2-0"]);
    expect(h.run(["xclaim", "q", "g", "bob", "0", "2-0", "3-0", "justid"])).toEqual(["3-0"]);
    expect(h.run(["xpending", "q", "g"])).toEqual([2, "1-0", "3-0", [["alice", "1"], ["bob", "1"]]]);
  });

  test("XAUTOCLAIM scans the PEL from a cursor, claims idle entries and reports deleted ones", () => {
    const h = pending();
    h.run(["xdel", "q", "2-0"]);
    script(h, [
      [["xautoclaim", "q", "g", "bob", "60000", "0"], ["0-0", [], ["2-0"]]],
      [["xautoclaim", "q", "g", "bob", "0", "0", "count", "1"], ["3-0", [entry(1)], []]],
      [["xautoclaim", "q", "g", "bob", "0", "(1-0", "justid"], ["0-0", ["3-0"], []]],
      [["xpending", "q", "g", "-", "+", "10"], [["1-0", "bob", 0, 2], ["3-0", "bob", 0, 1]]],
      [["xautoclaim", "q", "g", "bob", "0", "0", "count", "0"], { error: "ERR COUNT must be > 0" }],
      [["xautoclaim", "q", "g", "bob", "0", "0", "foo"], { error: "ERR syntax error" }],
      [["xautoclaim", "q", "g", "bob", "x", "0"], { error: "ERR Invalid min-idle-time argument for XAUTOCLAIM" }],
      [["xautoclaim", "q", "g", "bob", "0", "x"], { error: "ERR Invalid stream ID specified as stream command argument" }],
      [["xautoclaim", "q", "nog", "bob", "0", "0"], NOGROUP("q", "nog")],
    ]);
  });
});

describe("XINFO", () => {
  test("STREAM, STREAM FULL with COUNT, GROUPS and CONSUMERS, with lag, entries-read and times", () => {
    const h = queue(3);
    h.run(["xgroup", "create", "q", "g", "0"]);
    h.run(["xreadgroup", "group", "g", "alice", "count", "2", "streams", "q", ">"]);
    h.clock.advance(250);
    script(h, [
      [["xinfo", "stream", "q"], [
        "length", 3, "radix-tree-keys", 1, "radix-tree-nodes", 2, "last-generated-id", "3-0", "max-deleted-entry-id", "0-0", "entries-added", 3,
        "recorded-first-entry-id", "1-0", "groups", 1, "first-entry", entry(1), "last-entry", entry(3),
      ]],
      [["xinfo", "stream", "q", "full", "count", "1"], [
        "length", 3, "radix-tree-keys", 1, "radix-tree-nodes", 2, "last-generated-id", "3-0", "max-deleted-entry-id", "0-0", "entries-added", 3,
        "recorded-first-entry-id", "1-0", "entries", [entry(1)], "groups", [[
          "name", "g", "last-delivered-id", "2-0", "entries-read", 2, "lag", 1, "pel-count", 2, "pending", [["1-0", "alice", T0, 1]],
          "consumers", [["name", "alice", "seen-time", T0, "pel-count", 2, "pending", [["1-0", T0, 1]]]],
        ]],
      ]],
      [["xinfo", "consumers", "q", "g"], [["name", "alice", "pending", 2, "idle", 250]]],
      [["xinfo", "consumers", "q", "nog"], { error: "NOGROUP No such consumer group 'nog' for key name 'q'" }],
      [["xinfo", "stream", "nokey"], { error: "ERR no such key" }],
      [["xinfo", "stream", "q", "foo"], { error: "ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP." }],
      [["xinfo", "stream", "q", "full", "count", "x"], { error: "ERR value is not an integer or out of range" }],
      [["xinfo", "groups", "nokey"], { error: "ERR no such key" }],
      [["xinfo", "foo", "q"], { error: "ERR unknown subcommand 'foo'. Try XINFO HELP." }],
    ]);
    expect((h.run(["xinfo", "help"]) as string[])[0]).toBe("XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  });

  test("RESP3 answers maps, null entries for an empty stream", () => {
    const h = createHarness({ resp: 3 });
    h.run(["xgroup", "create", "e", "g", "$", "mkstream"]);
    const info = h.run(["xinfo", "stream", "e"]) as Map<string, unknown>;
    expect(info.get("first-entry")).toBeNull();
    expect(info.get("length")).toBe(0);
    expect(h.run(["xinfo", "groups", "e"])).toEqual([new Map<RespValue, RespValue>([["name", "g"], ["consumers", 0], ["pending", 0], ["last-delivered-id", "0-0"], ["entries-read", null], ["lag", 0]])]);
  });
});
