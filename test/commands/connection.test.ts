import { describe, expect, test } from "bun:test";
import { createHarness } from "../support/command-harness.ts";

const enc = new TextEncoder();

describe("PING and ECHO", () => {
  test("PING answers PONG, or echoes its message as a bulk string", () => {
    const h = createHarness();
    expect(h.runRaw(["ping"])).toEqual(enc.encode("+PONG\r\n"));
    expect(h.runRaw(["PING", "hi there"])).toEqual(enc.encode("$8\r\nhi there\r\n"));
    expect(h.run(["ping", "a", "b"])).toEqual({ error: "ERR wrong number of arguments for 'ping' command" });
  });

  test("ECHO returns its argument byte for byte and needs exactly one", () => {
    const h = createHarness({ decode: { buffers: true } });
    const bin = new Uint8Array([0, 255, 13, 10]);
    expect(h.run(["echo", bin])).toEqual(bin);
    expect(h.run(["echo"])).toEqual({ error: "ERR wrong number of arguments for 'echo' command" });
  });
});

describe("HELLO", () => {
  test("HELLO 3 switches to RESP3 and replies with the server map", () => {
    const h = createHarness();
    const raw = new TextDecoder().decode(h.runRaw(["hello", "3"]));
    expect(raw.startsWith("%7\r\n")).toBe(true);
    expect(h.client.reply.resp).toBe(3);
    expect(h.run(["hello"])).toEqual(
      new Map<unknown, unknown>([
        ["server", "redis"],
        ["version", "7.0.15"],
        ["proto", 3],
        ["id", h.client.id],
        ["mode", "standalone"],
        ["role", "master"],
        ["modules", []],
      ]) as never,
    );
  });

  test("HELLO 2 answers a flat array and goes back to RESP2", () => {
    const h = createHarness({ resp: 3 });
    const reply = h.run(["hello", "2"]) as unknown[];
    expect(reply.slice(0, 6)).toEqual(["server", "redis", "version", "7.0.15", "proto", 2]);
    expect(h.client.reply.resp).toBe(2);
  });

  test("HELLO rejects unsupported and non-numeric versions and unknown options", () => {
    const h = createHarness();
    expect(h.run(["hello", "4"])).toEqual({ error: "NOPROTO unsupported protocol version" });
    expect(h.run(["hello", "1"])).toEqual({ error: "NOPROTO unsupported protocol version" });
    expect(h.run(["hello", "x"])).toEqual({ error: "ERR Protocol version is not an integer or out of range" });
    expect(h.run(["hello", "3", "bogus"])).toEqual({ error: "ERR Syntax error in HELLO option 'bogus'" });
    expect(h.run(["hello", "3", "auth", "default"])).toEqual({ error: "ERR Syntax error in HELLO option 'auth'" });
    expect(h.client.reply.resp).toBe(2);
  });

  test("HELLO SETNAME names the connection and validates the name", () => {
    const h = createHarness();
    expect(h.run(["hello", "2", "setname", "worker-1"])).toBeArray();
    expect(h.client.name).toBe("worker-1");
    expect(h.run(["hello", "3", "setname", "bad name"])).toEqual({
      error: "ERR Client names cannot contain spaces, newlines or special characters.",
    });
    expect(h.client.reply.resp).toBe(2);
  });

  test("HELLO with AUTH authenticates when a password is set, and refuses without it", () => {
    const h = createHarness({ config: { requirepass: "s3cret" } });
    expect(h.client.authenticated).toBe(false);
    expect(h.run(["hello", "3"])).toEqual({
      error:
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
    });
    expect(h.run(["hello", "3", "auth", "default", "wrong"])).toEqual({ error: "WRONGPASS invalid username-password pair or user is disabled." });
    expect(h.run(["hello", "3", "auth", "default", "s3cret"])).toBeInstanceOf(Map);
    expect(h.client.authenticated).toBe(true);
  });
});

describe("AUTH", () => {
  test("AUTH without a configured password gives Redis's hint", () => {
    const h = createHarness();
    expect(h.run(["auth", "x"])).toEqual({
      error: "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
    });
    // The default user has nopass: the two-argument form accepts anything for "default".
    expect(h.run(["auth", "default", "anything"])).toBe("OK");
    expect(h.run(["auth", "someone", "anything"])).toEqual({ error: "WRONGPASS invalid username-password pair or user is disabled." });
  });

  test("commands need AUTH when requirepass is set; the right password unlocks them", () => {
    const h = createHarness({ config: { requirepass: "pw" } });
    expect(h.run(["ping"])).toEqual({ error: "NOAUTH Authentication required." });
    expect(h.run(["auth", "nope"])).toEqual({ error: "WRONGPASS invalid username-password pair or user is disabled." });
    expect(h.run(["auth", "pw"])).toBe("OK");
    expect(h.run(["ping"])).toBe("PONG");
    expect(h.run(["auth", "default", "pw"])).toBe("OK");
    expect(h.run(["auth", "a", "b", "c"])).toEqual({ error: "ERR syntax error" });
  });
});

