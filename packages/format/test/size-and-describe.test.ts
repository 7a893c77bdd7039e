import { describe, expect, it } from "vitest";
import {
  describeModelFile,
  type GraphNode,
  type OnebitModel,
  readModelInfo,
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

describe("describeModelFile", () => {
  it("prints version, graph with value shapes, tensor table and metadata", () => {
    const text = describeModelFile(readModelInfo(writeModel(mlpModel())));
    expect(text).toMatch(/^mnist-mlp-test — \.onebit 1\.0/);
    expect(text).toMatch(/fc1 +denseBitPlane +→ bits \[64\]/);
    expect(text).toMatch(/class +argmax +→ index \[\]/);
    expect(text).toMatch(/fc1\.weights +bit +\[64×784\] +6\.3 KiB/);
    expect(text).toMatch(/labels: 0, 1, 2/);
    expect(text).toMatch(/dataset: mnist/);
  });
});
