// TLS settings changed at run time, with certificates the test makes with openssl: CONFIG SET of
// tls-cert-file / tls-key-file serves the new certificate to new connections on every worker while
// open ones go on; tls-protocols and tls-ciphers limit what the handshake accepts (at start and by
// CONFIG SET); Redis's error for an unknown protocol; redis-cli --tls after a reload.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WalStreamReader, type StreamItem } from "../../src/export/index.ts";
import { freePort } from "../support/redis-parity.ts";
import { RawClient, runToExit, spawnServer } from "../support/server-process.ts";

const OPENSSL = Bun.which("openssl");
const REDIS_CLI = Bun.which("redis-cli");
const dir = mkdtempSync(join(tmpdir(), "fc-tls-reload-"));
const f = (name: string): string => join(dir, name);

function openssl(...args: string[]): void {
  const r = Bun.spawnSync([OPENSSL!, ...args], { stderr: "pipe", timeout: 20_000 });
  if (r.exitCode !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr.toString()}`);
}

beforeAll(() => {
  if (!OPENSSL) return console.log("notice: openssl not installed; skipping the TLS reload tests");
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.crt"), "-days", "2", "-subj", "/CN=fc-test-ca");
  writeFileSync(f("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  for (const who of ["server-a", "server-b"]) {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f(`${who}.key`), "-out", f(`${who}.csr`), "-subj", `/CN=${who}`);
    openssl("x509", "-req", "-in", f(`${who}.csr`), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f(`${who}.crt`), "-days", "2", "-extfile", f("ext.cnf"));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One openssl s_client handshake (bounded): its combined output. */
async function handshake(port: number, ...args: string[]): Promise<string> {
  const p = Bun.spawn([OPENSSL!, "s_client", "-connect", `127.0.0.1:${port}`, "-CAfile", f("ca.crt"), ...args], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  p.stdin.end();
  const timer = setTimeout(() => p.kill("SIGKILL"), 5000);
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  await p.exited;
  clearTimeout(timer);
  return out + err;
}

/** The CN of the certificate the server presents, or "none" when the handshake failed. */
async function peerName(port: number, ...args: string[]): Promise<string> {
  const text = await handshake(port, ...args);
  return /subject=\s*CN\s*=\s*([\w-]+)/.exec(text)?.[1] ?? "none";
}

const start = (port: number, extra: string[] = []) =>
  spawnServer(["--appendonly", "no", "--tls-port", String(port), "--tls-cert-file", f("server-a.crt"), "--tls-key-file", f("server-a.key"), "--tls-auth-clients", "no", ...extra]);

describe.skipIf(!OPENSSL)("TLS reload", () => {
  test("CONFIG SET tls-cert-file/tls-key-file: new connections on every worker get the new certificate, open ones go on", async () => {
    const port = freePort();
    await using srv = await start(port);
    expect(await peerName(port)).toBe("server-a");
    // A connection opened before the reload.
    const { promise: opened, resolve } = Promise.withResolvers<void>();
    let got = "";
    const before = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      tls: { ca: await Bun.file(f("ca.crt")).text(), serverName: "localhost" },
      socket: { open: () => resolve(), data: (_s, d) => void (got += d.toString()), handshake: () => resolve() },
    });
    await opened;
    const c = await RawClient.connect(srv.port);
    expect(await c.command("config", "set", "tls-cert-file", f("server-b.crt"), "tls-key-file", f("server-b.key"))).toBe("OK");
    expect(await c.command("config", "get", "tls-cert-file")).toEqual(["tls-cert-file", f("server-b.crt")]);
    c.close();
    for (let i = 0; i < 4; i++) expect(await peerName(port)).toBe("server-b"); // both workers' listeners
    before.write("*1\r\n$4\r\nPING\r\n");
    const deadline = Date.now() + 5000;
    while (!got.includes("PONG") && Date.now() < deadline) await Bun.sleep(10);
    expect(got).toBe("+PONG\r\n");
    before.end();
    if (REDIS_CLI) {
      const r = await runToExit([REDIS_CLI, "--tls", "--cacert", f("ca.crt"), "-p", String(port), "ping"], 10_000);
      expect(r.stdout.trim()).toBe("PONG");
    }
  });

  test("a certificate that cannot be read keeps the previous one", async () => {
    const port = freePort();
    await using srv = await start(port);
    const c = await RawClient.connect(srv.port);
    expect(await c.command("config", "set", "tls-cert-file", f("missing.crt"))).toBe("OK");
    c.close();
    expect(await peerName(port)).toBe("server-a");
    expect(srv.stdout() + srv.stderr()).toContain("TLS configuration not reloaded");
  });

  test("tls-protocols and tls-ciphers: at start, by CONFIG SET, and Redis's error for an unknown protocol", async () => {
    const port = freePort();
    await using srv = await start(port, ["--tls-protocols", "TLSv1.2", "--tls-ciphers", "ECDHE-RSA-AES128-GCM-SHA256"]);
    expect(await peerName(port, "-tls1_3")).toBe("none");
    expect(await handshake(port, "-tls1_2")).toContain("ECDHE-RSA-AES128-GCM-SHA256");
    expect(await peerName(port, "-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384")).toBe("none");
    const c = await RawClient.connect(srv.port);
    try {
      expect(await c.command("config", "get", "tls-protocols")).toEqual(["tls-protocols", "TLSv1.2"]);
      expect(await c.command("config", "set", "tls-protocols", "TLSv1.4")).toEqual({
        error: "ERR CONFIG SET failed (possibly related to argument 'tls-protocols') - Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.",
      });
      expect(await c.command("config", "set", "tls-protocols", "TLSv1.3", "tls-ciphers", "")).toBe("OK");
      expect(await peerName(port, "-tls1_3")).toBe("server-a");
      expect(await peerName(port, "-tls1_2")).toBe("none");
      expect(await c.command("config", "set", "tls-protocols", "")).toBe("OK"); // default: TLSv1.2 and TLSv1.3
      expect(await peerName(port, "-tls1_2")).toBe("server-a");
      expect(((await c.command("config", "set", "tls-ciphersuites", "TLS_AES_128_GCM_SHA256")) as { error: string }).error).toContain("tls-ciphersuites");
    } finally {
      c.close();
    }
  });

  test("--wal-export-tls: subscribers get the WAL stream over TLS; a plaintext one gets nothing", async () => {
    const exportPort = freePort();
    await using srv = await spawnServer(["--workers", "1", "--appendonly", "yes", "--wal-export", "listen", "--wal-export-addr", `127.0.0.1:${exportPort}`,
      "--wal-export-tls", "yes", "--tls-cert-file", f("server-a.crt"), "--tls-key-file", f("server-a.key"), "--tls-auth-clients", "no"]);
    expect(srv.stdout() + srv.stderr()).toContain("TLS");
    const keys: string[] = [];
    const reader = new WalStreamReader();
    const onItem = (item: StreamItem): void => {
      if (item.kind === "fcw4") keys.push(new TextDecoder().decode(item.frame.key));
    };
    const sub = await Bun.connect({
      hostname: "127.0.0.1",
      port: exportPort,
      tls: { ca: await Bun.file(f("ca.crt")).text(), serverName: "localhost" },
      socket: { binaryType: "uint8array", data: (_s, chunk) => reader.feed(chunk, onItem) },
    });
    let plainBytes = 0;
    const plain = await Bun.connect({ hostname: "127.0.0.1", port: exportPort, socket: { data: (_s, d) => void (plainBytes += d.length) } });
    plain.write("\n");
    await Bun.sleep(200); // the stream starts after its optional FROM line wait
    const c = await RawClient.connect(srv.port);
    expect(await c.command("set", "over-tls", "1")).toBe("OK");
    c.close();
    const deadline = Date.now() + 5000;
    while (!keys.includes("over-tls") && Date.now() < deadline) await Bun.sleep(10);
    expect(keys).toContain("over-tls");
    expect(plainBytes).toBeLessThan(100); // at most a TLS alert, never frames
    sub.end();
    plain.end();
  });
});
