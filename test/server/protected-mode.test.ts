import { describe, expect, test } from "bun:test";
import { DENIED_PROTECTED_MODE, isLoopback, protectedModeDenies } from "../../src/server/protected-mode.ts";

describe("isLoopback", () => {
  test.each(["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "::FFFF:127.0.0.2", ""])("%j is loopback", (a) => {
    expect(isLoopback(a)).toBe(true);
  });
  test.each(["10.0.0.1", "192.168.1.5", "::ffff:10.0.0.1", "fe80::1", "128.0.0.1", "127.0.0"])("%j is not loopback", (a) => {
    expect(isLoopback(a)).toBe(false);
  });
});

describe("protectedModeDenies", () => {
  test("denies a remote peer when protected mode is on and no password is set", () => {
    expect(protectedModeDenies({ protectedMode: true, requirepass: "", remoteAddress: "10.1.2.3" })).toBe(true);
  });
  test("allows loopback peers", () => {
    expect(protectedModeDenies({ protectedMode: true, requirepass: "", remoteAddress: "127.0.0.1" })).toBe(false);
    expect(protectedModeDenies({ protectedMode: true, requirepass: "", remoteAddress: "::1" })).toBe(false);
  });
  test("allows remote peers once a password is set", () => {
    expect(protectedModeDenies({ protectedMode: true, requirepass: "pw", remoteAddress: "10.1.2.3" })).toBe(false);
  });
  test("allows remote peers when protected mode is off", () => {
    expect(protectedModeDenies({ protectedMode: false, requirepass: "", remoteAddress: "10.1.2.3" })).toBe(false);
  });
  test("the reply is Redis's DENIED error line", () => {
    expect(DENIED_PROTECTED_MODE.startsWith("-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user.")).toBe(true);
    expect(DENIED_PROTECTED_MODE.endsWith("accepting connections from the outside.\r\n")).toBe(true);
    expect(DENIED_PROTECTED_MODE.indexOf("\r\n")).toBe(DENIED_PROTECTED_MODE.length - 2);
  });
});
