// Streams in RDB files (STREAM_LISTPACKS, _2, _3): read into our serialized stream.
import type { RdbInput } from "./rdb-input.ts";

export function readStream(inp: RdbInput, _t: number): Uint8Array {
  return inp.fail("stream values: not read yet", inp.pos);
}
