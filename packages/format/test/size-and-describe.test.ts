import { describe, expect, it } from "vitest";
import {
  type GraphNode,
  type OnebitModel,
  readGraphModel,
  readGraphModelInfo,
  summarizeGraph,
  type Tensor,
  writeModel,
} from "../src/index.js";
import { mlpModel } from "./fixtures.js";

/** The BNN paper's MNIST MLP, 784–4096–4096–4096–10, bit-plane first layer, all weights binary. */
function paperMlp(): OnebitModel {
  const tensors = new Map<string, Tensor>();
  const nodes: GraphNode[] = [{ op: "input", name: "image", dtype: "uint8", shape: [784] }];
  const widths = [784, 4096, 4096, 4096, 10];
  for (let l = 1; l < widths.length; l++) {
    const [k, o] = [widths[l - 1]!, widths[l]!];
    const name = `fc${l}`;
    const wordsPerRow = Math.ceil(k / 32);
    tensors.set(`${name}.w`, {
      dtype: "bit",
      shape: [o, k],
      layout: { rows: o, cols: k, wordsPerRow },
      data: new Uint32Array(o * wordsPerRow),
    });
    const last = l === widths.length - 1;
    if (last) {
      tensors.set(`${name}.s`, { dtype: "float32", shape: [o], data: new Float32Array(o).fill(1) });
      tensors.set(`${name}.b`, { dtype: "float32", shape: [o], data: new Float32Array(o) });
    } else {
      tensors.set(`${name}.t`, { dtype: "int32", shape: [o], data: new Int32Array(o) });
      tensors.set(`${name}.f`, { dtype: "uint8", shape: [o], data: new Uint8Array(o) });
    }
    nodes.push({
      op: l === 1 ? "denseBitPlane" : "binaryDense",
      name,
      weights: `${name}.w`,
      output: last
        ? { kind: "scaleBias", scale: `${name}.s`, bias: `${name}.b` }
        : { kind: "bits", thresholds: `${name}.t`, flip: `${name}.f` },
    });
  }
  return { graph: { nodes }, tensors, metadata: { name: "bnn-paper-mlp" } };
}

describe("file size", () => {
  it("a 784–4096–4096–4096–10 binary MLP is over 25× smaller than its float32 weights", () => {
    const bytes = writeModel(paperMlp());
    const params = 784 * 4096 + 4096 * 4096 * 2 + 4096 * 10;
    const float32Bytes = 4 * params;
    const ratio = float32Bytes / bytes.length;
    expect(ratio).toBeGreaterThan(25);
    expect(ratio).toBeLessThan(32);
  });
});

describe("summarizeGraph", () => {
  it("counts each node's parameters, bytes and MACs, the same from a file's header as from the loaded model", () => {
    const bytes = writeModel(mlpModel());
    const info = readGraphModelInfo(bytes);
    const s = summarizeGraph(info);
    expect(s.nodes[0]).toMatchObject({ op: "input", name: "image", outputShape: [784], binaryParams: 0 });
    const fc1 = s.nodes.find((n) => n.name === "fc1")!;
    expect(fc1).toMatchObject({
      op: "bitPlaneDense",
      inputs: ["image"],
      outputKind: "bits",
      outputShape: [64],
    });
    // 64 rows of 784 bits (25 words each), 64 thresholds and 64 flip flags.
    expect(fc1.binaryParams).toBe(64 * 784);
    expect(fc1.otherParams).toBe(64 + 64);
    expect(fc1.bytes).toBe(64 * 25 * 4 + 64 * 4 + 64);
    expect(fc1.binaryMacs).toBe(64 * 784); // 8-bit × 1-bit MACs count once, not per bit plane
    expect(s.totals.binaryParams).toBe(64 * 784 + 32 * 64 + 10 * 32);
    expect(s.totals.float32Bytes).toBe(4 * (s.totals.binaryParams + s.totals.otherParams));
    expect(s.totals.bytes).toBeLessThan(s.totals.float32Bytes);
    expect(s.metadata.name).toBe("mnist-mlp-test");

    const model = readGraphModel(bytes);
    const loaded = summarizeGraph({ ...info, tensors: model.tensors });
    expect(loaded.nodes).toEqual(s.nodes);
  });
});
