// LPUSH RPUSH LPUSHX RPUSHX.
import { listPush } from "../../engine/list/list-type.ts";
import { ERR_OOM } from "../../protocol/errors.ts";
import type { Args, Client } from "../types.ts";
import { lookupListOrReply, WRONG_TYPE } from "./list-lookup.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

function pushGeneric(c: Client, argv: Args, left: boolean, onlyExisting: boolean): void {
  const key = argv[1]!;
  const slot = lookupListOrReply(c, key, false);
  if (slot === WRONG_TYPE) return;
  if (slot < 0 && onlyExisting) {
    c.reply.integer(0);
    return;
  }
  const n = listPush(c.db, key, slot, argv.slice(2), left);
  if (n < 0) return c.reply.error(ERR_OOM);
  c.reply.integer(n);
  notify(c, NC.LIST, left ? "lpush" : "rpush", key);
}

/** LPUSH key element [element ...] */
export const cmdLPush = (c: Client, argv: Args): void => pushGeneric(c, argv, true, false);
/** RPUSH key element [element ...] */
export const cmdRPush = (c: Client, argv: Args): void => pushGeneric(c, argv, false, false);
/** LPUSHX key element [element ...] */
export const cmdLPushX = (c: Client, argv: Args): void => pushGeneric(c, argv, true, true);
/** RPUSHX key element [element ...] */
export const cmdRPushX = (c: Client, argv: Args): void => pushGeneric(c, argv, false, true);
