// TLS on `tls-port` (Bun's built-in TLS), from Redis's parameters: tls-cert-file and tls-key-file
// for the server, tls-ca-cert-file to verify client certificates, tls-auth-clients yes (a client
// without a valid certificate is refused at the handshake), optional (checked only when sent) or
// no (none asked). The files are read at start; a missing or unreadable one stops start-up with
// its parameter named. A plaintext client on the TLS port fails the handshake and is dropped.
import { readFileSync } from "node:fs";
import type { TLSOptions } from "bun";
import type { ServerConfig } from "../config/params.ts";

function pem(cfg: ServerConfig, name: "tls-cert-file" | "tls-key-file" | "tls-ca-cert-file"): string {
  const path = cfg[name];
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${name} '${path}': ${(e as Error).message}`);
  }
}

export function tlsOptionsOf(cfg: ServerConfig): TLSOptions {
  if (cfg["tls-cert-file"] === "" || cfg["tls-key-file"] === "") throw new Error("tls-port needs tls-cert-file and tls-key-file");
  const auth = cfg["tls-auth-clients"];
  if (auth !== "no" && cfg["tls-ca-cert-file"] === "") throw new Error(`tls-auth-clients ${auth} needs tls-ca-cert-file (or set tls-auth-clients no)`);
  return {
    cert: pem(cfg, "tls-cert-file"),
    key: pem(cfg, "tls-key-file"),
    ...(cfg["tls-ca-cert-file"] !== "" ? { ca: pem(cfg, "tls-ca-cert-file") } : {}),
    requestCert: auth !== "no",
    rejectUnauthorized: auth === "yes",
  };
}
