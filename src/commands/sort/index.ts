// The SORT family's table entries (Redis 7.0: SORT -2 write denyoom movablekeys, SORT_RO -2 readonly).
// SORT's keys are the source and STORE's destination (movableKeys), so routing and transactions
// see the destination; the keys BY/GET patterns read are found at run time (src/cluster/sort-cross.ts).
import { defineCommand } from "../define.ts";
import { CmdFlag, type CommandEntry } from "../types.ts";
import { cmdSort, cmdSortRo } from "./sort-command.ts";
import { sortKeyPositions } from "./sort-options.ts";
import { sortPatternKeys } from "./sort-keys.ts";

const { WRITE, READONLY, DENYOOM } = CmdFlag;

export { sortRun } from "./sort-command.ts";
export { parseSortOptions } from "./sort-options.ts";
export { keyPatterns } from "./sort-keys.ts";

export const sortCommands: CommandEntry[] = [
  defineCommand({ name: "sort", arity: -2, flags: WRITE | DENYOOM, keys: [1, 1, 1], movableKeys: sortKeyPositions, patternKeys: sortPatternKeys,
    categories: ["write", "set", "sortedset", "list", "slow", "dangerous"],
    summary: "Sort the elements in a list, set or sorted set", since: "1.0.0", handler: cmdSort }),
  defineCommand({ name: "sort_ro", arity: -2, flags: READONLY, keys: [1, 1, 1], movableKeys: () => [1], patternKeys: sortPatternKeys,
    categories: ["read", "set", "sortedset", "list", "slow", "dangerous"],
    summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", since: "7.0.0", handler: cmdSortRo }),
];
