// The deadline heap of blocked clients: items expire earliest first from one timer, ended items
// are skipped, and prune() drops them so a stream of waits served early leaves nothing behind.
import { expect, test } from "bun:test";
import { Deadlines } from "../../../src/server/blocking/deadlines.ts";

test("items expire earliest first, ended ones are skipped", async () => {
  const ended = new Set<string>();
  const expired: string[] = [];
  const all = Promise.withResolvers<void>();
  const d = new Deadlines<string>(
    (item) => !ended.has(item),
    (item) => {
      expired.push(item);
      if (expired.length === 3) all.resolve();
    },
  );
  const now = Date.now();
  d.add("c", now + 30);
  d.add("a", now + 5);
  d.add("x", now + 1);
  d.add("b", now + 10);
  d.add("d", now + 40);
  ended.add("x");
  ended.add("d");
  const bound = setTimeout(() => all.reject(new Error("timers never fired")), 5000);
  await all.promise;
  clearTimeout(bound);
  expect(expired).toEqual(["a", "b", "c"]);
  d.close();
});

test("prune keeps only live entries and their order", () => {
  const live = new Set<number>();
  const d = new Deadlines<number>(
    (i) => live.has(i),
    () => {},
  );
  const base = Date.now() + 60_000;
  // Every item waits when added (the registry adds only waiting clients), most end early.
  for (let i = 0; i < 1000; i++) {
    live.add(i);
    d.add(i, base + ((i * 7919) % 1000));
  }
  for (let i = 0; i < 1000; i++) if (i % 100 !== 0) live.delete(i);
  expect(d.size).toBe(1000);
  d.prune();
  expect(d.size).toBe(10);
  d.close();
  expect(d.size).toBe(0);
});
