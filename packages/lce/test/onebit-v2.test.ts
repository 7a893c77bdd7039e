import { checkGraphModel, readGraphModel, runReference, writeGraphModel } from "@onebit/format";
import { describe, expect, it } from "vitest";
import {
  conversionReport,
  convertLceModel,
  importLceModel,
  LARQ_ZOO_PREPROCESSING,
  readTflite,
  toOnebitModel,
} from "../src/index.js";
import { buildTflite, type ModelSpec } from "./build-tflite.js";
import { quicknetBytes, rng } from "./fixture.js";
import { larqZooPreprocess, readPhoto, topK } from "./photo.js";
import { interpretTflite } from "./tflite-interpreter.js";

// The conversion checked end to end: the .onebit v2 file written from the .tflite, read back and run
// by @onebit/format's reference interpreter (the executable SPEC), against the independent .tflite
// interpreter of the tests.

describe("LCE .tflite → .onebit v2 → runReference", () => {
  // One photograph: runReference is plain on purpose (about 10 s of CPU for QuickNet's 1.24 G
  // binary MACs); the rocket photo runs through the other two interpreters in quicknet-photo.test.ts.
  it("QuickNet: identical top-5 and probabilities within float32 rounding on a photograph", {
    timeout: 900_000,
  }, () => {
    const model = readTflite(quicknetBytes);
    const onebit = toOnebitModel(importLceModel(model), {
      name: "quicknet",
      source: "larq-quicknet.tflite",
      preprocessing: LARQ_ZOO_PREPROCESSING,
    });
    const bytes = writeGraphModel(onebit);
    const back = readGraphModel(bytes);
    for (const photo of ["chelsea.png"]) {
      const input = larqZooPreprocess(readPhoto(photo));
      const want = interpretTflite(model, input).get(model.outputs[0]!)!.data as Float32Array;
      const got = runReference(back, { [back.graph.inputs[0]!.name]: input })[back.graph.outputs[0]!]!;
      expect(got.shape).toEqual([1000]);
      const probabilities = got.data as Float32Array;
      expect(topK(probabilities, 5)).toEqual(topK(want, 5));
      for (let i = 0; i < want.length; i++) expect(Math.abs(probabilities[i]! - want[i]!)).toBeLessThan(1e-5);
    }
  });

  it("LCE 0.4+ ops with packed outputs and zero padding agree bit for bit", () => {
    const random = rng(7);
    const packed = (n: number) => Int32Array.from({ length: n }, () => (random() * 2 ** 32) | 0);
    const floats = (n: number) => Float32Array.from({ length: n }, () => random() * 2 - 1);
    const spec: ModelSpec = {
      tensors: [
        { shape: [1, 7, 6, 64] },
        { shape: [1, 7, 6, 2], type: 2 },
        { shape: [40, 3, 3, 2], type: 2, data: packed(40 * 9 * 2) },
        { shape: [40], type: 2, data: Int32Array.from({ length: 40 }, () => Math.floor(random() * 576)) },
        { shape: [1, 7, 6, 2], type: 2 },
        { shape: [1, 4, 3, 2], type: 2 },
        { shape: [1, 4, 3, 40] },
        { shape: [8, 3, 3, 2], type: 2, data: packed(8 * 9 * 2).map((w) => w & 0xff) },
        { shape: [8], data: floats(8) },
        { shape: [8], data: floats(8) },
        { shape: [1, 4, 3, 8] },
        { shape: [40], data: floats(40) },
        { shape: [40], data: floats(40) },
      ],
      ops: [
        { op: "LceQuantize", inputs: [0], outputs: [1] },
        {
          op: "LceBconv2d",
          inputs: [1, 2, 11, 12, 3],
          outputs: [4],
          custom: {
            channels_in: 64,
            dilation_height_factor: 1,
            dilation_width_factor: 1,
            fused_activation_function: 0,
            pad_values: 1,
            padding: 0,
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
        { op: "LceDequantize", inputs: [5], outputs: [6] },
        {
          op: "LceBconv2d",
          inputs: [5, 7, 8, 9, -1],
          outputs: [10],
          custom: {
            channels_in: 40,
            dilation_height_factor: 1,
            dilation_width_factor: 1,
            fused_activation_function: 0,
            pad_values: 0,
            padding: 0,
            stride_height: 1,
            stride_width: 1,
          },
        },
      ],
      inputs: [0],
      outputs: [6, 10],
    };
    const model = readTflite(buildTflite(spec));
    const back = readGraphModel(writeGraphModel(toOnebitModel(importLceModel(model))));
    const input = floats(7 * 6 * 64);
    const want = interpretTflite(model, input);
    const got = runReference(back, { [back.graph.inputs[0]!.name]: input });
    const signs = got[back.graph.outputs[0]!]!.data as Float32Array;
    expect(Array.from(signs)).toEqual(Array.from(want.get(6)!.data as Float32Array));
    const conv = got[back.graph.outputs[1]!]!.data as Float32Array;
    const ref = want.get(10)!.data as Float32Array;
    for (let i = 0; i < ref.length; i++)
      expect(Math.abs(conv[i]! - ref[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(ref[i]!)));
  });
});

describe("convertLceModel", () => {
  it("writes a .onebit v2 file that reads back with the census of the source", () => {
    const { bytes, census, graph } = convertLceModel(quicknetBytes, {
      name: "quicknet",
      source: "larq-quicknet.tflite",
    });
    const back = readGraphModel(bytes);
    expect(back.metadata.name).toBe("quicknet");
    expect(back.graph.outputs).toEqual(graph.outputs);
    expect(census.binaryParameters).toBe(
      graph.nodes.reduce((n, node) => n + (node.op === "bconv2d" ? node.weights.length : 0), 0),
    );
  });

  it("agrees with @onebit/format's cost of the written graph on MACs by precision", () => {
    const { bytes, census } = convertLceModel(quicknetBytes);
    const { cost } = checkGraphModel(readGraphModel(bytes));
    expect(cost.binaryMacs).toBe(census.binaryMacs);
    expect(cost.floatMacs).toBe(census.floatMacs);
  });

  it("passes the reader limits through", () => {
    expect(() => convertLceModel(quicknetBytes, { limits: { maxTensors: 10 } })).toThrow(/maxTensors/);
  });
});

describe("conversionReport", () => {
  it("states operators, parameters, MACs and the rewrites", () => {
    const report = conversionReport(convertLceModel(quicknetBytes));
    expect(report).toMatch(/LceBconv2d ×13/);
    expect(report).toMatch(/9\.99 M 1-bit, 0\.52 M 32-bit/);
    expect(report).toMatch(/1\.243 G binary, 5\.03 M float/);
    expect(report).toMatch(/rewritten ×4: \(MUL, ADD\) → batchNorm/);
    expect(report).toMatch(/rewritten ×13: .*quantize node added/);
  });
});
