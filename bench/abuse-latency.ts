import { spawnServer } from "../test/support/server-process.ts";
import { RedisClient } from "bun";
const srv = await spawnServer(["--workers", "1", "--appendonly", "no"]);
const url = `redis://127.0.0.1:${srv.port}`;
const c = new RedisClient(url); await c.set("big", "x".repeat(1 << 20));
const lat: number[] = [];
const t0 = performance.now(); let stop = false;
const pinger = (async () => { while (!stop) { const s = performance.now(); await c.send("PING", []); lat.push(performance.now() - s); await Bun.sleep(2); } })();
const base = [...Array(50)]; for (const _ of base) { const s = performance.now(); await c.send("PING", []); lat.push(performance.now() - s); }
const baseline = lat.splice(0).sort((a, b) => a - b);
const cmd = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".repeat(1000);
let closed = false;
const abuser = await Bun.connect({ hostname: "127.0.0.1", port: srv.port, socket: { data() {}, close() { closed = true; }, error() {} } });
abuser.pause?.();
const ta = performance.now();
// Keep writing: a paused socket learns of the close only from a failing write.
for (let i = 0; i < 1000 && !closed; i++) { abuser.write(cmd); await Bun.sleep(10); }
while (!closed && performance.now() - ta < 10000) await Bun.sleep(5);
const cutMs = performance.now() - ta;
await Bun.sleep(100); stop = true; await pinger;
const during = lat.sort((a, b) => a - b);
const q = (a: number[], p: number) => a[Math.min(a.length - 1, Math.floor(a.length * p))]!.toFixed(2);
console.log(JSON.stringify({ cutMs: cutMs.toFixed(0), closed, baseline: { p50: q(baseline, 0.5), p99: q(baseline, 0.99) }, during: { n: during.length, p50: q(during, 0.5), p99: q(during, 0.99), max: q(during, 1) } }));
c.close(); await srv.stop();
