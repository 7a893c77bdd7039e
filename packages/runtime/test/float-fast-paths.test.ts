import { describe, expect, it } from "vitest";
import { depthwiseRows, depthwiseRowsReference } from "../src/depthwise-steps.js";
import { conv2dFloatRows, conv2dFloatRowsReference } from "../src/float-steps.js";
import { MemoryViews } from "../src/memory-views.js";
import type { Conv2dFloatStep, Conv2dGenericStep, FloatEpilogue, GenericPoolStep } from "../src/plan.js";
import { floatMaxPoolRows, floatMaxPoolRowsReference } from "../src/pool-steps.js";
import { Rng } from "./random-models.js";

// Each fast float step against the plain loop kept beside it, on random geometries (odd channel
// counts, strides 1–3, kernels larger than the image, 'same' padding with a pad value, with and
// without bias, a fused sign epilogue): the output memory must be identical bit for bit (NaN
// payloads aside), and nothing outside the output may change.

const OUT = 320 * 1024;

interface Layout {
  readonly memory: WebAssembly.Memory;
  readonly views: MemoryViews;
}

function memory(rng: Rng, floats: number): Layout {
  const memory = new WebAssembly.Memory({ initial: Math.ceil((OUT + 4 * floats) / 65536) + 1 });
  const views = new MemoryViews(memory);
  views.f32.set(rng.uniform(OUT / 4, -2, 2));
  // Some exact zeros and negative zeros in the inputs (sign-of-zero behaviour must match too).
  for (let i = 0; i < 64; i++) views.f32[rng.int(0, OUT / 4 - 1)] = rng.next() < 0.5 ? 0 : -0;
  return { memory, views };
}

/** Runs `fast` and `reference` on copies of one random memory over rows split in two ranges. */
function agree<S>(
  rng: Rng,
  floats: number,
  rows: number,
  step: S,
  fast: (v: MemoryViews, s: S, r0: number, r1: number) => void,
  reference: (v: MemoryViews, s: S, r0: number, r1: number) => void,
  label: string,
): void {
  const a = memory(rng, floats);
  const b = new MemoryViews(new WebAssembly.Memory({ initial: a.memory.buffer.byteLength / 65536 }));
  b.u8.set(a.views.u8);
  const split = rng.int(0, rows);
  fast(a.views, step, 0, split);
  fast(a.views, step, split, rows);
  reference(b, step, 0, rows);
  // Every word equal, except that any two NaNs are equal (their payloads are not specified).
  let first = -1;
  for (let i = 0; i < a.views.u32.length && first < 0; i++)
    if (a.views.u32[i] !== b.u32[i] && !(Number.isNaN(a.views.f32[i]) && Number.isNaN(b.f32[i]))) first = i;
  expect(first, `${label}: first differing word`).toBe(-1);
}

function window(rng: Rng) {
  const height = rng.int(1, 9);
  const width = rng.int(1, 9);
  const kernelH = rng.int(1, 4);
  const kernelW = rng.int(1, 4);
  const strideH = rng.int(1, 3);
  const strideW = rng.int(1, 3);
  const same = rng.next() < 0.6;
  const outH = same ? Math.ceil(height / strideH) : Math.floor((height - kernelH) / strideH) + 1;
  const outW = same ? Math.ceil(width / strideW) : Math.floor((width - kernelW) / strideW) + 1;
  const padTop = same ? Math.floor(Math.max((outH - 1) * strideH + kernelH - height, 0) / 2) : 0;
  const padLeft = same ? Math.floor(Math.max((outW - 1) * strideW + kernelW - width, 0) / 2) : 0;
  return { height, width, kernelH, kernelW, strideH, strideW, outH, outW, padTop, padLeft };
}

