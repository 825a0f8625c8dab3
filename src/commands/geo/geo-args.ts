// Argument readers and reply pieces shared by the geo commands (geo.c: extractLongLatOrReply,
// extractUnitOrReply, extractDistanceOrReply, extractBoxOrReply, addReplyDoubleDistance, and
// networking.c's addReplyHumanLongDouble for coordinates).
import { GEO_LAT_MAX, GEO_LAT_MIN, GEO_LONG_MAX, GEO_LONG_MIN } from "../../engine/geo/geohash.ts";
import { ERR_NOT_FLOAT } from "../../protocol/errors.ts";
import { bytesToLatin1, parseDouble } from "../args.ts";
import type { Args, Client } from "../types.ts";

/** C's printf("%f"). */
function printfF(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (Math.abs(x) >= 1e21) return `${BigInt(x)}.000000`;
  return Object.is(x, -0) ? "-0.000000" : x.toFixed(6);
}

/** argv[i], argv[i+1] as longitude, latitude within Redis's limits, or replies and undefined. */
export function lonLatOrReply(c: Client, argv: Args, i: number): [number, number] | undefined {
  const lon = parseDouble(argv[i]!);
  if (Number.isNaN(lon)) return void c.reply.error(ERR_NOT_FLOAT);
  const lat = parseDouble(argv[i + 1]!);
  if (Number.isNaN(lat)) return void c.reply.error(ERR_NOT_FLOAT);
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    return void c.reply.error(`ERR invalid longitude,latitude pair ${printfF(lon)},${printfF(lat)}`);
  }
  return [lon, lat];
}

/** Metres per unit of m, km, ft, mi (any case), or replies and returns undefined. */
export function unitOrReply(c: Client, arg: Uint8Array): number | undefined {
  switch (bytesToLatin1(arg).toLowerCase()) {
    case "m":
      return 1;
    case "km":
      return 1000;
    case "ft":
      return 0.3048;
    case "mi":
      return 1609.34;
  }
  return void c.reply.error("ERR unsupported unit provided. please use M, KM, FT, MI");
}

/** A number argument, or replies `ERR <msg>` and returns undefined. */
function numberOrReply(c: Client, arg: Uint8Array, msg: string): number | undefined {
  const v = parseDouble(arg);
  if (Number.isNaN(v)) return void c.reply.error(`ERR ${msg}`);
  return v;
}

/** `<radius> <unit>` at argv[i]: { radius (in the unit), conversion }, or replies and undefined. */
export function distanceOrReply(c: Client, argv: Args, i: number): { radius: number; conversion: number } | undefined {
  const radius = numberOrReply(c, argv[i]!, "need numeric radius");
  if (radius === undefined) return undefined;
  if (radius < 0) return void c.reply.error("ERR radius cannot be negative");
  const conversion = unitOrReply(c, argv[i + 1]!);
  return conversion === undefined ? undefined : { radius, conversion };
}

/** `<width> <height> <unit>` at argv[i], or replies and undefined. */
export function boxOrReply(c: Client, argv: Args, i: number): { width: number; height: number; conversion: number } | undefined {
  const width = numberOrReply(c, argv[i]!, "need numeric width");
  if (width === undefined) return undefined;
  const height = numberOrReply(c, argv[i + 1]!, "need numeric height");
  if (height === undefined) return undefined;
  if (height < 0 || width < 0) return void c.reply.error("ERR height or width cannot be negative");
  const conversion = unitOrReply(c, argv[i + 2]!);
  return conversion === undefined ? undefined : { width, height, conversion };
}

/** A distance with 4 decimals, as a bulk string (addReplyDoubleDistance: "%.4f"). */
export function replyDistance(c: Client, d: number): void {
  c.reply.bulkString(d.toFixed(4));
}

/** Long double "%.17Lf" with trailing zeros dropped (ld2string LD_STR_HUMAN) of a double. */
export function humanCoordinate(x: number): string {
  let s = x.toFixed(17);
  if (s.includes(".")) {
    let l = s.length;
    while (s.charCodeAt(l - 1) === 48) l--;
    if (s.charCodeAt(l - 1) === 46) l--;
    s = s.slice(0, l);
  }
  return s === "-0" ? "0" : s;
}

const ascii = new TextEncoder();

/** A coordinate as addReplyHumanLongDouble: a bulk string in RESP2, a double in RESP3. */
export function replyCoordinate(c: Client, x: number): void {
  const s = humanCoordinate(x);
  if (c.reply.resp === 3) c.reply.raw(ascii.encode(`,${s}\r\n`));
  else c.reply.bulkString(s);
}
