// Reads a snapshot back after it was renamed into place and synced: every chunk's CRC is checked
// and every chunk decoded, so nothing older is pruned on the strength of a file that would not
// load. The asynchronous form decodes one chunk per event-loop turn (a BGSAVE keeps serving).
import * as fs from "node:fs";
import { readChunk, SnapshotFormatError, validateSnapshot } from "./snapshot-format.ts";

/** What the file must hold: the sequence number it covers and its entry count. */
export interface SnapshotExpectation {
  seq: number;
  keys: number;
}

const ignoreEntry = (): void => {};

function checked(path: string, bytes: Uint8Array, want: SnapshotExpectation): ReturnType<typeof validateSnapshot> {
  const v = validateSnapshot(bytes);
  if (v.header.seq !== want.seq || v.header.entries !== want.keys) {
    throw new SnapshotFormatError(`${path} holds seq ${v.header.seq} with ${v.header.entries} entries, ` +
      `expected seq ${want.seq} with ${want.keys} at offset 0`);
  }
  return v;
}

/** Throws a SnapshotFormatError (naming the offset) unless `path` decodes completely. */
export function verifySnapshotSync(path: string, want: SnapshotExpectation): void {
  const bytes = new Uint8Array(fs.readFileSync(path));
  const { header, chunks } = checked(path, bytes, want);
  for (const chunk of chunks) readChunk(bytes, header.flags, chunk, ignoreEntry);
}

/** The same, reading off the event loop and decoding one chunk per turn. */
export async function verifySnapshotAsync(path: string, want: SnapshotExpectation): Promise<void> {
  const bytes = new Uint8Array(await fs.promises.readFile(path));
  const { header, chunks } = checked(path, bytes, want);
  for (const chunk of chunks) {
    readChunk(bytes, header.flags, chunk, ignoreEntry);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
