// The geo family's table entries (Redis 7.0 arity, flags, key specs, ACL categories). GEORADIUS
// and GEORADIUSBYMEMBER name their STORE/STOREDIST targets by movableKeys so routing across
// workers and transactions see them; GEOSEARCHSTORE's keys are fixed (destination, source).
import { defineCommand } from "../define.ts";
import { CmdFlag, type Args, type CommandEntry } from "../types.ts";
import { cmdGeoAdd, cmdGeoDist, cmdGeoHash, cmdGeoPos } from "./geo-points.ts";
import {
  cmdGeoRadius, cmdGeoRadiusByMember, cmdGeoRadiusByMemberRO, cmdGeoRadiusRO, cmdGeoSearch, cmdGeoSearchStore, storeKeyPositions,
} from "./geo-search.ts";

const { WRITE, READONLY, DENYOOM } = CmdFlag;
const ONE = [1, 1, 1] as const;
const R = ["read", "geo", "slow"] as const;
const W = ["write", "geo", "slow"] as const;

export const geoCommands: CommandEntry[] = [
  defineCommand({ name: "geoadd", arity: -5, flags: WRITE | DENYOOM, keys: ONE, categories: W,
    summary: "Add one or more geospatial items in the geospatial index represented using a sorted set", since: "3.2.0", handler: cmdGeoAdd }),
  defineCommand({ name: "geodist", arity: -4, flags: READONLY, keys: ONE, categories: R,
    summary: "Returns the distance between two members of a geospatial index", since: "3.2.0", handler: cmdGeoDist }),
  defineCommand({ name: "geohash", arity: -2, flags: READONLY, keys: ONE, categories: R,
    summary: "Returns members of a geospatial index as standard geohash strings", since: "3.2.0", handler: cmdGeoHash }),
  defineCommand({ name: "geopos", arity: -2, flags: READONLY, keys: ONE, categories: R,
    summary: "Returns longitude and latitude of members of a geospatial index", since: "3.2.0", handler: cmdGeoPos }),
  defineCommand({ name: "georadius", arity: -6, flags: WRITE | DENYOOM, keys: ONE, movableKeys: (argv: Args) => storeKeyPositions(argv, 6), categories: W,
    summary: "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point", since: "3.2.0", handler: cmdGeoRadius }),
  defineCommand({ name: "georadius_ro", arity: -6, flags: READONLY, keys: ONE, categories: R,
    summary: "A read-only variant for GEORADIUS", since: "3.2.10", handler: cmdGeoRadiusRO }),
  defineCommand({ name: "georadiusbymember", arity: -5, flags: WRITE | DENYOOM, keys: ONE, movableKeys: (argv: Args) => storeKeyPositions(argv, 5), categories: W,
    summary: "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member", since: "3.2.0", handler: cmdGeoRadiusByMember }),
  defineCommand({ name: "georadiusbymember_ro", arity: -5, flags: READONLY, keys: ONE, categories: R,
    summary: "A read-only variant for GEORADIUSBYMEMBER", since: "3.2.10", handler: cmdGeoRadiusByMemberRO }),
  defineCommand({ name: "geosearch", arity: -7, flags: READONLY, keys: ONE, categories: R,
    summary: "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.", since: "6.2.0", handler: cmdGeoSearch }),
  defineCommand({ name: "geosearchstore", arity: -8, flags: WRITE | DENYOOM, keys: [1, 2, 1], categories: W,
    summary: "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.", since: "6.2.0", handler: cmdGeoSearchStore }),
];