describe("QUIT, RESET and SELECT", () => {
  test("QUIT replies OK and asks for the connection to close after the reply", () => {
    const h = createHarness();
    expect(h.run(["quit"])).toBe("OK");
    expect(h.client.closing).toBe(true);
  });

  test("RESET restores RESP2, clears the name and reply mode, and deauthenticates", () => {
    const h = createHarness({ config: { requirepass: "pw" } });
    h.run(["auth", "pw"]);
    h.run(["hello", "3", "setname", "x"]);
    h.run(["client", "no-evict", "on"]);
    h.run(["client", "reply", "off"]);
    expect(h.run(["reset"])).toBe("RESET");
    expect(h.client.reply.resp).toBe(2);
    expect(h.client.name).toBe("");
    expect(h.client.replyMode).toBe("on");
    expect(h.client.noEvict).toBe(false);
    expect(h.client.authenticated).toBe(false);
    expect(h.run(["ping"])).toEqual({ error: "NOAUTH Authentication required." });
  });

  test("RESET keeps a passwordless connection authenticated", () => {
    const h = createHarness();
    expect(h.run(["reset"])).toBe("RESET");
    expect(h.run(["ping"])).toBe("PONG");
  });

  test("SELECT takes databases 0..15, each with its own keys; RESET selects 0 again", () => {
    const h = createHarness();
    expect(h.run(["select", "0"])).toBe("OK");
    expect(h.run(["set", "k", "zero"])).toBe("OK");
    expect(h.run(["select", "15"])).toBe("OK");
    expect(h.run(["get", "k"])).toBeNull();
    expect(h.run(["set", "k", "fifteen"])).toBe("OK");
    expect(h.run(["dbsize"])).toBe(1);
    expect(h.run(["reset"])).toBe("RESET");
    expect(h.run(["get", "k"])).toBe("zero");
    expect(h.run(["select", "16"])).toEqual({ error: "ERR DB index is out of range" });
    expect(h.run(["select", "-1"])).toEqual({ error: "ERR DB index is out of range" });
    expect(h.run(["select", "x"])).toEqual({ error: "ERR value is not an integer or out of range" });
  });
});

