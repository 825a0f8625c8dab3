// TLS on `tls-port` (Bun's built-in TLS), from Redis's parameters: tls-cert-file and tls-key-file
// for the server, tls-ca-cert-file to verify client certificates, tls-auth-clients yes (a client
// without a valid certificate is refused at the handshake), optional (checked only when sent) or
// no (none asked); tls-protocols (default "TLSv1.2 TLSv1.3", as OpenSSL's SSL_OP_NO_* bits) and
// tls-ciphers (TLS 1.2 cipher list). The files are read at start; a missing or unreadable one
// stops start-up with its parameter named. A plaintext client on the TLS port is dropped.
// CONFIG SET of any of these rebuilds the options and re-listens (see TLS_RELOAD_PARAMS): new
// connections get the new certificate, open ones keep theirs.
import { constants } from "node:crypto";
import { readFileSync } from "node:fs";
import type { TLSOptions } from "bun";
import type { ParamName, ServerConfig } from "../config/params.ts";

/** Parameters whose CONFIG SET reloads the TLS listener. */
export const TLS_RELOAD_PARAMS: readonly ParamName[] = ["tls-cert-file", "tls-key-file", "tls-ca-cert-file", "tls-auth-clients", "tls-protocols", "tls-ciphers"];

/** tls-protocols words → the OpenSSL option that turns each off. */
const PROTOCOLS: Record<string, number> = {
  tlsv1: constants.SSL_OP_NO_TLSv1,
  "tlsv1.1": constants.SSL_OP_NO_TLSv1_1,
  "tlsv1.2": constants.SSL_OP_NO_TLSv1_2,
  "tlsv1.3": constants.SSL_OP_NO_TLSv1_3,
};
export const ERR_TLS_PROTOCOLS = "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.";

/** True when every word of `text` names a protocol ("" = the default TLSv1.2 TLSv1.3). */
export function validProtocols(text: string): boolean {
  return text.trim().split(/\s+/).filter((w) => w !== "").every((w) => PROTOCOLS[w.toLowerCase()] !== undefined);
}

/** The secureOptions bits that leave only the protocols `text` names. */
function protocolOptions(text: string): number {
  const words = text.trim().split(/\s+/).filter((w) => w !== "").map((w) => w.toLowerCase());
  const on = new Set(words.length === 0 ? ["tlsv1.2", "tlsv1.3"] : words);
  let bits = 0;
  for (const [name, bit] of Object.entries(PROTOCOLS)) if (!on.has(name)) bits |= bit;
  return bits;
}

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
  if (!validProtocols(cfg["tls-protocols"])) throw new Error(ERR_TLS_PROTOCOLS);
  return {
    cert: pem(cfg, "tls-cert-file"),
    key: pem(cfg, "tls-key-file"),
    ...(cfg["tls-ca-cert-file"] !== "" ? { ca: pem(cfg, "tls-ca-cert-file") } : {}),
    requestCert: auth !== "no",
    rejectUnauthorized: auth === "yes",
    secureOptions: protocolOptions(cfg["tls-protocols"]),
    ...(cfg["tls-ciphers"] !== "" ? { ciphers: cfg["tls-ciphers"] } : {}),
  };
}

/** What a TLS reload needs of a listener. */
interface TlsListener {
  readonly port: number;
  stop(closeActiveConnections?: boolean): void;
}

/**
 * CONFIG SET of a TLS parameter: a new TLS listener with the new options, then the old one closed
 * (open connections stay); when the options cannot be built the old listener stays. The returned
 * function defers the reload to the end of the command, so one CONFIG SET of a certificate and its
 * key applies both.
 */
export function tlsReloader<L extends TlsListener>(
  cfg: ServerConfig,
  current: () => L,
  replace: (next: L) => void,
  listen: (port: number, tls: TLSOptions) => L,
  log: (line: string) => void,
): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      try {
        const next = tlsOptionsOf(cfg);
        const old = current();
        try {
          replace(listen(old.port, next));
        } catch (e) {
          if (!String((e as Error).message).includes("EADDRINUSE")) throw e;
          old.stop(false); // no SO_REUSEPORT: a short gap instead
          replace(listen(old.port, next));
        }
        old.stop(false);
      } catch (e) {
        log(`TLS configuration not reloaded (the previous one stays): ${(e as Error).message}`);
      }
    });
  };
}
