// Imports every collection type so that each registers its codec (codecs.ts) before any value of
// it is restored, replayed or inspected. Import this once where a keyspace is built.
import "../hash/hash-type.ts";
import "../list/list-type.ts";
import "../set/set-type.ts";
import "../zset/zset-type.ts";
import "../stream/stream-group-ops.ts";
