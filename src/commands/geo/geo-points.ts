// GEOADD GEODIST GEOHASH GEOPOS (geo.c): points are sorted set members whose score is the 52-bit
// geohash of their coordinates; GEOADD is ZADD with those scores, as Redis rewrites it.
import { geoDecodeScore, geohashString, geoScore } from "../../engine/geo/geohash.ts";
import { geoDistance } from "../../engine/geo/geo-distance.ts";
import { zsetScore } from "../../engine/zset/zset-type.ts";
import { ERR_SYNTAX } from "../../protocol/errors.ts";
import { isKeyword, latin1Bytes } from "../args.ts";
import type { Args, Client } from "../types.ts";
import { cmdZAdd } from "../zset/zset-write.ts";
import { lookupZSetOrReply, WRONG_TYPE } from "../zset/zset-lookup.ts";
import { lonLatOrReply, replyCoordinate, replyDistance, unitOrReply } from "./geo-args.ts";

const ZADD = latin1Bytes("zadd");

// GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]
export function cmdGeoAdd(c: Client, argv: Args): void {
  let nx = false;
  let xx = false;
  let at = 2;
  for (; at < argv.length; at++) {
    const a = argv[at]!;
    if (isKeyword(a, "nx")) nx = true;
    else if (isKeyword(a, "xx")) xx = true;
    else if (!isKeyword(a, "ch")) break;
  }
  if ((argv.length - at) % 3 !== 0 || (xx && nx)) return c.reply.error(ERR_SYNTAX);
  // ZADD key [options] score member ...: the options as given, each point's score from its coordinates.
  const zadd: Uint8Array[] = [ZADD, ...argv.slice(1, at)];
  for (let i = at; i < argv.length; i += 3) {
    const xy = lonLatOrReply(c, argv, i);
    if (xy === undefined) return;
    zadd.push(latin1Bytes(String(geoScore(xy[0], xy[1])!)), argv[i + 2]!);
  }
  cmdZAdd(c, zadd);
}

// GEODIST key member1 member2 [M|KM|FT|MI]
export function cmdGeoDist(c: Client, argv: Args): void {
  let toMeter = 1;
  if (argv.length === 5) {
    const u = unitOrReply(c, argv[4]!);
    if (u === undefined) return;
    toMeter = u;
  } else if (argv.length > 5) return c.reply.error(ERR_SYNTAX);
  const slot = lookupZSetOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return c.reply.nullBulk();
  const s1 = zsetScore(c.db, slot, argv[2]!);
  const s2 = zsetScore(c.db, slot, argv[3]!);
  if (s1 === undefined || s2 === undefined) return c.reply.nullBulk();
  const [x1, y1] = geoDecodeScore(s1);
  const [x2, y2] = geoDecodeScore(s2);
  replyDistance(c, geoDistance(x1, y1, x2, y2) / toMeter);
}

// GEOHASH key [member ...]
export function cmdGeoHash(c: Client, argv: Args): void {
  const slot = lookupZSetOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  c.reply.arrayHeader(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = slot < 0 ? undefined : zsetScore(c.db, slot, argv[j]!);
    if (score === undefined) c.reply.nullBulk();
    else c.reply.bulkString(geohashString(score));
  }
}

// GEOPOS key [member ...]
export function cmdGeoPos(c: Client, argv: Args): void {
  const slot = lookupZSetOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  c.reply.arrayHeader(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = slot < 0 ? undefined : zsetScore(c.db, slot, argv[j]!);
    if (score === undefined) {
      c.reply.nullArray();
      continue;
    }
    const [lon, lat] = geoDecodeScore(score);
    c.reply.arrayHeader(2);
    replyCoordinate(c, lon);
    replyCoordinate(c, lat);
  }
}
