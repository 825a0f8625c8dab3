// A damaged snapshot never starts an empty server: real server processes write 20,000 keys under
// appendfsync always, snapshot, are SIGKILLed, and their newest snapshot is bit-flipped, cut short
// or has its header zeroed. Start-up then recovers every acknowledged key from the older snapshot
// (or the empty state) plus the WAL kept for it, or refuses naming the file and offset.
import { afterAll, expect, test } from "bun:test";
import * as fs from "node:fs";
import { join } from "node:path";
import { tempDataDir } from "../support/server-process.ts";
import { dumpServer, kill9, pipeline, serverOn, startExpectingExit } from "../persistence/e2e-helpers.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const newDir = (): string => {
  const d = tempDataDir();
  dirs.push(d);
  return d;
};
const copyOf = (from: string): string => {
  const d = newDir();
  for (const n of fs.readdirSync(from)) if (!n.endsWith(".lock")) fs.copyFileSync(join(from, n), join(d, n));
  return d;
};
const snapshots = (dir: string): string[] => fs.readdirSync(dir).filter((n) => /^snap-.*\.fcs$/.test(n)).sort();

const ALWAYS = ["--appendfsync", "always"];
const SNAPSHOTS_ONLY = ["--appendonly", "no", "--save", "3600 1000000000"];

/** SETs keys [from, to) pipelined; every reply must be OK (acknowledged, so durable under always). */
async function writeKeys(port: number, from: number, to: number): Promise<void> {
  const cmds: string[][] = [];
  for (let i = from; i < to; i++) cmds.push(["SET", `key:${i}`, `value-${i}-${"v".repeat(i % 40)}`]);
  const replies = await pipeline(port, cmds);
  expect(replies.filter((r) => r !== "OK").length).toBe(0);
  expect(replies.length).toBe(to - from);
}

function expectedState(n: number): string[] {
  const want: string[] = [];
  for (let i = 0; i < n; i++) want.push(`key:${i}=value-${i}-${"v".repeat(i % 40)}@-1`);
  return want.sort();
}

type Damage = (path: string) => void;
const DAMAGES: [string, Damage][] = [
  ["bit flip", (p) => {
    const b = fs.readFileSync(p);
    const at = Math.floor(b.length / 2);
    b[at] = b[at]! ^ 0x10;
    fs.writeFileSync(p, b);
  }],
  ["truncation", (p) => fs.truncateSync(p, Math.floor(fs.statSync(p).size / 2))],
  ["zeroed header", (p) => {
    const fd = fs.openSync(p, "r+");
    fs.writeSync(fd, new Uint8Array(48), 0, 48, 0);
    fs.closeSync(fd);
  }],
];

async function save(port: number): Promise<void> {
  expect(await pipeline(port, [["SAVE"]])).toEqual(["OK"]);
}

/** Starts on `dir`, expecting it to serve: its full state, then a clean stop. */
async function stateAfterStart(dir: string, args: string[] = []): Promise<{ state: string[]; log: string }> {
  const srv = await serverOn(dir, args);
  try {
    return { state: await dumpServer(srv.port), log: srv.stdout() + srv.stderr() };
  } finally {
    await srv.stop();
  }
}

test("two snapshots, the newest damaged three ways: the older snapshot plus its WAL recovers every acknowledged key", async () => {
  const dir = newDir();
  const srv = await serverOn(dir, ALWAYS);
  await writeKeys(srv.port, 0, 20_000);
  await save(srv.port);
  await writeKeys(srv.port, 20_000, 22_000);
  await save(srv.port);
  await writeKeys(srv.port, 22_000, 23_000);
  await kill9(srv);
  const snaps = snapshots(dir);
  expect(snaps.length).toBe(2); // the previous generation is kept
  const want = expectedState(23_000);
  for (const [label, damage] of DAMAGES) {
    const d = copyOf(dir);
    damage(join(d, snaps[1]!));
    const { state, log } = await stateAfterStart(d);
    expect({ label, keys: state.length }).toEqual({ label, keys: want.length });
    expect(state).toEqual(want);
    expect(log).toContain(`Snapshot ${join(d, snaps[1]!)} is damaged (`);
    expect(fs.existsSync(join(d, `${snaps[1]!}.damaged`))).toBe(true);
    // The next start is a plain one from the older snapshot, and a new SAVE works on top.
    const again = await serverOn(d);
    expect(await dumpServer(again.port)).toEqual(want);
    await save(again.port);
    await again.stop();
  }
}, 240_000);

