// fast-cache-server entry point: flags → config → server. With persistence (the default), the
// server listens at once (clients get -LOADING), recovers from --dir, then prints the ready line.
// SIGINT/SIGTERM stop it cleanly (WAL flushed and synced, exit 0); configuration errors exit 2;
// listen, lock and recovery errors print one line and exit 1.

import { readdirSync } from "node:fs";
import { helpText, parseCliArgs } from "./config/flags.ts";
import { ConfigError, loadConfig } from "./config/load.ts";
import { ServerStartError, startServer } from "./server/server.ts";
import { VERSION } from "./server/version.ts";

function fail(message: string, code: number): never {
  process.stderr.write(`fast-cache-server: ${message}\n`);
  process.exit(code);
}

/** True when `dir` holds WAL segments or snapshots. */
function hasData(dir: string): boolean {
  try {
    return readdirSync(dir).some((n) => n.startsWith("wal-") || n.startsWith("snap-"));
  } catch {
    return false;
  }
}

function main(): void {
  let req;
  try {
    req = parseCliArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message, 2);
    throw e;
  }
  if (req.kind === "help") {
    process.stdout.write(helpText());
    return;
  }
  if (req.kind === "version") {
    process.stdout.write(`fast-cache-server ${VERSION}\n`);
    return;
  }
  let server;
  try {
    const loaded = loadConfig({ file: req.configFile, flags: req.flags, cli: true });
    const cfg = loaded.config;
    server = startServer({
      config: cfg,
      configFile: loaded.file,
      configFileKeys: loaded.fileKeys,
      persistence: cfg.appendonly || cfg["snapshot-every-seconds"] > 0 ? { log: (line) => process.stderr.write(`${line}\n`) } : undefined,
      onShutdown: () => process.exit(0),
    });
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message, 2);
    if (e instanceof ServerStartError) fail(e.message, 1);
    throw e;
  }
  const running = server;
  const stop = (): void => {
    running.stop().then(
      () => process.exit(0),
      (e: unknown) => fail(`stopping: ${e instanceof Error ? e.message : String(e)}`, 1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const host = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
  // Said when there is data to load (a fresh start prints nothing but the ready line).
  const dir = running.persistence?.opts.dir;
  const say = (): void => void process.stderr.write(`listening on ${host}:${server.port} (-LOADING), loading data from ${dir}\n`);
  let slow: ReturnType<typeof setTimeout> | undefined;
  if (dir !== undefined && hasData(dir)) say();
  else if (dir !== undefined) slow = setTimeout(say, 1000);
  running.ready.then(
    () => {
      clearTimeout(slow);
      process.stdout.write(`ready to accept connections on ${host}:${server.port}\n`);
    },
    (e: unknown) => fail(e instanceof Error ? e.message : String(e), 1),
  );
}

main();
