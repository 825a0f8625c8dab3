// Redis 7.0.15's smaller protocol quirks (issue 19), byte for byte: the same raw bytes go to a
// real redis-server and to our server, and both must answer the same bytes and close (or not)
// the same way. The redis-server half is skipped, with a notice, when it is not installed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { networkInterfaces } from "node:os";
import { spawnServer, type ServerProcess } from "../support/server-process.ts";

const REDIS_SERVER = Bun.which("redis-server");
const PASS = "quirks-pw";
/** Appended to cases that leave the connection open, so we know when the answer is complete. */
const END = "ECHO quirks-end\r\n";
const END_REPLY = "$10\r\nquirks-end\r\n";
const WAIT_MS = 10000;

/** A local non-loopback IPv4 address (for protected mode), if the machine has one. */
const OUTSIDE_IP = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === "IPv4" && !a.internal)?.address;

interface Exchange {
  text: string;
  /** The peer ended with FIN (our `close` ran without an `error`). */
  closed: boolean;
  reset: boolean;
}

/**
 * Sends `bytes` and collects the answer until `done(text)` holds or the server closes (bounded).
 */
async function exchange(host: string, port: number, bytes: string, done: (text: string) => boolean): Promise<Exchange> {
  const dec = new TextDecoder("latin1");
  let text = "";
  let reset = false;
  const finished = Promise.withResolvers<boolean>();
  const socket = await Bun.connect({
    hostname: host,
    port,
    socket: {
      data(_s, chunk) {
        text += dec.decode(chunk);
        if (done(text)) finished.resolve(false);
      },
      close: () => finished.resolve(true),
      error: () => {
        reset = true;
        finished.resolve(true);
      },
    },
  });
  if (bytes.length > 0) socket.write(bytes);
  const timer = setTimeout(() => finished.reject(new Error(`no end after ${WAIT_MS} ms; got ${JSON.stringify(text)}`)), WAIT_MS);
  const closed = await finished.promise;
  clearTimeout(timer);
  socket.end();
  return { text, closed: closed && !reset, reset };
}

/** A case that leaves the connection open ends with END (after AUTH when the server needs it). */
function openCase(host: string, port: number, bytes: string, auth: boolean): Promise<Exchange> {
  const tail = (auth ? `AUTH ${PASS}\r\n` : "") + END;
  return exchange(host, port, bytes + tail, (t) => t.endsWith(END_REPLY));
}

/** A case the server answers by closing. */
const closingCase = (host: string, port: number, bytes: string): Promise<Exchange> => exchange(host, port, bytes, () => false);

/** A free loopback port (redis-server cannot bind port 0 and report it). */
function freePort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

/** Starts redis-server and waits (bounded) for its ready line. */
async function startRedis(args: string[]): Promise<{ proc: Subprocess<"ignore", "pipe", "ignore">; port: number }> {
  const port = freePort();
  const proc = Bun.spawn([REDIS_SERVER!, "--port", String(port), "--save", "", "--appendonly", "no", ...args], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "ignore",
  });
  const ready = (async () => {
    let out = "";
    for await (const chunk of proc.stdout) {
      out += new TextDecoder().decode(chunk);
      if (out.includes("Ready to accept connections")) return;
    }
    throw new Error(`redis-server exited: ${out}`);
  })();
  const timeout = Bun.sleep(WAIT_MS).then(() => {
    throw new Error("redis-server did not get ready");
  });
  await Promise.race([ready, timeout]);
  return { proc, port };
}

interface Pair {
  ours: ServerProcess;
  redis?: { proc: Subprocess<"ignore", "pipe", "ignore">; port: number };
}
let open: Pair;
let locked: Pair;

beforeAll(async () => {
  if (!REDIS_SERVER) console.warn("redis-quirks: redis-server not installed; checking our server against the recorded Redis bytes only");
  const bind = OUTSIDE_IP === undefined ? ["--bind", "127.0.0.1"] : ["--bind", `127.0.0.1 ${OUTSIDE_IP}`];
  [open, locked] = await Promise.all([
    (async (): Promise<Pair> => ({
      ours: await spawnServer(["--bind", "0.0.0.0"]),
      redis: REDIS_SERVER ? await startRedis(bind) : undefined,
    }))(),
    (async (): Promise<Pair> => ({
      ours: await spawnServer(["--requirepass", PASS]),
      redis: REDIS_SERVER ? await startRedis(["--bind", "127.0.0.1", "--requirepass", PASS]) : undefined,
    }))(),
  ]);
}, 30000);

