// The package version, embedded at build time (`bun build --compile` bundles the JSON).
const pkg = require("../../package.json") as { version: string };

export const VERSION: string = pkg.version;
