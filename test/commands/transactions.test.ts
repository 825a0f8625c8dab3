// MULTI / EXEC / DISCARD through the real dispatcher (replies checked against redis-server 7.0.15).
import { describe, expect, test } from "bun:test";
import { createHarness } from "../support/command-harness.ts";

describe("transactions", () => {
  test("commands are queued and EXEC replies with each reply in order", () => {
    const h = createHarness();
    expect(h.run(["multi"])).toBe("OK");
    expect(h.run(["set", "a", "1"])).toBe("QUEUED");
    expect(h.run(["incr", "a"])).toBe("QUEUED");
    expect(h.run(["get", "a"])).toBe("QUEUED");
    expect(h.run(["incr", "nonnum-later"])).toBe("QUEUED");
    expect(h.keyspace.size).toBe(0);
    expect(h.run(["exec"])).toEqual(["OK", 2, "2", 1]);
    expect(h.run(["get", "a"])).toBe("2");
  });

  test("a runtime error inside EXEC is one element; the others still run", () => {
    const h = createHarness();
    h.run(["set", "s", "text"]);
    h.run(["multi"]);
    h.run(["incr", "s"]);
    h.run(["set", "t", "1"]);
    expect(h.run(["exec"])).toEqual([{ error: "ERR value is not an integer or out of range" }, "OK"]);
    expect(h.run(["get", "t"])).toBe("1");
  });

  test("an unknown command or bad arity while queueing aborts EXEC", () => {
    const h = createHarness();
    h.run(["multi"]);
    expect(h.run(["set", "a"])).toEqual({ error: "ERR wrong number of arguments for 'set' command" });
    expect(h.run(["nosuch"])).toEqual({ error: "ERR unknown command 'nosuch', with args beginning with: " });
    expect(h.run(["set", "b", "1"])).toBe("QUEUED");
    expect(h.run(["exec"])).toEqual({ error: "EXECABORT Transaction discarded because of previous errors." });
    expect(h.run(["get", "b"])).toBeNull();
  });

  test("DISCARD drops the queue; EXEC, DISCARD and nested MULTI errors are Redis's", () => {
    const h = createHarness();
    expect(h.run(["exec"])).toEqual({ error: "ERR EXEC without MULTI" });
    expect(h.run(["discard"])).toEqual({ error: "ERR DISCARD without MULTI" });
    h.run(["multi"]);
    expect(h.run(["multi"])).toEqual({ error: "ERR MULTI calls can not be nested" });
    h.run(["set", "a", "1"]);
    expect(h.run(["discard"])).toBe("OK");
    expect(h.run(["get", "a"])).toBeNull();
    h.run(["multi"]);
    expect(h.run(["exec"])).toEqual([]);
  });
});
