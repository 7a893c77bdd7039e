import { type GraphModel, unpackBitTensor } from "@onebit/format";
import { describe, expect, it } from "vitest";
import { importLceModel, LARQ_ZOO_PREPROCESSING, LceError, readTflite, toOnebitModel } from "../src/index.js";
import { BuiltinOptionsType, Field } from "../src/schema.js";
import { buildTflite, type ModelSpec } from "./build-tflite.js";
import { quicknetBytes } from "./fixture.js";

// The .onebit v2 model written from QuickNet obeys appendix C's structure rules, and its tensors hold
// what the imported graph holds. (Running it needs @onebit/format's v2 reader and reference interpreter.)

const graph = importLceModel(readTflite(quicknetBytes));
const nodesOf = (model: GraphModel) => model.graph.nodes as unknown as Record<string, unknown>[];
const draft = toOnebitModel(graph, {
  name: "quicknet",
  source: "larq-quicknet.tflite",
  preprocessing: LARQ_ZOO_PREPROCESSING,
});

describe("QuickNet as a .onebit v2 model", () => {
  it("has unique names, a fixed topological order and no dead values (C.1)", () => {
    const defined = new Set(draft.graph.inputs.map((i) => i.name));
    const consumed = new Set<string>();
    for (const node of nodesOf(draft)) {
      for (const input of node.inputs as string[]) {
        expect(defined.has(input), `${String(node.name)} reads ${input} before it is defined`).toBe(true);
        consumed.add(input);
      }
      expect(defined.has(node.name as string)).toBe(false);
      defined.add(node.name as string);
    }
    for (const name of draft.graph.outputs) consumed.add(name);
    for (const name of defined) expect(consumed.has(name), `${name} is never read`).toBe(true);
  });

  it("refers only to tensors it holds, each used once", () => {
    const refs: string[] = [];
    const collect = (value: unknown) => {
      if (typeof value === "string" && draft.tensors.has(value)) refs.push(value);
      else if (value && typeof value === "object" && !Array.isArray(value))
        Object.values(value).forEach(collect);
    };
    for (const node of nodesOf(draft))
      for (const [key, value] of Object.entries(node)) if (key !== "name" && key !== "inputs") collect(value);
    expect(new Set(refs).size).toBe(refs.length);
    expect(refs.length).toBe(draft.tensors.size);
  });

  it("packs each binary convolution's ±1 weights with +1 as bit 1", () => {
    const bconvs = graph.nodes.filter((n) => n.op === "bconv2d");
    for (const node of bconvs) {
      const tensor = draft.tensors.get(`${node.name}/weights`)!;
      expect(tensor.dtype).toBe("bit");
      expect(tensor.shape).toEqual(node.weightsShape);
      expect(Array.from(unpackBitTensor(tensor as Parameters<typeof unpackBitTensor>[0]))).toEqual(
        Array.from(node.weights),
      );
    }
  });

  it("writes a ReLU-clamped binary convolution as the clamped dot → batchNorm with the LCE multiplier and bias", () => {
    const node = graph.nodes.find((n) => n.op === "bconv2d")!;
    if (node.op !== "bconv2d" || node.output.kind !== "float32")
      throw new Error("QuickNet's bconv2d has float output");
    const written = nodesOf(draft).filter((n) => String(n.name).startsWith(node.name));
    expect(written.map((n) => n.op)).toEqual(["bconv2d", "batchNorm"]);
    expect((written[0]!.output as { clamp: number[] }).clamp).toEqual([0, 576]);
    const bn = written[1]!;
    const gamma = draft.tensors.get(bn.gamma as string)!.data as Float32Array;
    expect(Array.from(gamma)).toEqual(Array.from(node.output.multiplier));
    // (x − 0)/√(variance + ε)·γ + β is x·γ + β: variance + ε is exactly 1 in float32 and in float64.
    const variance = (draft.tensors.get(bn.variance as string)!.data as Float32Array)[0]!;
    expect(Math.fround(variance + (bn.epsilon as number))).toBe(1);
    expect(variance + (bn.epsilon as number)).toBe(1);
  });

  it("transposes depthwise weights to [C·m, kh, kw, 1]", () => {
    const node = graph.nodes.find((n) => n.op === "depthwiseConv2d")!;
    if (node.op !== "depthwiseConv2d") throw new Error("unreachable");
    const tensor = draft.tensors.get(`${node.name}/weights`)!;
    const [kh, kw, outChannels] = node.weightsShape;
    expect(tensor.shape).toEqual([outChannels, kh, kw, 1]);
    const data = tensor.data as Float32Array;
    for (let o = 0; o < outChannels; o += 7)
      for (let t = 0; t < kh * kw; t++) expect(data[o * kh * kw + t]).toBe(node.weights[t * outChannels + o]);
  });

  it("records the source and Larq Zoo's preprocessing", () => {
    expect(draft.metadata).toMatchObject({
      name: "quicknet",
      extra: {
        source: "larq-quicknet.tflite",
        "preprocessing.resize": "bicubic",
        "preprocessing.centerCropFraction": 0.875,
      },
    });
    expect(draft.graph.inputs).toEqual([
      { name: graph.inputs[0]!.name, dtype: "float32", shape: [224, 224, 3] },
    ]);
  });
});

describe("forms that need care in .onebit v2", () => {
  const fc = (activation: number): ModelSpec => ({
    tensors: [
      { shape: [1, 2, 2, 3] },
      { shape: [4, 12], data: new Float32Array(48).fill(0.5) },
      { shape: [1, 4] },
    ],
    ops: [
      {
        op: "FULLY_CONNECTED",
        inputs: [0, 1, -1],
        outputs: [2],
        options: {
          type: BuiltinOptionsType.FullyConnectedOptions,
          fields: [[Field.FullyConnectedOptions.activation, "int8", activation]],
        },
      },
    ],
    inputs: [0],
    outputs: [2],
  });

  it("flattens a rank-3 input before dense", () => {
    const nodes = nodesOf(toOnebitModel(importLceModel(buildTflite(fc(0)))));
    expect(nodes.map((n) => n.op)).toEqual(["flatten", "dense"]);
    expect(nodes[1]!.inputs).toEqual([nodes[0]!.name]);
  });

  it("refuses a RELU6 clamp, which v2 has no op for, naming the node", () => {
    const graph = importLceModel(buildTflite(fc(3)));
    expect(() => toOnebitModel(graph)).toThrow(LceError);
    expect(() => toOnebitModel(graph)).toThrow(/RELU6/);
  });
});
