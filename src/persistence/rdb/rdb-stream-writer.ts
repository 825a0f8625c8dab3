// Streams written as STREAM_LISTPACKS_2 (what Redis 7.0 writes).
import type { RdbOutput } from "./rdb-output.ts";

export function writeStreamValue(_out: RdbOutput, _packed: Uint8Array): void {
  throw new Error("RDB: writing streams is not done yet");
}
