import { expect, test } from "bun:test";
import { Gate } from "../../src/cluster/gate.ts";

test("the gate is granted in arrival order and waiting work resumes when it opens", () => {
  const g = new Gate();
  const a = {};
  const b = {};
  const log: string[] = [];
  g.acquire(a, () => log.push("a"));
  g.acquire(b, () => log.push("b"));
  g.onOpen(() => log.push("resume"));
  expect(g.allows(a)).toBe(true);
  expect(g.allows(b)).toBe(false);
  g.release(a);
  expect(log).toEqual(["a", "b"]);
  expect(g.holder).toBe(b);
  g.release(b);
  expect(log).toEqual(["a", "b", "resume"]);
  expect(g.holder).toBeNull();
  expect(g.acquisitions).toBe(2);
});

test("the same holder may take the gate again; it opens after as many releases", () => {
  const g = new Gate();
  const link = {};
  let granted = 0;
  g.acquire(link, () => granted++);
  g.acquire(link, () => granted++);
  expect(granted).toBe(2);
  g.release(link);
  expect(g.holder).toBe(link);
  g.release(link);
  expect(g.holder).toBeNull();
});

test("a holder that goes away releases the gate and leaves the queue", () => {
  const g = new Gate();
  const a = {};
  const b = {};
  const c = {};
  g.acquire(a, () => {});
  g.acquire(a, () => {});
  g.acquire(b, () => {});
  let cGranted = false;
  g.acquire(c, () => (cGranted = true));
  g.forget(b);
  g.forget(a);
  expect(g.holder).toBe(c);
  expect(cGranted).toBe(true);
});
