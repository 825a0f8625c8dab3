// fast-cache-server entry point: flags → config → server. Prints one ready line; SIGINT/SIGTERM
// stop it cleanly (exit 0); configuration and listen errors print one line and exit 1.

import { helpText, parseCliArgs } from "./config/flags.ts";
import { ConfigError, loadConfig } from "./config/load.ts";
import { ServerStartError, startServer } from "./server/server.ts";
import { VERSION } from "./server/version.ts";

function fail(message: string, code: number): never {
  process.stderr.write(`fast-cache-server: ${message}\n`);
  process.exit(code);
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
    const loaded = loadConfig({ file: req.configFile, flags: req.flags });
    server = startServer({
      config: loaded.config,
      configFile: loaded.file,
      configFileKeys: loaded.fileKeys,
      onShutdown: () => process.exit(0),
    });
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message, 2);
    if (e instanceof ServerStartError) fail(e.message, 1);
    throw e;
  }
  const running = server;
  const stop = (): void => {
    void running.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const host = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
  process.stdout.write(`ready to accept connections on ${host}:${server.port}\n`);
}

main();
