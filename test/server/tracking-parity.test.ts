// Client tracking against redis-server 7.0.15: the same conversation (two or three clients, RESP3
// pushes and RESP2 redirects through __redis__:invalidate) run on both, every reply and push compared.
// One worker (--workers 1): keys another worker owns are not tracked yet (see src/commands/tracking.ts).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { REDIS_SERVER, connectWithRetry, startParityPair, type ParityPair } from "../support/redis-parity.ts";
import type { RespValue } from "../support/resp-decode.ts";
import { RawClient } from "../support/server-process.ts";

let pair: ParityPair | undefined;
const isPush = (v: RespValue): v is { push: RespValue[] } => typeof v === "object" && v !== null && "push" in v;

beforeAll(async () => {
  if (REDIS_SERVER === null) return;
  pair = await startParityPair(["--workers", "1"]);
  await connectWithRetry(pair.redisPort).then((c) => c.close());
}, 30000);

afterAll(async () => {
  await pair?.stop();
});

async function hello3(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.command("HELLO", "3");
  return c;
}

/** The whole conversation; returns every reply and push in the order each client got them. */
async function conversation(port: number): Promise<RespValue[]> {
  const out: RespValue[] = [];
  const a = await hello3(port);
  const b = await hello3(port);
  await b.command("FLUSHALL");
  const log = async (c: RawClient, ...argv: string[]): Promise<void> => void out.push(await c.command(...argv));
  const push = async (c: RawClient, n = 1): Promise<void> => void out.push(...(await c.read(n)));
  // Default mode: reads are remembered, a write by anyone invalidates once.
  await log(a, "CLIENT", "TRACKING", "ON");
  await log(a, "GET", "k1");
  await log(a, "MGET", "k2", "k3");
  await log(b, "SET", "k1", "v");
  await push(a);
  await log(b, "SET", "k1", "again"); // forgotten after one invalidation: nothing more
  await log(b, "MSET", "k2", "x", "k3", "y");
  await push(a, 2);
  // Its own write: the reply first, then the push.
  await log(a, "GET", "k2");
  a.sendCommand("SET", "k2", "z");
  await push(a, 2);
  await log(a, "CLIENT", "TRACKINGINFO");
  await log(a, "CLIENT", "GETREDIR");
  // FLUSHALL: a null invalidation, after the reply.
  a.sendCommand("FLUSHALL");
  await push(a, 2);
  // Option errors.
  await log(a, "CLIENT", "TRACKING", "ON", "PREFIX", "p");
  await log(a, "CLIENT", "TRACKING", "ON", "BCAST");
  await log(a, "CLIENT", "TRACKING", "ON", "OPTOUT", "OPTIN");
  await log(a, "CLIENT", "TRACKING", "ON", "REDIRECT", "999999");
  await log(a, "CLIENT", "TRACKING", "ON", "REDIRECT", "x");
  await log(a, "CLIENT", "TRACKING", "ON", "BOGUS");
  await log(a, "CLIENT", "TRACKING", "MAYBE");
  await log(a, "CLIENT", "CACHING", "YES");
  await log(a, "CLIENT", "TRACKING", "OFF");
  await log(a, "CLIENT", "CACHING", "YES");
  await log(a, "CLIENT", "TRACKING", "ON", "BCAST", "OPTIN");
  await log(a, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab", "PREFIX", "abc");
  // BCAST with prefixes: keys under each prefix, collected, sorted, one push per prefix.
  await log(a, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "PREFIX", "obj:");
  await log(a, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "use");
  await log(a, "CLIENT", "TRACKINGINFO");
  await log(b, "MULTI");
  await log(b, "SET", "user:1", "a");
  await log(b, "SET", "obj:2", "b");
  await log(b, "SET", "other", "c");
  await log(b, "SET", "user:0", "d");
  await log(b, "EXEC");
  await push(a, 2);
  // BCAST NOLOOP: not the keys it changed itself.
  await log(a, "CLIENT", "TRACKING", "OFF");
  await log(a, "CLIENT", "TRACKING", "ON", "BCAST", "NOLOOP");
  await log(a, "SET", "mine", "1");
  await log(b, "SET", "theirs", "1");
  await push(a);
  // OPTIN: only after CLIENT CACHING YES, for the next command.
  await log(a, "CLIENT", "TRACKING", "OFF");
  await log(a, "CLIENT", "TRACKING", "ON", "OPTIN");
  await log(a, "GET", "o1");
  await log(a, "CLIENT", "CACHING", "YES");
  await log(a, "CLIENT", "TRACKINGINFO");
  await log(a, "GET", "o2");
  await log(a, "GET", "o3");
  await log(a, "CLIENT", "CACHING", "NO");
  await log(b, "MSET", "o1", "1", "o2", "2", "o3", "3");
  await push(a);
  // OPTOUT: everything but the command after CLIENT CACHING NO.
  await log(a, "CLIENT", "TRACKING", "ON", "OPTIN");
  await log(a, "CLIENT", "TRACKING", "ON", "OPTOUT");
  await log(a, "CLIENT", "TRACKING", "OFF");
  await log(a, "CLIENT", "TRACKING", "ON", "OPTOUT", "NOLOOP");
  await log(a, "CLIENT", "CACHING", "NO");
  await log(a, "GET", "p1");
  await log(a, "GET", "p2");
  await log(a, "SET", "p2", "mine"); // NOLOOP: no push for its own write
  await log(a, "GET", "p2");
  await log(b, "MSET", "p1", "1", "p2", "2");
  await push(a);
  await log(a, "CLIENT", "TRACKING", "OFF");
  // REDIRECT to a RESP2 client subscribed to __redis__:invalidate.
  const sub = await RawClient.connect(port);
  const subId = String(await sub.command("CLIENT", "ID"));
  out.push(await sub.command("SUBSCRIBE", "__redis__:invalidate"));
  const r2 = await RawClient.connect(port);
  await log(r2, "CLIENT", "TRACKING", "ON", "REDIRECT", subId);
  out.push(((await r2.command("CLIENT", "GETREDIR")) as number) === Number(subId));
  await log(r2, "GET", "r1");
  await log(b, "SET", "r1", "1");
  await push(sub);
  await log(r2, "GET", "r1");
  await log(b, "FLUSHDB");
  await push(sub);
  // The redirect client goes away: the tracking client is flagged R (RESP3: a push).
  await log(a, "CLIENT", "TRACKING", "ON", "REDIRECT", subId);
  await log(a, "GET", "r2");
  await log(r2, "GET", "r2");
  out.push(await b.command("CLIENT", "KILL", "ID", subId)); // gone at once, on both servers
  await sub.waitClosed(2000);
  await log(b, "SET", "r2", "gone");
  await push(a);
  await log(a, "CLIENT", "TRACKINGINFO");
  await log(r2, "CLIENT", "TRACKINGINFO");
  const flagsOf = async (c: RawClient): Promise<string> => {
    const line = await c.command("CLIENT", "INFO");
    const s = typeof line === "string" ? line : (line as { verbatim: string }).verbatim;
    return `${/flags=(\S+)/.exec(s)![1]} ${/redir=(\S+)/.exec(s)![1] === subId ? "redir=sub" : /redir=(\S+)/.exec(s)![1]}`;
  };
  out.push(await flagsOf(a));
  await log(a, "CLIENT", "TRACKING", "OFF");
  await log(a, "CLIENT", "TRACKING", "ON", "BCAST");
  out.push(await flagsOf(a));
  await log(a, "CLIENT", "TRACKING", "OFF");
  out.push(await flagsOf(a));
  for (const c of [a, b, r2]) c.close();
  // Client ids differ between the servers: the redirect target's id reads "sub".
  return out.map((v) => (v === Number(subId) ? "sub" : v instanceof Map && v.get("redirect") === Number(subId) ? new Map([...v].map(([k, x]) => [k, x === Number(subId) ? "sub" : x])) : Array.isArray(v) ? v.map((x) => (x === Number(subId) ? "sub" : x)) : isPush(v) ? { push: v.push.map((x) => (x === Number(subId) ? "sub" : x)) } : v));
}

describe("client tracking parity with redis-server 7.0.15", () => {
  test.skipIf(REDIS_SERVER === null)("replies and invalidation pushes match", async () => {
    const theirs = await conversation(pair!.redisPort);
    const ours = await conversation(pair!.ours.port);
    expect(ours).toEqual(theirs);
  }, 60000);
});
