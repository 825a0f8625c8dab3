// BullMQ's real flow, against fast-cache (always) and redis-server (when installed): a queue and a
// worker over 1,000 jobs, 100 of them delayed and 50 failing once before their retry succeeds,
// with QueueEvents following the queue's event stream. BullMQ runs everything through Lua
// scripts over sorted sets, lists, hashes and streams, with blocking pops and XREAD BLOCK.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Queue, QueueEvents, Worker } from "bullmq";
import { REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";
import { spawnServer, type ServerProcess } from "../support/server-process.ts";

let ours: ServerProcess;
let pair: ParityPair | undefined;
beforeAll(async () => {
  ours = await spawnServer(["--appendonly", "no", "--workers", "1"]);
  if (REDIS_SERVER) pair = await startParityPair();
  else console.log("notice: redis-server not installed; BullMQ runs against fast-cache only");
});
afterAll(async () => {
  await ours.stop();
  await pair?.stop();
});

const JOBS = 1000;

async function flow(port: number, prefix?: string): Promise<{ completed: number; retried: number; events: number; counts: Record<string, number>; results: number }> {
  const connection = { host: "127.0.0.1", port, maxRetriesPerRequest: null };
  const name = `compat-${port}`;
  const opts = prefix !== undefined ? { connection, prefix } : { connection };
  const queue = new Queue(name, opts);
  const events = new QueueEvents(name, opts);
  await events.waitUntilReady();
  let completedEvents = 0;
  events.on("completed", () => void completedEvents++);
  let completed = 0;
  let retried = 0;
  let sum = 0;
  const worker = new Worker(
    name,
    async (job) => {
      if (job.data.flaky && job.attemptsMade === 0) {
        retried++;
        throw new Error("first attempt fails");
      }
      return job.data.n * 2;
    },
    { ...opts, concurrency: 10 },
  );
  worker.on("completed", (_job, result: number) => {
    completed++;
    sum += result;
  });
  try {
    for (let i = 0; i < JOBS; i++) {
      await queue.add("job", { n: i, flaky: i % 20 === 7 }, { attempts: 2, ...(i % 10 === 3 ? { delay: 200 } : {}), removeOnComplete: false });
    }
    const deadline = Date.now() + 60_000;
    while ((completed < JOBS || completedEvents < JOBS) && Date.now() < deadline) await Bun.sleep(20);
    const counts = await queue.getJobCounts("completed", "failed", "delayed", "waiting", "active");
    return { completed, retried, events: completedEvents, counts, results: sum };
  } finally {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

describe("BullMQ", () => {
  test("1,000 jobs with delays and retries complete, events included, as on redis-server", async () => {
    const targets: [string, number][] = [["fast-cache", ours.port], ...(pair !== undefined ? [["redis-server", pair.redisPort] as [string, number]] : [])];
    const expected = { completed: JOBS, retried: 50, events: JOBS, counts: { completed: JOBS, failed: 0, delayed: 0, waiting: 0, active: 0 }, results: JOBS * (JOBS - 1) };
    for (const [name, port] of targets) expect(await flow(port), name).toEqual(expected);
  }, 150_000);

  test("on two workers with a {hash-tagged} prefix, as BullMQ asks of Redis Cluster", async () => {
    await using two = await spawnServer(["--appendonly", "no", "--workers", "2"]);
    const expected = { completed: JOBS, retried: 50, events: JOBS, counts: { completed: JOBS, failed: 0, delayed: 0, waiting: 0, active: 0 }, results: JOBS * (JOBS - 1) };
    expect(await flow(two.port, "{bull}")).toEqual(expected);
  }, 150_000);
});
