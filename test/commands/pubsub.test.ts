// SUBSCRIBE / PSUBSCRIBE / UNSUBSCRIBE / PUBLISH through the real dispatcher, replies as Redis 7.0.
import { expect, test } from "bun:test";
import { createHarness } from "../support/command-harness.ts";
import { decodeAll } from "../support/resp-decode.ts";

test("subscribers get messages; PUBLISH counts receivers; unsubscribe confirms each channel", () => {
  const h = createHarness();
  const sub = h.newClient();
  expect(decodeAll(h.runRaw(["subscribe", "news", "sport"], sub))).toEqual([
    ["subscribe", "news", 1],
    ["subscribe", "sport", 2],
  ]);
  const psub = h.newClient();
  expect(h.runAs(psub, ["psubscribe", "n*"])).toEqual(["psubscribe", "n*", 1]);
  sub.reply.reset();
  psub.reply.reset();
  expect(h.run(["publish", "news", "hello"])).toBe(2);
  expect(h.run(["publish", "other", "x"])).toBe(0);
  expect(decodeAll(sub.reply.bytes())).toEqual([["message", "news", "hello"]]);
  expect(decodeAll(psub.reply.bytes())).toEqual([["pmessage", "n*", "news", "hello"]]);
  sub.reply.reset();
  psub.reply.reset();
  const r3 = h.newClient({ resp: 3 });
  h.runAs(r3, ["subscribe", "news"]);
  r3.reply.reset();
  h.run(["publish", "news", "again"]);
  expect(new TextDecoder().decode(r3.reply.bytes())).toBe(">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nagain\r\n");
});

test("a subscribed RESP2 client may only (un)subscribe, PING, QUIT or RESET", () => {
  const h = createHarness();
  const sub = h.newClient();
  h.runAs(sub, ["subscribe", "c"]);
  expect(h.runAs(sub, ["get", "k"])).toEqual({
    error: "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
  });
  expect(h.runAs(sub, ["unsubscribe"])).toEqual(["unsubscribe", "c", 0]);
  expect(h.runAs(sub, ["unsubscribe"])).toEqual(["unsubscribe", null, 0]);
  expect(h.runAs(sub, ["get", "k"])).toBeNull();
  expect(h.run(["publish", "c", "m"])).toBe(0);
});

test("a subscribed RESP2 client's PING gets a pong pair, and RESET leaves every channel and any MULTI", () => {
  const h = createHarness();
  const sub = h.newClient();
  h.runAs(sub, ["subscribe", "c"]);
  expect(h.runAs(sub, ["ping"])).toEqual(["pong", ""]);
  expect(h.runAs(sub, ["ping", "hi"])).toEqual(["pong", "hi"]);
  expect(h.runAs(sub, ["reset"])).toBe("RESET");
  expect(h.run(["publish", "c", "m"])).toBe(0);
  expect(h.runAs(sub, ["ping"])).toBe("PONG");
  expect(h.runAs(sub, ["multi"])).toBe("OK");
  expect(h.runAs(sub, ["set", "a", "1"])).toBe("QUEUED");
  expect(h.runAs(sub, ["reset"])).toBe("RESET");
  expect(h.runAs(sub, ["exec"])).toEqual({ error: "ERR EXEC without MULTI" });
  expect(h.run(["exists", "a"])).toBe(0);
});
