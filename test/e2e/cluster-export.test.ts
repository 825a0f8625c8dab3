// The WAL export stays one stream with several workers: worker 0 runs the exporter, the others
// send it their WAL groups; each frame carries its shard and that shard's own sequence.
import { expect, test } from "bun:test";
import Redis from "ioredis";
import { WalStreamReader } from "../../src/export/index.ts";
import { spawnServer } from "../support/server-process.ts";
import { keysByWorker, until } from "../cluster/helpers.ts";

function freePort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const p = l.port;
  l.stop(true);
  return p;
}

test("one export stream carries every worker's frames, each shard in its own sequence order", async () => {
  const exportPort = freePort();
  const srv = await spawnServer(["--workers", "2", "--wal-export", "listen", "--wal-export-addr", `127.0.0.1:${exportPort}`]);
  const frames: { shard: number; seq: number; key: string; value: string }[] = [];
  const reader = new WalStreamReader();
  const dec = new TextDecoder();
  const sub = await Bun.connect({
    hostname: "127.0.0.1",
    port: exportPort,
    socket: {
      binaryType: "uint8array",
      data: (_s, chunk) =>
        reader.feed(chunk, (item) => {
          if (item.kind === "fcw4") frames.push({ shard: item.frame.shard, seq: item.frame.seq, key: dec.decode(item.frame.key), value: dec.decode(item.frame.value) });
        }),
    },
  });
  try {
    await Bun.sleep(200); // the subscriber's optional FROM window
    const redis = new Redis({ port: srv.port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
    const keys = keysByWorker(2, 50);
    for (let i = 0; i < 50; i++) for (const list of keys) await redis.set(list[i]!, `v${i}`);
    await until(() => frames.length >= 100, 10000, "100 frames");
    for (const shard of [0, 1]) {
      const mine = frames.filter((f) => f.shard === shard);
      expect(mine.map((f) => f.key)).toEqual(keys[shard]!);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.seq).toBe(mine[i - 1]!.seq + 1);
    }
    redis.disconnect();
  } finally {
    sub.end();
    expect(await srv.stop()).toBe(0);
  }
}, 30000);
