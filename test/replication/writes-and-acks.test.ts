// A primary's write guards and acks with a real redis-server replica: min-replicas-to-write
// refuses writes with -NOREPLICAS until a replica acks, WAIT counts it, and a link killed from
// the replica's side (CLIENT KILL TYPE master) resumes with a partial resync; ROLE and INFO
// replication show the replica as Redis's Sentinel reads them.
import { describe, expect, test } from "bun:test";
import { spawnServer } from "../support/server-process.ts";
import { ask, REDIS_SERVER, replInfo, startRedis, until, writeAndWait } from "./helpers.ts";

describe.skipIf(REDIS_SERVER === null)("writes and acks of a fast-cache primary", () => {
  test("min-replicas-to-write refuses writes until a replica acks; WAIT counts it; ROLE and INFO list it", async () => {
    await using primary = await spawnServer(["--workers", "1", "--appendonly", "no", "--min-replicas-to-write", "1", "--min-replicas-max-lag", "10"]);
    expect(await ask(primary.port, "SET", "k", "v")).toEqual({ error: "NOREPLICAS Not enough good replicas to write." });
    expect(await ask(primary.port, "GET", "k")).toBeNull(); // reads go on
    expect(await ask(primary.port, "WAIT", "1", "50")).toBe(0);
    const replica = await startRedis(["--replicaof", "127.0.0.1", String(primary.port)]);
    try {
      await until(async () => (await replInfo(replica.port, "master_link_status")) === "up", 15000, "the replica's link");
      await until(async () => (await ask(primary.port, "SET", "k", "v")) === "OK", 15000, "writes to be accepted");
      expect(await writeAndWait(primary.port, [["SET", "k2", "v2"]])).toBe(1);
      expect(await ask(replica.port, "GET", "k2")).toBe("v2");
      const role = (await ask(primary.port, "ROLE")) as [string, number, string[][]];
      expect(role[0]).toBe("master");
      expect(role[2][0]![1]).toBe(String(replica.port));
      expect(await replInfo(primary.port, "slave0")).toMatch(new RegExp(`^ip=127\\.0\\.0\\.1,port=${replica.port},state=online,offset=\\d+,lag=\\d+$`));
      expect(await replInfo(primary.port, "min_slaves_good_slaves")).toBe("1");

      // The replica drops its link itself; it resumes where it was (writes meanwhile need the guard off).
      expect(await ask(primary.port, "CONFIG", "SET", "min-replicas-to-write", "0")).toBe("OK");
      await ask(replica.port, "CLIENT", "KILL", "TYPE", "master");
      expect(await ask(primary.port, "SET", "k3", "v3")).toBe("OK");
      await until(async () => (await replInfo(replica.port, "master_link_status")) === "up", 15000, "the link to come back");
      expect(await writeAndWait(primary.port, [["SET", "k4", "v4"]])).toBe(1);
      expect(await ask(replica.port, "MGET", "k3", "k4")).toEqual(["v3", "v4"]);
      const stats = String(await ask(replica.port, "INFO", "replication"));
      expect(stats).toContain("master_link_status:up");
      expect(String(await ask(primary.port, "CLIENT", "LIST", "TYPE", "replica"))).toContain("flags=S");
    } finally {
      await replica.stop();
    }
  }, 60_000);

  test("REPLICAOF errors and replies are Redis's", async () => {
    await using srv = await spawnServer(["--workers", "1", "--appendonly", "no"]);
    expect(await ask(srv.port, "REPLICAOF", "127.0.0.1", "x")).toEqual({ error: "ERR Invalid master port" });
    expect(await ask(srv.port, "REPLICAOF", "NO", "ONE")).toBe("OK");
    expect(await ask(srv.port, "REPLCONF", "bogus", "1")).toEqual({ error: "ERR Unrecognized REPLCONF option: bogus" });
    expect(await ask(srv.port, "REPLCONF", "listening-port", "1")).toBe("OK");
    expect(await ask(srv.port, "WAIT", "0", "0")).toBe(0);
  }, 30_000);
});
