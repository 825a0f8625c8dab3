// Redis's RDB format (version 10, Redis 7.0): files and DUMP payloads.
export { crc64, Crc64 } from "./crc64.ts";
export { dumpPacked, dumpPayload, DumpFooterError, parseDumpPayload } from "./dump-payload.ts";
export { lzfCompress, lzfDecompress } from "./lzf.ts";
export { loadRdb, type RdbLoadOptions, type RdbLoadResult } from "./rdb-load.ts";
export { isRdb, parseRdb, RdbParser, type ParseOptions } from "./rdb-reader.ts";
export { RDB_VERSION, RdbError, RdbOpcode, RdbType, type RdbEntry, type RdbSummary } from "./rdb-types.ts";
export { RdbWriter, writeRdb, type RdbWriteOptions } from "./rdb-writer.ts";
