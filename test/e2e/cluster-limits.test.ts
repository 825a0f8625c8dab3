// Issue 19: maxclients and maxmemory are for the whole server. With 2 workers, --maxclients 1000
// admitted 2,000 clients and --maxmemory 50mb held about 100 MB, while INFO showed one worker.
import { expect, test } from "bun:test";
import { RawClient, spawnServer } from "../support/server-process.ts";
import type { RespValue } from "../support/resp-decode.ts";
import { infoField } from "../cluster/helpers.ts";

const MAX_CLIENTS_ERR = { error: "ERR max number of clients reached" };

/** Connects and sends PING: the client when admitted, else the refusal it got. */
async function tryClient(port: number): Promise<RawClient | RespValue> {
  const c = await RawClient.connect(port);
  c.sendCommand("PING");
  const [reply] = await c.read(1);
  if (reply === "PONG") return c;
  c.close();
  return reply!;
}

test("maxclients 10 over two workers admits 10, refuses the 11th, and a freed place or CONFIG SET makes room", async () => {
  await using srv = await spawnServer(["--workers", "2", "--maxclients", "10"], { timeoutMs: 20000 });
  const admitted: RawClient[] = [];
  for (let i = 0; i < 10; i++) {
    const c = await tryClient(srv.port);
    expect(c).toBeInstanceOf(RawClient);
    admitted.push(c as RawClient);
  }
  expect(await tryClient(srv.port)).toEqual(MAX_CLIENTS_ERR);
  // INFO counts the clients of both workers; both workers' clients are really there.
  const info = String(await admitted[0]!.command("INFO", "clients"));
  expect(infoField(info, "connected_clients")).toBe("10");
  expect(infoField(info, "maxclients")).toBe("10");

  // One leaves: its place can go to a newcomer, whichever worker takes it.
  admitted.pop()!.close();
  await admitted[0]!.command("PING");
  let back: RawClient | RespValue = MAX_CLIENTS_ERR;
  for (let i = 0; i < 20 && !(back instanceof RawClient); i++) back = await tryClient(srv.port);
  expect(back).toBeInstanceOf(RawClient);
  admitted.push(back as RawClient);
  expect(await tryClient(srv.port)).toEqual(MAX_CLIENTS_ERR);

  // CONFIG SET on one connection is for the whole server.
  expect(await admitted[0]!.command("CONFIG", "SET", "maxclients", "12")).toBe("OK");
  for (let i = 0; i < 2; i++) {
    const c = await tryClient(srv.port);
    expect(c).toBeInstanceOf(RawClient);
    admitted.push(c as RawClient);
  }
  expect(await tryClient(srv.port)).toEqual(MAX_CLIENTS_ERR);
  expect(infoField(String(await admitted[11]!.command("INFO", "clients")), "connected_clients")).toBe("12");
  for (const c of admitted) c.close();
}, 60000);

/** SETs 1 KB values in pipelined batches until a whole batch is refused with -OOM; keys written. */
async function fillUntilOom(c: RawClient, prefix: string): Promise<number> {
  const value = "v".repeat(1000);
  let stored = 0;
  for (let batch = 0; batch < 2000; batch++) {
    let cmds = "";
    for (let i = 0; i < 100; i++) {
      const k = `${prefix}:${batch}:${i}`;
      cmds += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$1000\r\n${value}\r\n`;
    }
    c.send(cmds);
    const replies = await c.read(100, 20000);
    let oom = 0;
    for (const r of replies) {
      if (r === "OK") stored++;
      else {
        expect(r).toEqual({ error: "OOM command not allowed when used memory > 'maxmemory'." });
        oom++;
      }
    }
    if (oom === 100) return stored;
  }
  throw new Error("never out of memory");
}

test("maxmemory over two workers holds at most maxmemory (plus a small margin), -OOM under noeviction, INFO shows the sums", async () => {
  const MB = 1024 * 1024;
  await using srv = await spawnServer(["--workers", "2", "--maxmemory", "4mb", "--maxmemory-policy", "noeviction"], { timeoutMs: 20000 });
  const c = await RawClient.connect(srv.port);
  const stored = await fillUntilOom(c, "a");
  const mem = String(await c.command("INFO", "memory"));
  const dataset = Number(infoField(mem, "used_memory_dataset"));
  expect(infoField(mem, "maxmemory")).toBe(String(4 * MB));
  // The margin: one write per worker past its share (here a batch of 1 KB values) and the
  // moments shares move; 5% of the limit covers them.
  expect(dataset).toBeLessThanOrEqual(4 * MB * 1.05);
  // Both workers' data is counted (and the server did fill up, not one worker's half).
  expect(dataset).toBeGreaterThanOrEqual(stored * 1000);
  expect(dataset).toBeGreaterThan(4 * MB * 0.4); // maxmemory counts allocated memory and buffers too
  expect(Number(await c.command("DBSIZE"))).toBe(stored);

  // CONFIG SET maxmemory on one connection raises every worker's share.
  expect(await c.command("CONFIG", "SET", "maxmemory", "8mb")).toBe("OK");
  const other = await RawClient.connect(srv.port);
  expect(await other.command("CONFIG", "GET", "maxmemory")).toEqual(["maxmemory", String(8 * MB)]);
  const more = await fillUntilOom(c, "b");
  expect(more).toBeGreaterThan(0);
  const after = Number(infoField(String(await other.command("INFO", "memory")), "used_memory_dataset"));
  expect(after).toBeLessThanOrEqual(8 * MB * 1.05);
  expect(after).toBeGreaterThan(8 * MB * 0.4);
  c.close();
  other.close();
}, 60000);
