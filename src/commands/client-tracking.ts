// CLIENT TRACKING, CLIENT CACHING, CLIENT GETREDIR, CLIENT TRACKINGINFO: Redis 7.0's
// clientCommand branches, options and errors word for word. The tracking itself is
// src/commands/tracking.ts.
import { ERR_SYNTAX } from "../protocol/errors.ts";
import { disableTracking, enableTracking, prefixesOf, type TrackingClient } from "./tracking.ts";
import { bytesToLatin1, isKeyword, parseInt64 } from "./args.ts";
import type { Args, Client } from "./types.ts";

const ERR_INTEGER = "ERR value is not an integer or out of range";

/** Either is a prefix of the other (Redis's stringCheckPrefix). */
const overlaps = (a: string, b: string): boolean => a.startsWith(b) || b.startsWith(a);

// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
export function cmdTracking(c: Client, argv: Args): void {
  let redirect = 0;
  let bcast = false;
  let optin = false;
  let optout = false;
  let noloop = false;
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const a = argv[j]!;
    if (isKeyword(a, "redirect") && more > 0) {
      j++;
      if (redirect !== 0) return c.reply.error("ERR A client can only redirect to a single other client");
      const id = parseInt64(argv[j]!);
      if (Number.isNaN(id)) return c.reply.error(ERR_INTEGER);
      if (!c.server.clients.has(id)) return c.reply.error("ERR The client ID you want redirect to does not exist");
      redirect = id;
    } else if (isKeyword(a, "bcast")) bcast = true;
    else if (isKeyword(a, "optin")) optin = true;
    else if (isKeyword(a, "optout")) optout = true;
    else if (isKeyword(a, "noloop")) noloop = true;
    else if (isKeyword(a, "prefix") && more > 0) prefixes.push(bytesToLatin1(argv[++j]!));
    else return c.reply.error(ERR_SYNTAX);
  }
  const mode = argv[2]!;
  if (isKeyword(mode, "on")) {
    const t = (c as TrackingClient).tracking;
    if (!bcast && prefixes.length > 0) return c.reply.error("ERR PREFIX option requires BCAST mode to be enabled");
    if (t !== undefined && t.bcast !== bcast) {
      return c.reply.error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.");
    }
    if (bcast && (optin || optout)) return c.reply.error("ERR OPTIN and OPTOUT are not compatible with BCAST");
    if (optin && optout) return c.reply.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
    if (t !== undefined && ((optin && t.optout) || (optout && t.optin))) {
      return c.reply.error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.");
    }
    if (bcast) {
      const existing = prefixesOf(c);
      for (let i = 0; i < prefixes.length; i++) {
        const p = prefixes[i]!;
        for (const e of existing) {
          if (overlaps(e, p)) return c.reply.error(`ERR Prefix '${p}' overlaps with an existing prefix '${e}'. Prefixes for a single client must not overlap.`);
        }
        for (let j = i + 1; j < prefixes.length; j++) {
          if (overlaps(p, prefixes[j]!)) return c.reply.error(`ERR Prefix '${p}' overlaps with another provided prefix '${prefixes[j]!}'. Prefixes for a single client must not overlap.`);
        }
      }
    }
    enableTracking(c, { redirect, bcast, optin, optout, noloop, prefixes: [] }, prefixes);
  } else if (isKeyword(mode, "off")) {
    disableTracking(c);
  } else {
    return c.reply.error(ERR_SYNTAX);
  }
  c.reply.ok();
}

// CLIENT CACHING YES|NO
export function cmdCaching(c: Client, argv: Args): void {
  const t = (c as TrackingClient).tracking;
  if (t === undefined) return c.reply.error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled");
  const opt = argv[2]!;
  if (isKeyword(opt, "yes")) {
    if (!t.optin) return c.reply.error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
  } else if (isKeyword(opt, "no")) {
    if (!t.optout) return c.reply.error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
  } else {
    return c.reply.error(ERR_SYNTAX);
  }
  t.caching = true;
  c.reply.ok();
}

// CLIENT GETREDIR
export function cmdGetRedir(c: Client): void {
  const t = (c as TrackingClient).tracking;
  c.reply.integer(t === undefined ? -1 : t.redirect);
}

// CLIENT TRACKINGINFO
export function cmdTrackingInfo(c: Client): void {
  const t = (c as TrackingClient).tracking;
  const flags: string[] = [t === undefined ? "off" : "on"];
  if (t !== undefined) {
    if (t.bcast) flags.push("bcast");
    if (t.optin) flags.push("optin");
    if (t.optin && t.caching) flags.push("caching-yes");
    if (t.optout) flags.push("optout");
    if (t.optout && t.caching) flags.push("caching-no");
    if (t.noloop) flags.push("noloop");
    if (t.brokenRedirect) flags.push("broken_redirect");
  }
  const r = c.reply;
  r.mapHeader(3);
  r.bulkString("flags");
  r.setHeader(flags.length);
  for (const f of flags) r.bulkString(f);
  r.bulkString("redirect");
  r.integer(t === undefined ? -1 : t.redirect);
  r.bulkString("prefixes");
  const prefixes = t === undefined ? [] : [...t.prefixes].sort();
  r.arrayHeader(prefixes.length);
  for (const p of prefixes) r.bulk(Buffer.from(p, "latin1"));
}

/** CLIENT LIST flag letters t, R, B (in Redis's order, after b) and the `redir=` field. */
export function trackingFlags(c: Client): string {
  const t = (c as TrackingClient).tracking;
  if (t === undefined) return "";
  return "t" + (t.brokenRedirect ? "R" : "") + (t.bcast ? "B" : "");
}

export function trackingRedirect(c: Client): number {
  const t = (c as TrackingClient).tracking;
  return t === undefined ? -1 : t.redirect;
}