test("the only snapshot ever taken, damaged: the WAL kept from the first write recovers every key", async () => {
  const dir = newDir();
  const srv = await serverOn(dir, ALWAYS);
  await writeKeys(srv.port, 0, 20_000);
  await save(srv.port);
  await writeKeys(srv.port, 20_000, 21_000);
  await kill9(srv);
  const [snap] = snapshots(dir);
  const want = expectedState(21_000);
  for (const [label, damage] of DAMAGES) {
    const d = copyOf(dir);
    damage(join(d, snap!));
    const { state } = await stateAfterStart(d);
    expect({ label, keys: state.length }).toEqual({ label, keys: want.length });
    expect(state).toEqual(want);
  }
}, 180_000);

test("nothing covers a damaged snapshot: start-up refuses naming file and offset; --snapshot-repair skip starts without it", async () => {
  // Snapshots only (no WAL): the one snapshot is all there is.
  const dir = newDir();
  const srv = await serverOn(dir, SNAPSHOTS_ONLY);
  await writeKeys(srv.port, 0, 20_000);
  await save(srv.port);
  await kill9(srv);
  const [snap] = snapshots(dir);
  for (const [label, damage] of DAMAGES) {
    const d = copyOf(dir);
    const path = join(d, snap!);
    damage(path);
    const r = await startExpectingExit(d, SNAPSHOTS_ONLY);
    expect({ label, code: r.code, port: r.port }).toEqual({ label, code: 1, port: undefined });
    expect(r.stderr).toMatch(new RegExp(`Snapshot corrupt: ${path}: .* at offset \\d+`));
    expect(r.stderr).toContain("--snapshot-repair skip");
    expect(r.stderr).not.toContain("    at ");
    expect(fs.existsSync(path)).toBe(true); // a refusal changes nothing on disk
  }
  // With the WAL on, two damaged snapshots and the WAL kept only from the older one: refused too.
  const dir2 = newDir();
  const s2 = await serverOn(dir2, ALWAYS);
  await writeKeys(s2.port, 0, 5000);
  await save(s2.port);
  await writeKeys(s2.port, 5000, 10_000);
  await save(s2.port);
  await writeKeys(s2.port, 10_000, 15_000);
  await save(s2.port);
  await writeKeys(s2.port, 15_000, 16_000);
  await kill9(s2);
  const both = snapshots(dir2);
  expect(both.length).toBe(2);
  for (const n of both) DAMAGES[0]![1](join(dir2, n));
  const r = await startExpectingExit(dir2);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`Snapshot corrupt: ${join(dir2, both[1]!)}: .* at offset \\d+`));
  // The operator's explicit repair: starts with what the WAL after the older snapshot holds.
  const { state, log } = await stateAfterStart(dir2, ["--snapshot-repair", "skip"]);
  expect(log).toContain("Snapshot repair:");
  expect(state).toEqual(expectedState(16_000).filter((e) => Number(/^key:(\d+)=/.exec(e)![1]) >= 10_000));
}, 240_000);

test("SIGKILL during a BGSAVE leaves a directory that recovers every acknowledged key", async () => {
  const dir = newDir();
  const srv = await serverOn(dir, ALWAYS);
  await writeKeys(srv.port, 0, 20_000);
  await save(srv.port);
  await writeKeys(srv.port, 20_000, 40_000);
  // The kill lands as soon as the BGSAVE has started: mid-walk, mid-sync or mid-verification.
  expect(await pipeline(srv.port, [["BGSAVE"]])).toEqual(["Background saving started"]);
  await kill9(srv);
  const { state } = await stateAfterStart(dir);
  expect(state).toEqual(expectedState(40_000));
  expect(fs.readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
}, 120_000);
