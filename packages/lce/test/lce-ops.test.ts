import { describe, expect, it } from "vitest";
import { importLceModel, LceError } from "../src/index.js";
import { TensorType } from "../src/schema.js";
import { buildTflite, type ModelSpec } from "./build-tflite.js";
import { expectSameResults } from "./compare.js";
import { rng } from "./fixture.js";

// The LCE operators on random shapes: converted to .onebit v2 (onebit conventions) and run by
// @onebit/format's reference interpreter, they agree with the independent .tflite interpreter (LCE
// conventions): float outputs within float32 rounding, bits exactly.

const random = rng(2026);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const floats = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);
/** Random LCE-packed filter words with the unused high bits of each row's last word clear. */
function packedFilter(rows: number, channels: number): Int32Array {
  const words = Math.ceil(channels / 32);
  const out = new Int32Array(rows * words);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < channels; c++) if (random() < 0.5) out[r * words + (c >> 5)]! |= 1 << (c & 31);
  return out;
}
const outSize = (n: number, k: number, s: number, d: number, same: boolean) =>
  same ? Math.ceil(n / s) : Math.floor((n - (k - 1) * d - 1) / s) + 1;

describe("LceBconv2d of 2020 files (float input, TfLitePadding enums)", () => {
  for (let trial = 0; trial < 24; trial++) {
    const C = [3, 8, 32, 40, 64, 70][trial % 6]!;
    const same = trial % 2 === 0;
    const padValues = same ? (C % 2 === 0 ? (trial % 4 === 0 ? 0 : 1) : 1) : 1;
    const kh = int(1, 3);
    const kw = int(1, 3);
    const sh = int(1, 2);
    const sw = int(1, 2);
    const dh = int(1, 2);
    const dw = int(1, 2);
    const H = int(5, 9);
    const W = int(5, 9);
    const O = int(1, 40);
    const activation = trial % 4;
    it(`C=${C} O=${O} ${kh}×${kw} stride ${sh},${sw} dilation ${dh},${dw} ${same ? "same" : "valid"} pad ${padValues} act ${activation}`, () => {
      const Ho = outSize(H, kh, sh, dh, same);
      const Wo = outSize(W, kw, sw, dw, same);
      const spec: ModelSpec = {
        tensors: [
          { shape: [1, H, W, C] },
          {
            shape: [O, kh, kw, Math.ceil(C / 32)],
            type: TensorType.INT32,
            data: packedFilter(O * kh * kw, C),
          },
          { shape: [O], data: floats(O, 0.1) },
          { shape: [O], data: floats(O) },
          { shape: [1, Ho, Wo, O] },
        ],
        ops: [
          {
            op: "LceBconv2d",
            inputs: [0, 1, 2, 3, -1],
            outputs: [4],
            custom: {
              channels_in: C,
              dilation_height_factor: dh,
              dilation_width_factor: dw,
              fused_activation_function: activation,
              pad_values: padValues,
              padding: same ? 1 : 2,
              stride_height: sh,
              stride_width: sw,
            },
          },
        ],
        inputs: [0],
        outputs: [4],
      };
      const graph = expectSameResults(spec, floats(H * W * C));
      expect(graph.nodes.map((n) => n.op)).toEqual(["quantize", "bconv2d"]);
    });
  }
});

