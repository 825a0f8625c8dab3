import { describe, expect, test } from "bun:test";
import { crc16, keyHashSlot, machineSlotMap, parsePeers, parseRanges, SLOT_COUNT, SlotMap, splitSlots } from "../../src/cluster/slots.ts";

const b = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("hash slots", () => {
  test("CRC16/XMODEM matches the reference check value", () => {
    expect(crc16(b("123456789"))).toBe(0x31c3);
  });

  test("key slots match Redis Cluster's CLUSTER KEYSLOT", () => {
    expect(keyHashSlot(b("foo"))).toBe(12182);
    expect(keyHashSlot(b("somekey"))).toBe(11058);
    expect(keyHashSlot(b("hello"))).toBe(866);
  });

  test("a non-empty hash tag is hashed alone; an empty or unclosed one is not", () => {
    expect(keyHashSlot(b("{user1000}.following"))).toBe(keyHashSlot(b("user1000")));
    expect(keyHashSlot(b("{user1000}.followers"))).toBe(keyHashSlot(b("user1000")));
    expect(keyHashSlot(b("foo{}{bar}"))).toBe(keyHashSlot(b("foo{}{bar}")));
    expect(keyHashSlot(b("foo{}{bar}"))).not.toBe(keyHashSlot(b("bar")));
    expect(keyHashSlot(b("foo{{bar}}zap"))).toBe(keyHashSlot(b("{bar")));
    expect(keyHashSlot(b("foo{bar}{zap}"))).toBe(keyHashSlot(b("bar")));
    expect(keyHashSlot(b("{abc"))).toBe(crc16(b("{abc")) & 16383);
  });

  test("slots split into contiguous ranges that cover everything once", () => {
    for (const n of [1, 2, 3, 7, 16]) {
      const ranges = splitSlots(n);
      expect(ranges.length).toBe(n);
      expect(ranges[0]!.start).toBe(0);
      expect(ranges[n - 1]!.end).toBe(SLOT_COUNT - 1);
      for (let i = 1; i < n; i++) expect(ranges[i]!.start).toBe(ranges[i - 1]!.end + 1);
      const sizes = ranges.map((r) => r.end - r.start + 1);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(() => splitSlots(0)).toThrow(RangeError);
  });

  test("a slot map answers owners and gives back each owner's ranges", () => {
    const m = SlotMap.even(3);
    expect(m.ownerOfSlot(0)).toBe(0);
    expect(m.ownerOfSlot(16383)).toBe(2);
    expect(m.rangesOf(1)).toEqual([splitSlots(3)[1]!]);
    expect(m.assigned()).toBe(SLOT_COUNT);
    const partial = new SlotMap([[{ start: 0, end: 9 }, { start: 20, end: 29 }]]);
    expect(partial.rangesOf(0)).toEqual([{ start: 0, end: 9 }, { start: 20, end: 29 }]);
    expect(partial.assigned()).toBe(20);
    expect(m.ownerOfKey(b("foo"))).toBe(2);
  });
});

describe("static multi-machine slot maps", () => {
  test("this machine's slots are split among its workers; the peers own the rest", () => {
    const peers = parsePeers("10000-12000@10.0.0.2:7001,12001-16383@10.0.0.3:7001,16383-16383@10.0.0.3:7001");
    expect(peers.map((p) => `${p.host}:${p.port}`)).toEqual(["10.0.0.2:7001", "10.0.0.3:7001"]);
    const m = machineSlotMap(2, parseRanges("0-9999"), peers);
    expect(m.rangesOf(0)).toEqual([{ start: 0, end: 4999 }]);
    expect(m.rangesOf(1)).toEqual([{ start: 5000, end: 9999 }]);
    expect(m.rangesOf(2)).toEqual([{ start: 10000, end: 12000 }]);
    expect(m.rangesOf(3)).toEqual([{ start: 12001, end: 16383 }]);
    expect(m.assigned()).toBe(SLOT_COUNT);
  });

  test("an uneven local set is still split into equal contiguous runs", () => {
    const m = machineSlotMap(3, parseRanges("0-9,100-109"), []);
    expect(m.rangesOf(0)).toEqual([{ start: 0, end: 6 }]);
    expect(m.rangesOf(1)).toEqual([{ start: 7, end: 9 }, { start: 100, end: 103 }]);
    expect(m.rangesOf(2)).toEqual([{ start: 104, end: 109 }]);
    expect(m.assigned()).toBe(20);
  });
});
