// Geo indexes survive SIGKILL and restarts: GEOADD (with NX/XX/CH moves), GEOSEARCHSTORE and
// GEORADIUS STORE/STOREDIST results (listpack and skiplist), journaled in the WAL with a snapshot
// taken in the middle; after recovery the scores, positions, hashes and search replies equal the
// ones before, and a second restart changes nothing.
import { expect, test } from "bun:test";
import { readdirSync, rmSync } from "node:fs";
import { kill9, pipeline, serverOn, waitFor } from "../persistence/e2e-helpers.ts";
import { RawClient, tempDataDir } from "../support/server-process.ts";

const KEYS = ["cities", "grid", "near", "dist", "box"];

async function state(port: number): Promise<unknown[]> {
  const cmds: string[][] = [];
  for (const k of KEYS) cmds.push(["zrange", k, "0", "-1", "withscores"], ["object", "encoding", k]);
  cmds.push(
    ["geopos", "cities", "Palermo", "Rome", "Paris", "pt1"], ["geohash", "cities", "Palermo", "Rome", "Paris"], ["geodist", "cities", "Rome", "Paris", "km"],
    ["geosearch", "grid", "fromlonlat", "10", "47", "byradius", "100", "km", "withdist", "withhash", "withcoord", "asc"],
  );
  return pipeline(port, cmds);
}

test("geo sets and STORE results after SIGKILL and restart equal the state before (WAL and a snapshot)", async () => {
  const dir = tempDataDir();
  try {
    const srv = await serverOn(dir, ["--appendfsync", "always", "--snapshot-every-seconds", "0"]);
    const grid = ["geoadd", "grid"];
    for (let i = 0; i < 300; i++) grid.push((10 + Math.cos(i) * i * 0.01).toFixed(6), (47 + Math.sin(i) * i * 0.006).toFixed(6), `pt${i}`);
    await pipeline(srv.port, [["geoadd", "cities", "13.361389", "38.115556", "Palermo", "12.496366", "41.902782", "Rome", "2.352222", "48.856613", "Paris"], grid]);
    const c = await RawClient.connect(srv.port);
    expect(await c.command("bgsave")).toBe("Background saving started");
    await waitFor(() => readdirSync(dir).some((n) => n.endsWith(".fcs")), 15000, "the snapshot file");
    c.close();
    const replies = await pipeline(srv.port, [
      ["geoadd", "cities", "xx", "ch", "12.5", "41.9", "Rome", "0", "0", "Nowhere"], ["geoadd", "cities", "nx", "1", "1", "Paris", "10", "47", "pt1"],
      ["geosearchstore", "near", "grid", "fromlonlat", "10", "47", "byradius", "500", "km"], ["georadius", "grid", "10", "47", "20", "km", "storedist", "dist", "desc", "count", "50"],
      ["geosearchstore", "box", "grid", "frommember", "pt0", "bybox", "40", "20", "km", "storedist"], ["zrem", "grid", "pt2", "pt3"],
    ]);
    expect(replies.slice(0, 3)).toEqual([1, 1, 300]);
    const before = await state(srv.port);
    expect(before[3]).toBe("skiplist"); // grid
    expect(before[5]).toBe("skiplist"); // near: 300 members
    await kill9(srv);

    const again = await serverOn(dir, ["--appendfsync", "always"]);
    expect(await state(again.port)).toEqual(before);
    expect(await again.stop()).toBe(0);
    const third = await serverOn(dir);
    try {
      expect(await state(third.port)).toEqual(before);
    } finally {
      await third.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 90000);