afterAll(async () => {
  for (const p of [open, locked]) {
    p?.redis?.proc.kill("SIGKILL");
    await p?.redis?.proc.exited;
    await p?.ours.stop();
  }
});

/** Runs `run` against both servers of `pair`; expects identical results, and `want` from ours. */
async function same(pair: Pair, run: (port: number) => Promise<Exchange>, want: Partial<Exchange>): Promise<void> {
  const ours = await run(pair.ours.port);
  expect(ours).toMatchObject(want);
  if (pair.redis !== undefined) expect(ours).toEqual(await run(pair.redis.port));
}

describe("matches redis-server 7.0.15 byte for byte", () => {
  test("the two bytes after bulk data are skipped unchecked; what follows parses on", async () => {
    const run = (bytes: string) => (port: number) => openCase("127.0.0.1", port, bytes, false);
    await same(open, run("*1\r\n$4\r\nPINGxx\r\n"), { text: `+PONG\r\n${END_REPLY}`, closed: false });
    await same(open, run("*1\r\n$4\r\nPINGx\r\nPING\r\n"), { text: `+PONG\r\n+PONG\r\n${END_REPLY}`, closed: false });
    await same(open, run("*1\r\n$4\r\nPINGxxxx\r\n"), {
      text: `+PONG\r\n-ERR unknown command 'xx', with args beginning with: \r\n${END_REPLY}`,
      closed: false,
    });
  });

  test("a multibulk count above 1,048,576 is accepted and waits for its elements", async () => {
    // Nothing is answered for the count itself; a bad bulk header then ends the command.
    const bytes = "*2000000\r\n$1\r\na\r\n$-5\r\n";
    await same(open, (port) => closingCase("127.0.0.1", port, bytes), {
      text: "-ERR Protocol error: invalid bulk length\r\n",
      closed: true,
    });
    await same(open, (port) => closingCase("127.0.0.1", port, "*2147483648\r\n"), {
      text: "-ERR Protocol error: invalid multibulk length\r\n",
      closed: true,
    });
  });

  test("before AUTH a large multibulk count is an unauthenticated multibulk length", async () => {
    for (const bytes of ["*2000000\r\n", "*11\r\n"]) {
      await same(locked, (port) => closingCase("127.0.0.1", port, bytes), {
        text: "-ERR Protocol error: unauthenticated multibulk length\r\n",
        closed: true,
      });
    }
  });

  test.skipIf(OUTSIDE_IP === undefined)("protected mode: the DENIED text in full, then FIN", async () => {
    const run = (port: number) => closingCase(OUTSIDE_IP!, port, "");
    await same(open, run, { closed: true, reset: false });
    const ours = await run(open.ours.port);
    expect(ours.text).toContain("4) Setup a an authentication password for the default user. ");
  });

  test("EXEC refused before AUTH answers EXECABORT naming the NOAUTH", async () => {
    await same(locked, (port) => openCase("127.0.0.1", port, "MULTI\r\nPING\r\nEXEC\r\n", true), {
      text:
        "-NOAUTH Authentication required.\r\n-NOAUTH Authentication required.\r\n" +
        "-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n+OK\r\n" +
        END_REPLY,
      closed: false,
    });
  });

  test("EXEC with extra arguments discards the transaction with EXECABORT", async () => {
    await same(open, (port) => openCase("127.0.0.1", port, "MULTI\r\nSET a b\r\nEXEC x\r\nEXEC\r\n", false), {
      text:
        "+OK\r\n+QUEUED\r\n-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n" +
        `-ERR EXEC without MULTI\r\n${END_REPLY}`,
      closed: false,
    });
  });

  test("HELLO before AUTH, and HELLO with a wrong password", async () => {
    await same(locked, (port) => openCase("127.0.0.1", port, "HELLO 3\r\nHELLO 3 AUTH default wrong\r\n", true), {
      text:
        "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> " +
        "option can be used to authenticate the client and select the RESP protocol version at the same time\r\n" +
        `-WRONGPASS invalid username-password pair or user is disabled.\r\n+OK\r\n${END_REPLY}`,
      closed: false,
    });
  });
});
