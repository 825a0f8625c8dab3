// Package entry: `import { Cache } from "fast-cache"`.
export { Cache } from "./cache.ts";
export { WrongTypeError } from "./cache-errors.ts";
export type { ZEntry } from "./cache-zsets.ts";
export { InvalidHllError } from "./cache-bits.ts";
export type { StreamEntry, StreamAddOptions, StreamTrimOptions } from "./cache-streams.ts";
export type { CacheKey, CacheValue, CacheOptions, SetOptions, ScanOptions, CacheStats } from "./cache.ts";
export { Keyspace, ENTRY_OVERHEAD } from "./engine/keyspace.ts";
export type { KeyspaceOptions } from "./engine/keyspace.ts";
export * from "./engine/types.ts";
