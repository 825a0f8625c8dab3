// Geo over two workers: GEOSEARCHSTORE and GEORADIUS[BYMEMBER] STORE/STOREDIST with the source on
// one worker and the destination on the other answer as one server would (their key specs and
// STORE keywords route them), and on a Redis Cluster port keys of different slots get -CROSSSLOT.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { keyHashSlot } from "../../src/cluster/slots.ts";
import { clusterPortsOf } from "../cluster/helpers.ts";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";

const owner = (key: string): number => (keyHashSlot(new TextEncoder().encode(key)) < 8192 ? 0 : 1);
function namesOn(w: number, count: number, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) if (owner(`${prefix}${i}`) === w) out.push(`${prefix}${i}`);
  return out;
}

const SICILY = ["13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania", "12.758489", "38.788135", "edge1"];

describe("geo with two workers", () => {
  let srv: ServerProcess;
  let ports: number[] = [];
  beforeAll(async () => {
    srv = await spawnServer(["--workers", "2", "--cluster-ports", "yes"]);
    ports = clusterPortsOf(srv.stdout());
  });
  afterAll(async () => {
    expect(await srv?.stop()).toBe(0);
  });

  test("GEOSEARCHSTORE and GEORADIUS STORE/STOREDIST with source and destination on different workers", async () => {
    const c = await RawClient.connect(srv.port);
    const [src] = namesOn(0, 1, "gs");
    const [d1, d2, d3] = namesOn(1, 3, "gd");
    expect(await c.command("geoadd", src!, ...SICILY)).toBe(3);
    expect(await c.command("geosearchstore", d1!, src!, "fromlonlat", "15", "37", "byradius", "200", "km", "storedist")).toBe(2);
    expect(await c.command("zrange", d1!, "0", "-1", "withscores")).toEqual(["Catania", "56.441257870158204", "Palermo", "190.44242984775784"]);
    expect(await c.command("georadius", src!, "15", "37", "200", "km", "store", d2!)).toBe(2);
    expect(await c.command("zrange", d2!, "0", "-1", "withscores")).toEqual(["Palermo", "3479099956230698", "Catania", "3479447370796909"]);
    expect(await c.command("georadiusbymember", src!, "Palermo", "100", "km", "storedist", d3!, "desc", "count", "1")).toBe(1);
    expect(await c.command("zrange", d3!, "0", "-1")).toEqual(["edge1"]);
    // An empty result deletes the destination on the other worker.
    expect(await c.command("geosearchstore", d1!, src!, "fromlonlat", "-100", "0", "byradius", "1", "km")).toBe(0);
    expect(await c.command("exists", d1!)).toBe(0);
    expect(await c.command("georadius", `nokey{${d2}}`, "15", "37", "200", "km", "store", d2!)).toBe(0);
    expect(await c.command("exists", d2!)).toBe(0);
    // Read-only searches route by their one key.
    expect(await c.command("geosearch", src!, "frommember", "Palermo", "byradius", "100", "km", "asc")).toEqual(["Palermo", "edge1"]);
    c.close();
  });

  test("a cluster port answers -CROSSSLOT for a destination in another slot", async () => {
    const c = await RawClient.connect(ports[0]!);
    const [k] = namesOn(0, 1, "ck");
    const [other] = namesOn(1, 1, "ck");
    expect(await c.command("geoadd", k!, ...SICILY)).toBe(3);
    expect(await c.command("geosearchstore", `{${k}}d`, k!, "frommember", "Palermo", "byradius", "100", "km")).toBe(2);
    const crossslot = { error: "CROSSSLOT Keys in request don't hash to the same slot" };
    expect(await c.command("geosearchstore", other!, k!, "frommember", "Palermo", "byradius", "100", "km")).toEqual(crossslot);
    expect(await c.command("georadius", k!, "15", "37", "200", "km", "store", other!)).toEqual(crossslot);
    expect(await c.command("georadiusbymember", k!, "Palermo", "100", "km", "storedist", other!)).toEqual(crossslot);
    c.close();
  });
});