describe("CLIENT", () => {
  test("SETNAME and GETNAME round-trip; an empty name clears it; spaces are refused", () => {
    const h = createHarness();
    expect(h.run(["client", "getname"])).toBeNull();
    expect(h.run(["client", "setname", "app"])).toBe("OK");
    expect(h.run(["client", "getname"])).toBe("app");
    expect(h.run(["client", "setname", "a b"])).toEqual({ error: "ERR Client names cannot contain spaces, newlines or special characters." });
    expect(h.run(["client", "setname", "a\nb"])).toEqual({ error: "ERR Client names cannot contain spaces, newlines or special characters." });
    expect(h.run(["client", "setname", ""])).toBe("OK");
    expect(h.run(["client", "getname"])).toBeNull();
  });

  test("ID and INFO describe the current connection", () => {
    const h = createHarness();
    expect(h.run(["client", "id"])).toBe(h.client.id);
    h.run(["client", "setname", "me"]);
    h.run(["client", "setinfo", "lib-name", "ioredis"]);
    h.run(["client", "setinfo", "LIB-VER", "5.0"]);
    const info = h.run(["client", "info"]) as string;
    expect(info).toMatch(
      new RegExp(
        `^id=${h.client.id} addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:6379 fd=-?\\d+ name=me age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 ` +
          "qbuf=0 qbuf-free=\\d+ argv-mem=\\d+ multi-mem=0 rbs=\\d+ rbp=\\d+ obl=0 oll=0 omem=0 tot-mem=\\d+ events=r cmd=client\\|info " +
          "user=default redir=-1 resp=2 lib-name=ioredis lib-ver=5.0\\n$",
      ),
    );
  });

  test("INFO and LIST are verbatim strings in RESP3", () => {
    const h = createHarness({ resp: 3 });
    const r = h.run(["client", "info"]) as { verbatim: string; format: string };
    expect(r.format).toBe("txt");
    expect(r.verbatim).toContain("resp=3");
    expect((h.run(["client", "list"]) as { verbatim: string }).verbatim).toContain(`id=${h.client.id} `);
  });

  test("LIST shows every client, filters by ID and TYPE, and checks its options", () => {
    const h = createHarness();
    const other = h.newClient();
    h.clock.advance(3000);
    const all = (h.run(["client", "list"]) as string).trimEnd().split("\n");
    expect(all).toHaveLength(2);
    expect(all[1]).toContain(`id=${other.id} `);
    expect(all[1]).toContain("age=3 idle=3");
    const one = h.run(["client", "list", "id", String(other.id), "999"]) as string;
    expect(one.trimEnd().split("\n")).toHaveLength(1);
    expect(one).toStartWith(`id=${other.id} `);
    expect((h.run(["client", "list", "type", "normal"]) as string).trimEnd().split("\n")).toHaveLength(2);
    expect(h.run(["client", "list", "type", "pubsub"])).toBe("");
    expect(h.run(["client", "list", "type", "bogus"])).toEqual({ error: "ERR Unknown client type 'bogus'" });
    expect(h.run(["client", "list", "id", "x"])).toEqual({ error: "ERR Invalid client ID" });
    expect(h.run(["client", "list", "foo"])).toEqual({ error: "ERR syntax error" });
  });

  test("KILL by address (old form) replies OK or No such client", () => {
    const h = createHarness();
    const other = h.newClient();
    expect(h.run(["client", "kill", `127.0.0.1:${other.remotePort}`])).toBe("OK");
    expect(other.killed).toBe(true);
    expect(h.server.clients.has(other.id)).toBe(false);
    expect(h.run(["client", "kill", "127.0.0.1:1"])).toEqual({ error: "ERR No such client" });
  });

  test("KILL with filters counts the clients it closed and skips the caller by default", () => {
    const h = createHarness();
    const a = h.newClient();
    const b = h.newClient();
    expect(h.run(["client", "kill", "id", String(a.id)])).toBe(1);
    expect(a.killed).toBe(true);
    expect(h.run(["client", "kill", "user", "default"])).toBe(1);
    expect(b.killed).toBe(true);
    expect(h.client.killed).toBe(false);
    expect(h.run(["client", "kill", "id", String(h.client.id), "skipme", "no"])).toBe(1);
    expect(h.client.closing).toBe(true);
  });

  test("KILL filters are validated like Redis", () => {
    const h = createHarness();
    expect(h.run(["client", "kill", "id", "0"])).toEqual({ error: "ERR client-id should be greater than 0" });
    expect(h.run(["client", "kill", "type", "x"])).toEqual({ error: "ERR Unknown client type 'x'" });
    expect(h.run(["client", "kill", "user", "bob"])).toEqual({ error: "ERR No such user 'bob'" });
    expect(h.run(["client", "kill", "skipme", "maybe"])).toEqual({ error: "ERR syntax error" });
    expect(h.run(["client", "kill", "id", "1", "extra"])).toEqual({ error: "ERR syntax error" });
    expect(h.run(["client", "kill", "what", "1"])).toEqual({ error: "ERR syntax error" });
    expect(h.run(["client", "kill", "laddr", "127.0.0.1:6379", "type", "master"])).toBe(0);
  });

  test("SETINFO sets lib-name and lib-ver and rejects other attributes", () => {
    const h = createHarness();
    expect(h.run(["client", "setinfo", "lib-name", "bun"])).toBe("OK");
    expect(h.client.libName).toBe("bun");
    expect(h.run(["client", "setinfo", "lib-ver", "1 2"])).toEqual({ error: "ERR lib-ver cannot contain spaces, newlines or special characters." });
    expect(h.run(["client", "setinfo", "color", "red"])).toEqual({ error: "ERR Unrecognized option 'color'" });
  });

  test("NO-EVICT toggles the flag shown by CLIENT LIST", () => {
    const h = createHarness();
    expect(h.run(["client", "no-evict", "on"])).toBe("OK");
    expect(h.client.noEvict).toBe(true);
    expect(h.run(["client", "info"])).toContain("flags=e ");
    expect(h.run(["client", "no-evict", "off"])).toBe("OK");
    expect(h.run(["client", "no-evict", "maybe"])).toEqual({ error: "ERR syntax error" });
  });

  test("REPLY OFF silences replies until REPLY ON; SKIP drops exactly one", () => {
    const h = createHarness();
    expect(h.run(["client", "reply", "off"])).toBeUndefined();
    expect(h.run(["ping"])).toBeUndefined();
    expect(h.run(["client", "reply", "on"])).toBe("OK");
    expect(h.run(["client", "reply", "skip"])).toBeUndefined();
    expect(h.run(["ping"])).toBeUndefined();
    expect(h.run(["ping"])).toBe("PONG");
    expect(h.run(["client", "reply", "maybe"])).toEqual({ error: "ERR syntax error" });
  });

  test("unknown subcommands and wrong arity use Redis's messages", () => {
    const h = createHarness();
    expect(h.run(["client"])).toEqual({ error: "ERR wrong number of arguments for 'client' command" });
    expect(h.run(["client", "foo"])).toEqual({ error: "ERR unknown subcommand 'foo'. Try CLIENT HELP." });
    expect(h.run(["client", "setname"])).toEqual({ error: "ERR wrong number of arguments for 'client|setname' command" });
    expect(h.run(["client", "id", "x"])).toEqual({ error: "ERR wrong number of arguments for 'client|id' command" });
  });

  test("HELP lists the subcommands in Redis's layout", () => {
    const h = createHarness();
    const help = h.run(["client", "help"]) as string[];
    expect(help[0]).toBe("CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    expect(help).toContain("SETNAME <name>");
    expect(help.slice(-2)).toEqual(["HELP", "    Prints this help."]);
  });
});

test("an unknown command names itself and previews its arguments", () => {
  const h = createHarness();
  expect(h.run(["nosuch", "a", "b"])).toEqual({ error: "ERR unknown command 'nosuch', with args beginning with: 'a' 'b' " });
  expect(h.server.stats.errorCounts.get("ERR")).toBe(1);
});