describe("conv2dFloatRows = conv2dFloatRowsReference", () => {
  it("on random geometries, float and sign epilogues", () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 120; trial++) {
      const g = window(rng);
      if (g.outH < 1 || g.outW < 1) continue;
      const channels = rng.pick([1, 3, 5, 8, 17]);
      const n = rng.pick([1, 3, 4, 8, 13, 32, 37]);
      const batch = rng.int(1, 2);
      const rows = batch * g.outH * g.outW;
      const bits = rng.next() < 0.3;
      const rowWords = Math.ceil(n / 32);
      const epilogue: FloatEpilogue = bits
        ? { kind: "bits", thresholds: 4096, flip: 8192, rowWords }
        : { kind: "float32" };
      const step: Conv2dFloatStep = {
        op: "conv2dFloat",
        node: "c",
        rowsPerSample: g.outH * g.outW,
        costPerRow: 1,
        ...g,
        channels,
        n,
        padValue: rng.pick([0, 0.5, -1.25]),
        x: 65536,
        w: 262144,
        bias: rng.next() < 0.5 ? 0 : 12288,
        out: OUT,
        epilogue,
      };
      agree(rng, rows * n, rows, step, conv2dFloatRows, conv2dFloatRowsReference, `trial ${trial}`);
    }
  });
});

describe("depthwiseRows = depthwiseRowsReference", () => {
  it("on random geometries, channel multipliers and dilations", () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 120; trial++) {
      const g = window(rng);
      if (g.outH < 1 || g.outW < 1) continue;
      const channels = rng.pick([1, 3, 8, 17, 64]);
      const multiplier = rng.pick([1, 1, 2, 8]);
      const n = channels * multiplier;
      const rows = rng.int(1, 2) * g.outH * g.outW;
      const kernel = rng.next() < 0.5 ? { kernelH: 3, kernelW: 3 } : {};
      const step: Conv2dGenericStep = {
        op: "conv2dGeneric",
        node: "dw",
        rowsPerSample: g.outH * g.outW,
        costPerRow: 1,
        ...g,
        ...kernel,
        dilationH: 1,
        dilationW: rng.int(1, 2),
        groups: channels,
        channels,
        n,
        padValue: rng.pick([0, 0.75]),
        x: 65536,
        w: 262144,
        bias: rng.next() < 0.5 ? 0 : 12288,
        out: OUT,
      };
      agree(rng, rows * n, rows, step, depthwiseRows, depthwiseRowsReference, `trial ${trial}`);
    }
  });
});

describe("floatMaxPoolRows = floatMaxPoolRowsReference", () => {
  it("on random windows, strides and paddings (NaN, ±0 and ±∞ among the inputs)", () => {
    const rng = new Rng(13);
    for (let trial = 0; trial < 120; trial++) {
      const g = window(rng);
      if (g.outH < 1 || g.outW < 1) continue;
      const channels = rng.pick([1, 3, 8, 17, 64]);
      const rows = rng.int(1, 2) * g.outH * g.outW;
      const { kernelH, kernelW, ...rest } = g;
      const step: GenericPoolStep = {
        op: "genericPool",
        kind: "float32",
        node: "pool",
        rowsPerSample: g.outH * g.outW,
        costPerRow: 1,
        ...rest,
        poolH: kernelH,
        poolW: kernelW,
        depth: channels,
        input: 65536,
        out: OUT,
      };
      const at = Array.from({ length: 40 }, () => 16384 + rng.int(0, 2 * 81 * 64));
      const value = at.map(() => rng.pick([Number.NaN, 0, -0, Infinity, -Infinity]));
      const special = (v: MemoryViews) => {
        at.forEach((p, i) => {
          v.f32[p] = value[i]!;
        });
      };
      agree(
        rng,
        rows * channels,
        rows,
        step,
        (v, s, r0, r1) => {
          if (r0 === 0) special(v);
          floatMaxPoolRows(v, s, r0, r1);
        },
        (v, s, r0, r1) => {
          special(v);
          floatMaxPoolRowsReference(v, s, r0, r1);
        },
        `trial ${trial}`,
      );
    }
  });
});