describe("LCE 0.4+ ops: LceQuantize → LceBconv2d (packed output, groups) → LceBMaxPool2d → LceBconv2d → LceDequantize", () => {
  for (let trial = 0; trial < 8; trial++) {
    it(`trial ${trial}`, () => {
      const groups = trial % 2 === 0 ? 1 : 2;
      const C = 32 * groups * int(1, 2);
      const H = int(6, 9);
      const W = int(6, 9);
      const O1 = 32 * groups;
      const O2 = int(3, 50);
      const same = trial % 4 < 2;
      const H1 = outSize(H, 3, 1, 1, same);
      const W1 = outSize(W, 3, 1, 1, same);
      const H2 = outSize(H1, 2, 2, 1, true);
      const W2 = outSize(W1, 2, 2, 1, true);
      const K1 = 9 * (C / groups);
      const spec: ModelSpec = {
        tensors: [
          /* 0 */ { shape: [1, H, W, C] },
          /* 1 */ { shape: [1, H, W, C / 32], type: TensorType.INT32 },
          /* 2 */ {
            shape: [O1, 3, 3, C / 32 / groups],
            type: TensorType.INT32,
            data: packedFilter(O1 * 9, C / groups),
          },
          /* 3 */ {
            shape: [O1],
            type: TensorType.INT32,
            data: Int32Array.from({ length: O1 }, () => int(0, K1)),
          },
          /* 4 */ { shape: [1, H1, W1, O1 / 32], type: TensorType.INT32 },
          /* 5 */ { shape: [1, H2, W2, O1 / 32], type: TensorType.INT32 },
          /* 6 */ { shape: [O2, 1, 1, O1 / 32], type: TensorType.INT32, data: packedFilter(O2, O1) },
          /* 7 */ { shape: [O2], data: floats(O2, 0.1) },
          /* 8 */ { shape: [O2], data: floats(O2) },
          /* 9 */ { shape: [1, H2, W2, O2] },
          /* 10 */ { shape: [1, H2, W2, O1] },
          /* 11 */ { shape: [O1], data: floats(O1) },
          /* 12 */ { shape: [O1], data: floats(O1) },
        ],
        ops: [
          { op: "LceQuantize", inputs: [0], outputs: [1] },
          {
            op: "LceBconv2d",
            inputs: [1, 2, 11, 12, 3],
            outputs: [4],
            custom: {
              channels_in: C,
              dilation_height_factor: 1,
              dilation_width_factor: 1,
              fused_activation_function: 0,
              pad_values: 1,
              padding: same ? 0 : 1,
              stride_height: 1,
              stride_width: 1,
            },
          },
          {
            op: "LceBMaxPool2d",
            inputs: [4],
            outputs: [5],
            custom: { padding: 0, filter_height: 2, filter_width: 2, stride_height: 2, stride_width: 2 },
          },
          {
            op: "LceBconv2d",
            inputs: [5, 6, 7, 8, -1],
            outputs: [9],
            custom: {
              channels_in: O1,
              dilation_height_factor: 1,
              dilation_width_factor: 1,
              fused_activation_function: 1,
              pad_values: 0,
              padding: 1,
              stride_height: 1,
              stride_width: 1,
            },
          },
          { op: "LceDequantize", inputs: [5], outputs: [10] },
        ],
        inputs: [0],
        outputs: [9, 10],
      };
      const graph = expectSameResults(spec, floats(H * W * C));
      const conv = graph.nodes.find((n) => n.op === "bconv2d");
      expect(conv?.op === "bconv2d" && conv.groups).toBe(groups);
    });
  }
});

describe("what the importer refuses", () => {
  const base = (custom: Record<string, number>, outShape: number[]): ModelSpec => ({
    tensors: [
      { shape: [1, 6, 6, 32] },
      { shape: [4, 3, 3, 1], type: TensorType.INT32, data: new Int32Array(36) },
      { shape: [4], data: new Float32Array(4) },
      { shape: [4], data: new Float32Array(4) },
      { shape: outShape },
    ],
    ops: [{ op: "LceBconv2d", inputs: [0, 1, 2, 3, -1], outputs: [4], custom }],
    inputs: [0],
    outputs: [4],
  });
  const opts = {
    channels_in: 32,
    stride_height: 1,
    stride_width: 1,
    dilation_height_factor: 1,
    dilation_width_factor: 1,
    fused_activation_function: 0,
    pad_values: 1,
  };
  const error = (spec: ModelSpec) => {
    try {
      importLceModel(buildTflite(spec));
    } catch (e) {
      if (e instanceof LceError) return e;
      throw e;
    }
    throw new Error("no error");
  };

  it("an ambiguous padding whose stored output fits neither SAME nor VALID", () => {
    expect(error(base({ ...opts, padding: 1 }, [1, 5, 5, 4])).code).toBe("BAD_MODEL");
  });
  it("reads padding 1 as VALID when the stored output says so", () => {
    expect(() => importLceModel(buildTflite(base({ ...opts, padding: 1 }, [1, 4, 4, 4])))).not.toThrow();
  });
  it("an operator outside the supported list, naming it, its index and inputs", () => {
    const spec: ModelSpec = {
      tensors: [{ shape: [1, 4] }, { shape: [1, 4] }],
      ops: [{ op: 28, inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    };
    const e = error(spec);
    expect(e.code).toBe("UNSUPPORTED_MODEL");
    expect(e.message).toMatch(/operator 0 \(TANH, inputs \[0\]\)/);
    const custom = error({ ...spec, ops: [{ op: "MyOp", inputs: [0], outputs: [1] }] });
    expect(custom.message).toMatch(/operator 0 \(MyOp, inputs \[0\]\)/);
  });
  it("missing custom options: the stride is reported", () => {
    const spec = base(opts, [1, 6, 6, 4]);
    const e = error({ ...spec, ops: [{ ...spec.ops[0]!, custom: undefined }] });
    expect(e.code).toBe("BAD_MODEL");
    expect(e.message).toMatch(/stride \(height\) is 0/);
  });
  it("damaged custom options", () => {
    const spec = base(opts, [1, 6, 6, 4]);
    const e = error({
      ...spec,
      ops: [{ ...spec.ops[0]!, custom: undefined, customBytes: Uint8Array.of(1, 2, 3, 250, 9) }],
    });
    expect(["MALFORMED", "BAD_MODEL"]).toContain(e.code);
  });
});
