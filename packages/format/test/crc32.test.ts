import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32 } from "../src/index.js";

/** Bit-at-a-time CRC-32, the textbook definition, to check the table-driven one. */
function crc32Bitwise(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe("crc32", () => {
  it("gives the standard check values", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(new TextEncoder().encode("The quick brown fox jumps over the lazy dog"))).toBe(0x414fa339);
  });
  it("matches the bitwise definition, for any range and in pieces", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, split) => {
        const whole = crc32(bytes);
        expect(whole).toBe(crc32Bitwise(bytes));
        const at = bytes.length === 0 ? 0 : split % bytes.length;
        expect(crc32(bytes, at, bytes.length, crc32(bytes, 0, at))).toBe(whole);
      }),
    );
  });
});
