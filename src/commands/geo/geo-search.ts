// GEORADIUS GEORADIUSBYMEMBER (and _RO) GEOSEARCH GEOSEARCHSTORE: one parser and one search, as
// geo.c's georadiusGeneric (same option rules, same order of checks, same errors, same replies).
import { type GeoShape } from "../../engine/geo/geo-shape.ts";
import { geoDecodeScore } from "../../engine/geo/geohash.ts";
import { zsetReplace, zsetScore } from "../../engine/zset/zset-type.ts";
import type { Status } from "../../engine/types.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX } from "../../protocol/errors.ts";
import { bytesToLatin1, isKeyword, parseInt64 } from "../args.ts";
import { replyWriteFailure } from "../string-value.ts";
import type { Args, Client } from "../types.ts";
import { lookupZSetOrReply, WRONG_TYPE } from "../zset/zset-lookup.ts";
import { boxOrReply, distanceOrReply, lonLatOrReply, replyCoordinate, replyDistance } from "./geo-args.ts";
import { geoPointsInShape, sortByDistance, type GeoPoint } from "./geo-scan.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

export const enum SearchKind {
  /** GEORADIUS[_RO] key lon lat radius unit ... */
  Coords,
  /** GEORADIUSBYMEMBER[_RO] key member radius unit ... */
  Member,
  /** GEOSEARCH key ... / GEOSEARCHSTORE dst key ... */
  Search,
}

interface SearchCall {
  kind: SearchKind;
  /** The _RO forms and GEOSEARCH: no STORE option. */
  noStore: boolean;
  /** GEOSEARCHSTORE: argv[1] is the destination. */
  searchStore: boolean;
}

const ERR_MEMBER = "ERR could not decode requested zset member";

/** The centre of a FROMMEMBER / BYMEMBER search, or replies and undefined. */
function memberCentre(c: Client, slot: number, member: Uint8Array): [number, number] | undefined {
  const score = zsetScore(c.db, slot, member);
  if (score === undefined) return void c.reply.error(ERR_MEMBER);
  return geoDecodeScore(score);
}

