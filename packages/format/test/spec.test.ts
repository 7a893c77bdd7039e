import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { bitPlaneDot, encodeBitPlanes, xnorDot } from "@onebit/bitops";
import { describe, expect, it } from "vitest";
import { type BitTensor, bitTensorToMatrix, readModel, writeModel } from "../src/index.js";
import { specExampleModel } from "./spec-example.js";

const spec = readFileSync(resolve(import.meta.dirname, "../SPEC.md"), "utf8");

describe("SPEC.md §8 worked example", () => {
  const bytes = writeModel(specExampleModel());
  const view = new DataView(bytes.buffer);

  it("matches the bytes the writer produces", () => {
    const headerLength = view.getUint32(24, true);
    expect(bytes.length).toBe(1360);
    expect(headerLength).toBe(966);
    expect(spec).toContain(new TextDecoder().decode(bytes.subarray(32, 32 + headerLength)));
    const hex = (from: number, n: number) =>
      [...bytes.subarray(from, from + n)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    expect(spec).toContain(`${hex(0, 8)}  ${hex(8, 8)}`);
    expect(spec).toContain(`${hex(16, 8)}  ${hex(24, 8)}`);
    for (const [at, n] of [
      [0x400, 8],
      [0x440, 8],
      [0x480, 2],
      [0x4c0, 12],
      [0x500, 12],
      [0x540, 12],
      [0x54c, 4],
    ] as const) {
      expect(spec).toContain(`0x${at.toString(16)}  ${hex(at, n)}`);
    }
    expect(spec).toContain(`checksum 0x${view.getUint32(bytes.length - 4, true).toString(16)}`);
  });

  it("evaluates as the specification says (a tiny reference interpreter over the file)", () => {
    const m = readModel(bytes);
    const t = (name: string) => m.tensors.get(name)!;
    const x = Uint8Array.of(0, 255, 10, 20, 30);
    const w1 = bitTensorToMatrix(t("h.w") as BitTensor);
    const planes = encodeBitPlanes(x, 1, 5);
    const z1 = [0, 1].map((o) => bitPlaneDot(planes, 0, w1, o));
    expect(z1).toEqual([-255, -195]);
    const th = t("h.t").data as Int32Array;
    const flip = t("h.f").data as Uint8Array;
    const h = z1.map((z, o) => (flip[o] ? z <= th[o]! : z >= th[o]!));
    expect(h).toEqual([false, true]);
    const hBits = Uint32Array.of(h.reduce((w, b, i) => w | ((b ? 1 : 0) << i), 0));
    const w2 = bitTensorToMatrix(t("y.w") as BitTensor);
    const z2 = [0, 1, 2].map((o) => xnorDot(hBits, w2.data, 2, 0, o * w2.wordsPerRow));
    expect(z2).toEqual([-2, 2, 0]);
    const s = t("y.s").data as Float32Array;
    const b = t("y.b").data as Float32Array;
    const logits = z2.map((z, o) => z * s[o]! + b[o]!);
    expect(logits).toEqual([-1, -0.5, 2]);
    expect(m.metadata.labels![logits.indexOf(Math.max(...logits))]).toBe("c");
  });

  it("states the CRC-32 check value the implementation gives", async () => {
    const { crc32 } = await import("../src/index.js");
    expect(spec).toContain("0xCBF43926");
    expect(crc32(new TextEncoder().encode("123456789")).toString(16).toUpperCase()).toBe("CBF43926");
  });
});
