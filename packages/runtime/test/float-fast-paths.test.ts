import { describe, it } from "vitest";
import { depthwiseRows, depthwiseRowsReference } from "../src/depthwise-steps.js";
import { conv2dFloatRows, conv2dFloatRowsReference } from "../src/float-steps.js";
import type { MemoryViews } from "../src/memory-views.js";
import type { Conv2dFloatStep, Conv2dGenericStep, FloatEpilogue, GenericPoolStep } from "../src/plan.js";
import { floatMaxPoolRows, floatMaxPoolRowsReference } from "../src/pool-steps.js";
import { OUT, agree, window } from "./float-step-harness.js";
import { Rng } from "./random-models.js";

// Each fast float step against the plain loop kept beside it, on random geometries (odd channel
// counts, strides 1–3, kernels larger than the image, 'same' padding with a pad value, with and
// without bias, a fused sign epilogue): the output memory must be identical bit for bit (NaN
// payloads aside), and nothing outside the output may change.

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