function georadiusGeneric(c: Client, argv: Args, call: SearchCall): void {
  const srcIndex = call.searchStore ? 2 : 1;
  const slot = lookupZSetOrReply(c, argv[srcIndex]!, true);
  if (slot === WRONG_TYPE) return;
  let storeKey: Uint8Array | undefined;
  let storeDist = false;
  let base: number;
  let centre: [number, number] | undefined;
  let size: { radius: number; conversion: number } | { width: number; height: number; conversion: number } | undefined;
  let box = false;
  if (call.kind === SearchKind.Coords) {
    base = 6;
    centre = lonLatOrReply(c, argv, 2);
    if (centre === undefined) return;
    size = distanceOrReply(c, argv, 4);
    if (size === undefined) return;
  } else if (call.kind === SearchKind.Member) {
    base = 5;
    if (slot >= 0) {
      centre = memberCentre(c, slot, argv[2]!);
      if (centre === undefined) return;
      size = distanceOrReply(c, argv, 3);
      if (size === undefined) return;
    }
  } else {
    base = 2;
    if (call.searchStore) {
      base = 3;
      storeKey = argv[1]!;
    }
  }
  let withDist = false;
  let withHash = false;
  let withCoord = false;
  let fromMember = false;
  let fromLoc = false;
  let byRadius = false;
  let byBox = false;
  let sort: "none" | "asc" | "desc" = "none";
  let any = false;
  let count = 0;
  const search = call.kind === SearchKind.Search;
  const remaining = argv.length - base;
  for (let i = 0; i < remaining; i++) {
    const j = base + i;
    const a = argv[j]!;
    if (isKeyword(a, "withdist")) withDist = true;
    else if (isKeyword(a, "withhash")) withHash = true;
    else if (isKeyword(a, "withcoord")) withCoord = true;
    else if (isKeyword(a, "any")) any = true;
    else if (isKeyword(a, "asc")) sort = "asc";
    else if (isKeyword(a, "desc")) sort = "desc";
    else if (isKeyword(a, "count") && i + 1 < remaining) {
      const n = parseInt64(argv[j + 1]!);
      if (Number.isNaN(n)) return c.reply.error(ERR_NOT_INTEGER);
      if (n <= 0) return c.reply.error("ERR COUNT must be > 0");
      count = n;
      i++;
    } else if ((isKeyword(a, "store") || isKeyword(a, "storedist")) && i + 1 < remaining && !call.noStore && !search) {
      storeKey = argv[j + 1]!;
      storeDist = isKeyword(a, "storedist");
      i++;
    } else if (isKeyword(a, "storedist") && search && call.searchStore) storeDist = true;
    else if (isKeyword(a, "frommember") && i + 1 < remaining && search && !fromLoc) {
      if (slot >= 0) {
        centre = memberCentre(c, slot, argv[j + 1]!);
        if (centre === undefined) return;
      }
      fromMember = true;
      i++;
    } else if (isKeyword(a, "fromlonlat") && i + 2 < remaining && search && !fromMember) {
      centre = lonLatOrReply(c, argv, j + 1);
      if (centre === undefined) return;
      fromLoc = true;
      i += 2;
    } else if (isKeyword(a, "byradius") && i + 2 < remaining && search && !byBox) {
      size = distanceOrReply(c, argv, j + 1);
      if (size === undefined) return;
      box = false;
      byRadius = true;
      i += 2;
    } else if (isKeyword(a, "bybox") && i + 3 < remaining && search && !byRadius) {
      size = boxOrReply(c, argv, j + 1);
      if (size === undefined) return;
      box = true;
      byBox = true;
      i += 3;
    } else return c.reply.error(ERR_SYNTAX);
  }
  if (storeKey !== undefined && (withDist || withHash || withCoord)) {
    const what = call.searchStore ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS";
    return c.reply.error(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  const name = bytesToLatin1(argv[0]!);
  if (search && !(fromMember || fromLoc)) return c.reply.error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${name}`);
  if (search && !(byRadius || byBox)) return c.reply.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${name}`);
  if (any && count === 0) return c.reply.error("ERR the ANY argument requires COUNT argument");
  if (slot < 0) {
    if (storeKey === undefined) return c.reply.arrayHeader(0);
    if (c.db.delete(storeKey)) notify(c, NC.GENERIC, "del", storeKey);
    return c.reply.integer(0);
  }
  if (count !== 0 && sort === "none" && !any) sort = "asc";
  const [lon, lat] = centre!;
  const shape: GeoShape = box
    ? { kind: "box", lon, lat, ...(size as { width: number; height: number; conversion: number }) }
    : { kind: "radius", lon, lat, ...(size as { radius: number; conversion: number }) };
  const found = geoPointsInShape(c.db, slot, shape, any ? count : 0);
  if (found.length === 0 && storeKey === undefined) return c.reply.arrayHeader(0);
  const returned = count === 0 || found.length < count ? found.length : count;
  if (sort !== "none") sortByDistance(found, sort === "desc");
  const conversion = shape.conversion;
  if (storeKey === undefined) return replyPoints(c, found, returned, conversion, withDist, withHash, withCoord);
  const members: Uint8Array[] = [];
  const scores: number[] = [];
  for (let i = 0; i < returned; i++) {
    const p = found[i]!;
    members.push(p.member);
    scores.push(storeDist ? p.dist / conversion : p.score);
  }
  const existed = c.db.peek(storeKey) >= 0;
  const n = zsetReplace(c.db, storeKey, members, scores, "whole");
  if (n < 0 && replyWriteFailure(c, -n as Status)) return;
  c.reply.integer(returned);
  if (returned > 0) notify(c, NC.ZSET, call.searchStore ? "geosearchstore" : "georadiusstore", storeKey);
  else if (existed) notify(c, NC.GENERIC, "del", storeKey);
}

function replyPoints(c: Client, found: GeoPoint[], returned: number, conversion: number, withDist: boolean, withHash: boolean, withCoord: boolean): void {
  const options = (withDist ? 1 : 0) + (withCoord ? 1 : 0) + (withHash ? 1 : 0);
  c.reply.arrayHeader(returned);
  for (let i = 0; i < returned; i++) {
    const p = found[i]!;
    if (options > 0) c.reply.arrayHeader(options + 1);
    c.reply.bulk(p.member);
    if (withDist) replyDistance(c, p.dist / conversion);
    if (withHash) c.reply.integer(p.score);
    if (withCoord) {
      c.reply.arrayHeader(2);
      replyCoordinate(c, p.lon);
      replyCoordinate(c, p.lat);
    }
  }
}

const RADIUS: SearchCall = { kind: SearchKind.Coords, noStore: false, searchStore: false };
const RADIUS_RO: SearchCall = { kind: SearchKind.Coords, noStore: true, searchStore: false };
const BY_MEMBER: SearchCall = { kind: SearchKind.Member, noStore: false, searchStore: false };
const BY_MEMBER_RO: SearchCall = { kind: SearchKind.Member, noStore: true, searchStore: false };
const SEARCH: SearchCall = { kind: SearchKind.Search, noStore: true, searchStore: false };
const SEARCH_STORE: SearchCall = { kind: SearchKind.Search, noStore: true, searchStore: true };

export const cmdGeoRadius = (c: Client, argv: Args): void => georadiusGeneric(c, argv, RADIUS);
export const cmdGeoRadiusRO = (c: Client, argv: Args): void => georadiusGeneric(c, argv, RADIUS_RO);
export const cmdGeoRadiusByMember = (c: Client, argv: Args): void => georadiusGeneric(c, argv, BY_MEMBER);
export const cmdGeoRadiusByMemberRO = (c: Client, argv: Args): void => georadiusGeneric(c, argv, BY_MEMBER_RO);
export const cmdGeoSearch = (c: Client, argv: Args): void => georadiusGeneric(c, argv, SEARCH);
export const cmdGeoSearchStore = (c: Client, argv: Args): void => georadiusGeneric(c, argv, SEARCH_STORE);

/**
 * Key positions of GEORADIUS / GEORADIUSBYMEMBER: the source and each STORE/STOREDIST target
 * (options start at `optionsFrom`).
 */
export function storeKeyPositions(argv: Args, optionsFrom: number): number[] {
  const out = [1];
  for (let j = optionsFrom; j + 1 < argv.length; j++) {
    if (isKeyword(argv[j]!, "store") || isKeyword(argv[j]!, "storedist")) {
      out.push(j + 1);
      j++;
    }
  }
  return out;
}
