// Streams over two workers: XREAD and XREADGROUP naming streams of both workers answer as one
// Redis would (streams in argument order, the group state written back to each owner), inside
// MULTI/EXEC too; a single-stream command is forwarded to its owner; on a Redis Cluster port the
// keys must share a slot (-CROSSSLOT).
import { clusterPortsOf } from "../cluster/helpers.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { keyHashSlot } from "../../src/cluster/slots.ts";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";

const owner = (key: string): number => (keyHashSlot(new TextEncoder().encode(key)) < 8192 ? 0 : 1);
function nameOn(w: number, prefix: string): string {
  for (let i = 0; ; i++) if (owner(`${prefix}${i}`) === w) return `${prefix}${i}`;
}

describe("streams with two workers", () => {
  let srv: ServerProcess;
  let ports: number[] = [];
  beforeAll(async () => {
    srv = await spawnServer(["--workers", "2", "--cluster-ports", "yes"]);
    ports = clusterPortsOf(srv.stdout());
  });
  afterAll(async () => {
    expect(await srv?.stop()).toBe(0);
  });

  test("XREAD over streams of both workers answers in argument order, as one server", async () => {
    const c = await RawClient.connect(srv.port);
    const a = nameOn(0, "sa");
    const b = nameOn(1, "sb");
    expect(await c.command("xadd", a, "1-1", "f", "a1")).toBe("1-1");
    expect(await c.command("xadd", b, "1-1", "f", "b1")).toBe("1-1");
    expect(await c.command("xadd", b, "2-1", "f", "b2")).toBe("2-1");
    expect(await c.command("xread", "streams", b, a, "1-1", "0")).toEqual([[b, [["2-1", ["f", "b2"]]]], [a, [["1-1", ["f", "a1"]]]]]);
    expect(await c.command("xread", "count", "1", "streams", a, b, "0", "0")).toEqual([[a, [["1-1", ["f", "a1"]]]], [b, [["1-1", ["f", "b1"]]]]]);
    expect(await c.command("xread", "streams", a, b, "$", "$")).toBeNull();
    expect(await c.command("xread", "streams", a, b, "0")).toEqual({ error: "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified." });
    c.close();
  });

  test("XREADGROUP over both workers delivers once and keeps each owner's PEL", async () => {
    const c = await RawClient.connect(srv.port);
    const a = nameOn(0, "ga");
    const b = nameOn(1, "gb");
    for (const k of [a, b]) {
      expect(await c.command("xadd", k, "1-1", "n", "1")).toBe("1-1");
      expect(await c.command("xadd", k, "2-1", "n", "2")).toBe("2-1");
      expect(await c.command("xgroup", "create", k, "g", "0")).toBe("OK");
    }
    expect(await c.command("xreadgroup", "group", "g", "alice", "count", "1", "streams", a, b, ">", ">")).toEqual([
      [a, [["1-1", ["n", "1"]]]],
      [b, [["1-1", ["n", "1"]]]],
    ]);
    expect(await c.command("xreadgroup", "group", "g", "bob", "streams", a, b, ">", ">")).toEqual([
      [a, [["2-1", ["n", "2"]]]],
      [b, [["2-1", ["n", "2"]]]],
    ]);
    expect(await c.command("xreadgroup", "group", "g", "bob", "streams", b, a, ">", ">")).toBeNull();
    // Each owner holds its group state: forwarded single-key reads see it.
    expect(await c.command("xpending", a, "g")).toEqual([2, "1-1", "2-1", [["alice", "1"], ["bob", "1"]]]);
    expect(await c.command("xpending", b, "g")).toEqual([2, "1-1", "2-1", [["alice", "1"], ["bob", "1"]]]);
    expect(await c.command("xack", b, "g", "1-1", "2-1")).toBe(2);
    expect(await c.command("xreadgroup", "group", "g", "alice", "streams", a, b, "0", "0")).toEqual([
      [a, [["1-1", ["n", "1"]]]],
      [b, []],
    ]);
    expect(await c.command("xreadgroup", "group", "nog", "x", "streams", a, b, ">", ">")).toEqual({
      error: `NOGROUP No such key '${a}' or consumer group 'nog' in XREADGROUP with GROUP option`,
    });
    // And inside a transaction.
    expect(await c.command("multi")).toBe("OK");
    expect(await c.command("xadd", a, "3-1", "n", "3")).toBe("QUEUED");
    expect(await c.command("xadd", b, "3-1", "n", "3")).toBe("QUEUED");
    expect(await c.command("xreadgroup", "group", "g", "cat", "streams", a, b, ">", ">")).toBe("QUEUED");
    expect(await c.command("exec")).toEqual(["3-1", "3-1", [[a, [["3-1", ["n", "3"]]]], [b, [["3-1", ["n", "3"]]]]]]);
    expect(await c.command("xinfo", "groups", b)).toEqual([["name", "g", "consumers", 3, "pending", 1, "last-delivered-id", "3-1", "entries-read", 3, "lag", 0]]);
    c.close();
  });

  test("a cluster port refuses XREAD over two slots with -CROSSSLOT and serves one slot", async () => {
    const a = nameOn(0, "ca");
    const b = nameOn(1, "cb");
    const p0 = await RawClient.connect(ports[0]!);
    expect(await p0.command("xread", "streams", a, b, "0", "0")).toEqual({ error: "CROSSSLOT Keys in request don't hash to the same slot" });
    const px = await RawClient.connect(ports[owner("{t}x")]!);
    expect(await px.command("xadd", "{t}x", "1-1", "f", "v")).toBe("1-1");
    expect(await px.command("xadd", "{t}y", "1-1", "f", "w")).toBe("1-1");
    expect(await px.command("xread", "streams", "{t}x", "{t}y", "0", "0")).toEqual([["{t}x", [["1-1", ["f", "v"]]]], ["{t}y", [["1-1", ["f", "w"]]]]]);
    p0.close();
    px.close();
  });
});
