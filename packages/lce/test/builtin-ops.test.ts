import { describe, expect, it } from "vitest";
import { BuiltinOptionsType as T, Field as F, TensorType } from "../src/schema.js";
import type { ModelSpec } from "./build-tflite.js";
import { expectSameResults } from "./compare.js";
import { rng } from "./fixture.js";

// The TFLite builtins of Larq Zoo models on random shapes, converted to .onebit v2 and run by
// @onebit/format's reference interpreter, against the independent .tflite interpreter.

const random = rng(14);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const floats = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);
const outSize = (n: number, k: number, s: number, same: boolean) =>
  same ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1;

describe("a float stem and head: every builtin in one graph", () => {
  for (let trial = 0; trial < 6; trial++) {
    it(`trial ${trial}`, () => {
      const H = int(6, 11);
      const W = int(6, 11);
      const C = int(1, 4);
      const O = int(2, 6);
      const m = int(1, 3);
      const same = trial % 2 === 0;
      const k = int(1, 3);
      const s = int(1, 2);
      const H1 = outSize(H, k, s, same);
      const W1 = outSize(W, k, s, same);
      const Hp = H1 + 2;
      const Wp = W1 + 1;
      const Hm = outSize(Hp, 2, 1, true);
      const Wm = outSize(Wp, 2, 1, true);
      const D = O * m;
      const Ha = outSize(Hm, 2, 2, false);
      const Wa = outSize(Wm, 2, 2, false);
      const classes = int(2, 7);
      const conv = (padding: number, stride: number, act: number) => ({
        type: T.Conv2DOptions,
        fields: [
          [F.Conv2DOptions.padding, "int8", padding],
          [F.Conv2DOptions.strideW, "int32", stride],
          [F.Conv2DOptions.strideH, "int32", stride],
          [F.Conv2DOptions.activation, "int8", act],
        ] as const,
      });
      const pool = (stride: number, padding: number) => ({
        type: T.Pool2DOptions,
        fields: [
          [F.Pool2DOptions.padding, "int8", padding],
          [F.Pool2DOptions.strideW, "int32", stride],
          [F.Pool2DOptions.strideH, "int32", stride],
          [F.Pool2DOptions.filterWidth, "int32", 2],
          [F.Pool2DOptions.filterHeight, "int32", 2],
        ] as const,
      });
      const spec: ModelSpec = {
        tensors: [
          /* 0 */ { shape: [1, H, W, C] },
          /* 1 */ { shape: [O, k, k, C], data: floats(O * k * k * C) },
          /* 2 */ { shape: [O], data: floats(O) },
          /* 3 */ { shape: [1, H1, W1, O] }, // conv + relu
          /* 4 */ { shape: [4, 2], type: TensorType.INT32, data: Int32Array.of(0, 0, 1, 1, 0, 1, 0, 0) },
          /* 5 */ { shape: [1, Hp, Wp, O] }, // pad
          /* 6 */ { shape: [1, Hm, Wm, O] }, // max pool same stride 1
          /* 7 */ { shape: [1, 3, 3, D], data: floats(9 * D) },
          /* 8 */ { shape: [D], data: floats(D) },
          /* 9 */ { shape: [1, Hm, Wm, D] }, // depthwise
          /* 10 */ { shape: [D], data: floats(D) },
          /* 11 */ { shape: [1, Hm, Wm, D] }, // mul
          /* 12 */ { shape: [1, 1, 1, D], data: floats(D) },
          /* 13 */ { shape: [1, Hm, Wm, D] }, // add const (→ batchNorm with 11)
          /* 14 */ { shape: [1, 1, 1, D], data: floats(D, 0.5) },
          /* 15 */ { shape: [1, Hm, Wm, D] }, // prelu
          /* 16 */ { shape: [1, Hm, Wm, D] }, // add of two activations (+ relu)
          /* 17 */ { shape: [1, Hm, Wm, 2 * D] }, // concat
          /* 18 */ { shape: [1, Ha, Wa, 2 * D] }, // average pool valid stride 2
          /* 19 */ { shape: [2], type: TensorType.INT32, data: Int32Array.of(1, 2) },
          /* 20 */ { shape: [1, 2 * D] }, // mean
          /* 21 */ { shape: [classes, 2 * D], data: floats(classes * 2 * D) },
          /* 22 */ { shape: [classes], data: floats(classes) },
          /* 23 */ { shape: [1, classes] }, // dense
          /* 24 */ { shape: [1, classes] }, // softmax
          /* 25 */ { shape: [1, 1, 1, classes] }, // reshape
          /* 26 */ { shape: [1, Hm, Wm, D] }, // relu
        ],
        ops: [
          { op: "CONV_2D", inputs: [0, 1, 2], outputs: [3], options: conv(same ? 0 : 1, s, 1) },
          { op: "PAD", inputs: [3, 4], outputs: [5] },
          { op: "MAX_POOL_2D", inputs: [5], outputs: [6], options: pool(1, 0) },
          {
            op: "DEPTHWISE_CONV_2D",
            inputs: [6, 7, 8],
            outputs: [9],
            options: {
              type: T.DepthwiseConv2DOptions,
              fields: [
                [F.DepthwiseConv2DOptions.padding, "int8", 0],
                [F.DepthwiseConv2DOptions.strideW, "int32", 1],
                [F.DepthwiseConv2DOptions.strideH, "int32", 1],
                [F.DepthwiseConv2DOptions.depthMultiplier, "int32", m],
              ],
            },
          },
          { op: "MUL", inputs: [9, 10], outputs: [11] },
          { op: "ADD", inputs: [11, 12], outputs: [13] },
          { op: "PRELU", inputs: [13, 14], outputs: [15] },
          { op: "RELU", inputs: [9], outputs: [26] },
          {
            op: "ADD",
            inputs: [15, 26],
            outputs: [16],
            options: { type: T.AddOptions, fields: [[F.AddOptions.activation, "int8", 1]] },
          },
          {
            op: "CONCATENATION",
            inputs: [16, 13],
            outputs: [17],
            options: { type: T.ConcatenationOptions, fields: [[F.ConcatenationOptions.axis, "int32", -1]] },
          },
          { op: "AVERAGE_POOL_2D", inputs: [17], outputs: [18], options: pool(2, 1) },
          { op: "MEAN", inputs: [18, 19], outputs: [20] },
          { op: "FULLY_CONNECTED", inputs: [20, 21, 22], outputs: [23] },
          {
            op: "SOFTMAX",
            inputs: [23],
            outputs: [24],
            options: { type: T.SoftmaxOptions, fields: [[F.SoftmaxOptions.beta, "float32", 1]] },
          },
          { op: "RESHAPE", inputs: [24], outputs: [25] },
        ],
        inputs: [0],
        outputs: [25, 18],
      };
      const graph = expectSameResults(spec, floats(H * W * C));
      const ops = graph.nodes.map((n) => n.op);
      expect(ops).toContain("batchNorm");
      expect(ops).not.toContain("mul");
      expect(ops.filter((op) => op === "relu").length).toBe(3);
    });
  }
});
