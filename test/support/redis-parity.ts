// Shared pieces of the parity tests: a redis-server 7.0.15 and our server side by side, the same
// command script run on both over RESP2 or RESP3, and the replies compared one by one.
// Callers skip when redis-server is not installed (REDIS_SERVER undefined) and say so.
import type { Subprocess } from "bun";
import type { RespValue } from "./resp-decode.ts";
import { RawClient, spawnServer, type ServerProcess } from "./server-process.ts";

export const REDIS_SERVER = Bun.which("redis-server");

/** A free loopback port (redis-server cannot bind port 0 and report it). */
export function freePort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

/** Connects to `port`, retrying while the server starts (bounded). */
export async function connectWithRetry(port: number, timeoutMs = 10000): Promise<RawClient> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await RawClient.connect(port);
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await Bun.sleep(20);
    }
  }
}

export interface ParityPair {
  redisPort: number;
  ours: ServerProcess;
  stop(): Promise<void>;
}

export async function startParityPair(ourArgs: string[] = []): Promise<ParityPair> {
  const redisPort = freePort();
  const redis: Subprocess = Bun.spawn([REDIS_SERVER!, "--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdout: "ignore",
    stderr: "ignore",
  });
  const ours = await spawnServer(ourArgs);
  return {
    redisPort,
    ours,
    async stop() {
      redis.kill("SIGKILL");
      await redis.exited;
      await ours.stop();
    },
  };
}

/** Maps a reply before comparison (e.g. sorts a set's members, whose order differs by encoding). */
export type ReplyNormalizer = (argv: readonly string[], reply: RespValue) => RespValue;

/** Runs `script` ("#flush" empties the server) and returns every reply. */
export async function runScript(c: RawClient, script: readonly string[][], resp: 2 | 3, normalize?: ReplyNormalizer): Promise<RespValue[]> {
  if (resp === 3) {
    c.sendCommand("hello", "3");
    await c.read(1);
  }
  const out: RespValue[] = [];
  for (const argv of script) {
    c.sendCommand(...(argv[0] === "#flush" ? ["flushall"] : argv));
    const [reply] = await c.read(1);
    out.push(normalize !== undefined ? normalize(argv, reply!) : reply!);
  }
  return out;
}

/** The script's differing replies, one line each (empty when identical). */
export async function parityDiffs(pair: ParityPair, script: readonly string[][], resp: 2 | 3, normalize?: ReplyNormalizer): Promise<string[]> {
  const ref = await connectWithRetry(pair.redisPort);
  const mine = await RawClient.connect(pair.ours.port);
  try {
    const want = await runScript(ref, script, resp, normalize);
    const got = await runScript(mine, script, resp, normalize);
    const diffs: string[] = [];
    for (let i = 0; i < script.length; i++) {
      if (!Bun.deepEquals(got[i], want[i])) diffs.push(`#${i} ${JSON.stringify(script[i])}: ours ${Bun.inspect(got[i])} redis ${Bun.inspect(want[i])}`);
    }
    return diffs;
  } finally {
    ref.close();
    mine.close();
  }
}
