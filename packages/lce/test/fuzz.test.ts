import { describe, expect, it } from "vitest";
import { importLceModel, LceError, readTflite } from "../src/index.js";
import { buildTflite } from "./build-tflite.js";
import { quicknetBytes, rng } from "./fixture.js";

// Damaged files must end in a typed LceError (or read, when the damage hits only data), never in
// another exception, a hang or a huge allocation.

function outcome(bytes: Uint8Array, importToo = false): string {
  try {
    if (importToo) importLceModel(bytes);
    else readTflite(bytes);
    return "OK";
  } catch (error) {
    if (error instanceof LceError) return error.code;
    throw error;
  }
}

const small = buildTflite({
  tensors: [
    { shape: [1, 4] },
    { shape: [2, 4], data: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8) },
    { shape: [1, 2] },
  ],
  ops: [{ op: "FULLY_CONNECTED", inputs: [0, 1, -1], outputs: [2] }],
  inputs: [0],
  outputs: [2],
});

describe("damaged files", () => {
  it("every truncation of a small model is a typed error", () => {
    for (let length = 0; length < small.length; length++) {
      expect(outcome(small.subarray(0, length))).not.toBe("OK");
    }
  });

  it("truncations of QuickNet at 300 points are typed errors", () => {
    const random = rng(16);
    for (let k = 0; k < 300; k++) {
      const length = Math.floor(random() * quicknetBytes.length);
      expect(outcome(quicknetBytes.subarray(0, length))).not.toBe("OK");
    }
  });

  it("every single-byte change of a small model reads or fails with a typed error", () => {
    const codes = new Set<string>();
    for (let at = 0; at < small.length; at++) {
      for (const value of [0x00, 0xff, small[at]! ^ 0x80]) {
        const bytes = small.slice();
        bytes[at] = value;
        codes.add(outcome(bytes));
      }
    }
    expect(codes.size).toBeGreaterThan(2);
  });

  it("random byte flips in QuickNet's tables read or fail with a typed error", () => {
    const random = rng(7);
    // The tables sit around the weights: the root table in the first bytes, the subgraph at the end.
    const regions = [
      [0, 4096],
      [quicknetBytes.length - 65536, quicknetBytes.length],
    ] as const;
    for (let k = 0; k < 400; k++) {
      const bytes = quicknetBytes.slice();
      const [from, to] = regions[k % 2]!;
      for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) {
        bytes[from + Math.floor(random() * (to - from))] = Math.floor(random() * 256);
      }
      outcome(bytes);
    }
  });

  it("a crafted vector length of 2^31 is rejected before anything is allocated", () => {
    // Every uint32 equal to 3 (the tensors vector's length among them) is set to 2^31 − 1 in turn;
    // `outcome` fails the test on anything but a typed error.
    const view = new DataView(small.buffer, small.byteOffset, small.byteLength);
    let patched = 0;
    for (let at = 0; at + 4 <= small.length; at += 4) {
      if (view.getUint32(at, true) === 3) {
        const bytes = small.slice();
        new DataView(bytes.buffer).setUint32(at, 0x7fffffff, true);
        const code = outcome(bytes);
        if (code === "TOO_LARGE" || code === "TRUNCATED") patched++;
      }
    }
    expect(patched).toBeGreaterThan(0);
  });

  it("random byte flips in QuickNet's tables and custom options, imported, end in typed errors", () => {
    const random = rng(99);
    const end = quicknetBytes.length;
    let failures = 0;
    for (let k = 0; k < 60; k++) {
      const bytes = quicknetBytes.slice();
      for (let flips = 1 + Math.floor(random() * 3); flips > 0; flips--) {
        const at = k % 3 === 0 ? Math.floor(random() * 4096) : end - 1 - Math.floor(random() * 65536);
        bytes[at] = Math.floor(random() * 256);
      }
      if (outcome(bytes, true) !== "OK") failures++;
    }
    expect(failures).toBeGreaterThan(0);
  });
});
