// Issue 18: client-output-buffer-limit per class. A subscriber that stops reading is cut off at
// the pubsub class's hard limit while publishers and other clients are served; a normal client
// over the soft limit is cut off once it stays over it for soft-seconds, and one that drains in
// time is kept. Every wait is bounded; nothing here asserts a duration.

import { describe, expect, test } from "bun:test";
import { RawClient, spawnServer } from "../support/server-process.ts";

const LOG_LINE = /Client id=\d+ .* closed for overcoming of output buffer limits\./;
const PAYLOAD = "p".repeat(64 * 1024);

function infoField(info: string, name: string): number {
  return Number(new RegExp(`^${name}:(\\d+)`, "m").exec(info)![1]);
}

describe("client-output-buffer-limit classes", () => {
  test("pubsub hard limit: a subscriber that does not read is cut off; publisher and others go on", async () => {
    await using srv = await spawnServer(["--workers", "1", "--appendonly", "no"]);
    using admin = await RawClient.connect(srv.port);
    expect(await admin.command("CONFIG", "SET", "client-output-buffer-limit", "pubsub 2mb 0 0")).toBe("OK");
    using sub = await RawClient.connect(srv.port);
    expect(await sub.command("SUBSCRIBE", "news")).toEqual(["subscribe", "news", 1]);
    sub.pause();
    using reader = await RawClient.connect(srv.port);
    expect(await reader.command("SUBSCRIBE", "news")).toEqual(["subscribe", "news", 1]);
    using pub = await RawClient.connect(srv.port);
    // 200 × 64 KiB = 12.5 MiB to each subscriber: far past the 2 MiB limit of the paused one.
    let receivers = 0;
    for (let i = 0; i < 200; i++) receivers += (await pub.command("PUBLISH", "news", PAYLOAD)) as number;
    await srv.waitStdout(LOG_LINE, 30000);
    // The reading subscriber got every message, in order, intact.
    const got = await reader.read(200);
    expect(got.every((m) => Array.isArray(m) && m[0] === "message" && m[2] === PAYLOAD)).toBe(true);
    // The paused one is gone: PUBLISH now reaches one subscriber only.
    expect(await pub.command("PUBLISH", "news", "after")).toBe(1);
    expect(receivers).toBeGreaterThan(200); // it counted while the paused subscriber was still there
    const info = (await admin.command("INFO", "stats")) as string;
    expect(infoField(info, "client_output_buffer_limit_disconnections")).toBe(1);
    sub.resume();
    expect(await sub.waitClosed(10000)).toBe(true);
    // A normal client's replies are not limited by the pubsub class.
    expect(await admin.command("SET", "k", PAYLOAD)).toBe("OK");
    expect(await admin.command("GET", "k")).toBe(PAYLOAD);
  });

  test("normal soft limit: over it for longer than soft-seconds is cut off; draining in time is kept", async () => {
    await using srv = await spawnServer(["--workers", "1", "--appendonly", "no"]);
    using admin = await RawClient.connect(srv.port);
    expect(await admin.command("CONFIG", "SET", "client-output-buffer-limit", "normal 0 1mb 1")).toBe("OK");
    expect(await admin.command("SET", "big", "v".repeat(512 * 1024))).toBe("OK");
    // Over the soft limit (40 × 512 KiB = 20 MiB, more than the kernel buffers take) and not
    // reading: cut off once it has stayed over for a second.
    using slow = await RawClient.connect(srv.port);
    expect(await slow.command("PING")).toBe("PONG");
    slow.pause();
    slow.send("GET big\r\n".repeat(40));
    await srv.waitStdout(LOG_LINE, 15000);
    slow.resume();
    expect(await slow.waitClosed(10000)).toBe(true);
    // Reading as it goes: the same replies pass the soft limit only briefly and the client stays.
    using fast = await RawClient.connect(srv.port);
    fast.send("GET big\r\n".repeat(40));
    const replies = await fast.read(40);
    expect(replies.every((r) => r === "v".repeat(512 * 1024))).toBe(true);
    expect(await fast.command("PING")).toBe("PONG");
    const info = (await admin.command("INFO", "stats")) as string;
    expect(infoField(info, "client_output_buffer_limit_disconnections")).toBe(1);
  });
});
