// WAL export: change-data-capture over TCP (docs/EXPORT.md).
export { WalExporter } from "./exporter.ts";
export { resolveExportOptions, parseHostPort, EXPORT_DEFAULTS, type WalExportOptions, type ExportMode, type ExportFormat } from "./options.ts";
export type { WalExportStats } from "./info.ts";
export { WalStreamReader, WalStreamError, type StreamItem } from "./stream-reader.ts";
export { transcodeToFcw2, decodeFcw2Frame, newFcw2Frame, FCW2_MAGIC, Fcw2Op, type Fcw2Frame } from "./fcw2.ts";
export { AUTH_PREFIX, FROM_PREFIX, ERR_PREFIX, MAX_LINE_BYTES, authLine, fromLine } from "./handshake.ts";
export { runWalTail } from "./wal-tail.ts";
