// TLS on --tls-port with certificates the test makes with openssl: redis-cli --tls and ioredis
// with TLS, client certificates required (tls-auth-clients yes: refused without one), optional and
// off, a plaintext client on the TLS port dropped, the plain port still serving beside it, and a
// missing certificate file stopping start-up with its parameter named. Two workers share the port.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { freePort } from "../support/redis-parity.ts";
import { RawClient, runToExit, spawnServer, BUN } from "../support/server-process.ts";

const OPENSSL = Bun.which("openssl");
const REDIS_CLI = Bun.which("redis-cli");
const dir = mkdtempSync(join(tmpdir(), "fc-tls-"));
const f = (name: string): string => join(dir, name);

function openssl(...args: string[]): void {
  const r = Bun.spawnSync([OPENSSL!, ...args], { stderr: "pipe", timeout: 20_000 });
  if (r.exitCode !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr.toString()}`);
}

beforeAll(() => {
  if (!OPENSSL) return console.log("notice: openssl not installed; skipping the TLS tests");
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.crt"), "-days", "2", "-subj", "/CN=fc-test-ca");
  writeFileSync(f("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  for (const who of ["server", "client"]) {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f(`${who}.key`), "-out", f(`${who}.csr`), "-subj", `/CN=${who}`);
    openssl("x509", "-req", "-in", f(`${who}.csr`), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f(`${who}.crt`), "-days", "2",
      ...(who === "server" ? ["-extfile", f("ext.cnf")] : []));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tlsArgs = (port: number, auth: string): string[] => [
  "--appendonly", "no", "--tls-port", String(port), "--tls-cert-file", f("server.crt"), "--tls-key-file", f("server.key"),
  "--tls-ca-cert-file", f("ca.crt"), "--tls-auth-clients", auth,
];

async function cli(port: number, withCert: boolean, ...cmd: string[]): Promise<string> {
  const r = await runToExit([REDIS_CLI!, "--tls", "--cacert", f("ca.crt"), ...(withCert ? ["--cert", f("client.crt"), "--key", f("client.key")] : []), "-p", String(port), ...cmd], 10_000);
  return (r.stdout + r.stderr).trim();
}

describe.skipIf(!OPENSSL)("TLS", () => {
  test("client certificates required: refused without one, served with one (redis-cli and ioredis)", async () => {
    const port = freePort();
    await using srv = await spawnServer(tlsArgs(port, "yes"));
    if (REDIS_CLI) {
      expect(await cli(port, true, "set", "k", "over-tls")).toBe("OK");
      expect(await cli(port, false, "ping")).not.toContain("PONG");
    } else console.log("notice: redis-cli not installed; checking TLS with ioredis only");
    const r = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null,
      tls: { ca: await Bun.file(f("ca.crt")).text(), cert: await Bun.file(f("client.crt")).text(), key: await Bun.file(f("client.key")).text() } });
    await r.connect();
    try {
      await r.set("io", "redis");
      expect(await r.get("io")).toBe("redis");
      if (REDIS_CLI) expect(await r.get("k")).toBe("over-tls");
    } finally {
      r.disconnect();
    }
    // The plain port serves beside it, the same data.
    const plain = await RawClient.connect(srv.port);
    plain.sendCommand("get", "io");
    expect(await plain.read(1)).toEqual(["redis"]);
    plain.close();
  });

  test("a plaintext client on the TLS port gets no RESP reply and is dropped", async () => {
    const port = freePort();
    await using _srv = await spawnServer(tlsArgs(port, "no"));
    const { promise, resolve } = Promise.withResolvers<string>();
    let got = "";
    const s = await Bun.connect({ hostname: "127.0.0.1", port, socket: {
      data: (_s, d) => void (got += Buffer.from(d).toString("latin1")),
      close: () => resolve(got),
      error: () => resolve(got),
    } });
    s.write("*1\r\n$4\r\nPING\r\n");
    const timer = setTimeout(() => { s.end(); resolve(got); }, 5000);
    const reply = await promise;
    clearTimeout(timer);
    expect(reply).not.toContain("+PONG");
  });

  test.skipIf(!REDIS_CLI)("tls-auth-clients optional and no: a client without a certificate is served", async () => {
    for (const auth of ["optional", "no"]) {
      const port = freePort();
      await using _srv = await spawnServer(tlsArgs(port, auth));
      expect(await cli(port, false, "ping")).toBe("PONG");
    }
  });

  test("a missing certificate file stops start-up naming the parameter", async () => {
    const r = await runToExit([BUN, "src/cli.ts", "--port", "0", "--workers", "1", "--appendonly", "no", "--tls-port", String(freePort()),
      "--tls-cert-file", f("nope.crt"), "--tls-key-file", f("server.key"), "--tls-auth-clients", "no"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cannot read tls-cert-file");
  });
});
