// A short tour of the embedded API: `bun run demo`.
import { Cache } from "./index.ts";

const cache = new Cache({ maxEntries: 1000, ttl: 60_000 });
const say = (what: string, value: unknown): void => console.log(`${what.padEnd(44)} → ${JSON.stringify(value)}`);

say("set('greeting', 'hello')", cache.set("greeting", "hello"));
say("getString('greeting')", cache.getString("greeting"));
say("set('greeting', 'again', { nx: true })", cache.set("greeting", "again", { nx: true }));
say("ttl('greeting') (ms, default ttl 60 s)", cache.ttl("greeting"));
say("incr('visits') x3", [cache.incr("visits"), cache.incr("visits"), cache.incr("visits", 5)]);
for (let i = 0; i < 5000; i++) cache.set(`user:${i}`, `{"id":${i}}`);
say("size after 5000 sets into maxEntries 1000", cache.size);
const loaded = await cache.getOrSet("config", async () => "loaded once");
say("getOrSet('config', loader)", new TextDecoder().decode(loaded));
say("scan(0, { match: 'user:49*', count: 2000 })", cache.scan(0, { match: "user:49*", count: 2000 })[1].length + " keys");
say("stats()", cache.stats());
cache.close();
