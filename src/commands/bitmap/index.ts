// The bitmap family's table entries (Redis 7.0 arity, flags, key specs, ACL categories): bit
// commands over string values (bitops.c).
import { defineCommand } from "../define.ts";
import { CmdFlag, type CommandEntry } from "../types.ts";
import { cmdBitCount, cmdBitPos, cmdGetBit, cmdSetBit } from "./bitmap-basic.ts";
import { cmdBitField, cmdBitFieldRo } from "./bitmap-bitfield.ts";
import { cmdBitOp } from "./bitmap-bitop.ts";

const { WRITE, READONLY, DENYOOM, FAST } = CmdFlag;
const ONE = [1, 1, 1] as const;
const RF = ["read", "bitmap", "fast"] as const;
const RS = ["read", "bitmap", "slow"] as const;
const WS = ["write", "bitmap", "slow"] as const;

export const bitmapCommands: CommandEntry[] = [
  defineCommand({ name: "setbit", arity: 4, flags: WRITE | DENYOOM, keys: ONE, categories: WS,
    summary: "Sets or clears the bit at offset in the string value stored at key", since: "2.2.0", handler: cmdSetBit }),
  defineCommand({ name: "getbit", arity: 3, flags: READONLY | FAST, keys: ONE, categories: RF,
    summary: "Returns the bit value at offset in the string value stored at key", since: "2.2.0", handler: cmdGetBit }),
  defineCommand({ name: "bitcount", arity: -2, flags: READONLY, keys: ONE, categories: RS,
    summary: "Count set bits in a string", since: "2.6.0", handler: cmdBitCount }),
  defineCommand({ name: "bitpos", arity: -3, flags: READONLY, keys: ONE, categories: RS,
    summary: "Find first bit set or clear in a string", since: "2.8.7", handler: cmdBitPos }),
  defineCommand({ name: "bitop", arity: -4, flags: WRITE | DENYOOM, keys: [2, -1, 1], categories: WS,
    summary: "Perform bitwise operations between strings", since: "2.6.0", handler: cmdBitOp }),
  defineCommand({ name: "bitfield", arity: -2, flags: WRITE | DENYOOM, keys: ONE, categories: WS,
    summary: "Perform arbitrary bitfield integer operations on strings", since: "3.2.0", handler: cmdBitField }),
  defineCommand({ name: "bitfield_ro", arity: -2, flags: READONLY | FAST, keys: ONE, categories: RF,
    summary: "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", since: "6.0.0", handler: cmdBitFieldRo }),
];
