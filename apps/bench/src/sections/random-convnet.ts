import { packSignsMatrix } from "@onebit/bitops";
import { type OnebitModel, type Tensor, bitTensorFromMatrix, writeModel } from "@onebit/format";
import { Rng } from "@onebit/tensor";

/**
 * A binary ConvNet with random weights, written as a .onebit file: the full-width MNIST ConvNet of
 * the repository's REFERENCE.md ("Reference training runs"), 64C3–64C3–MP2–128C3–128C3–MP2–512FC–10
 * ('same' 3×3 convolutions, about 76 M multiply-accumulates per 28×28 image), with an exact bit-plane first layer on 8-bit pixels, folded
 * BatchNorm thresholds and scale/bias logits. Speed does not depend on the weights, so this runs
 * before (and besides) any trained ConvNet in models/.
 */
export function randomConvNet(seed = 5): OnebitModel {
  const rng = new Rng(seed);
  const tensors = new Map<string, Tensor>();
  const bits = (name: string, shape: number[]) => {
    const cols = shape[shape.length - 1]!;
    const rows = shape.reduce((a, b) => a * b, 1) / cols;
    tensors.set(name, bitTensorFromMatrix(packSignsMatrix(rng.signs(rows * cols), rows, cols), shape));
  };
  const thresholds = (name: string, n: number, spread: number) => {
    const data = new Int32Array(n);
    for (let i = 0; i < n; i++) data[i] = rng.int(2 * spread + 1) - spread;
    tensors.set(name, { dtype: "int32", shape: [n], data });
  };
  const nodes: OnebitModel["graph"]["nodes"][number][] = [
    { op: "input", name: "x", dtype: "uint8", shape: [28, 28, 1] },
  ];
  const conv = (
    name: string,
    op: "conv2dBitPlane" | "binaryConv2d",
    inC: number,
    outC: number,
    spread: number,
  ) => {
    bits(`${name}.w`, [outC, 3, 3, inC]);
    thresholds(`${name}.t`, outC, spread);
    nodes.push({
      op,
      name,
      weights: `${name}.w`,
      kernel: [3, 3],
      stride: [1, 1],
      padding: "same",
      output: { kind: "bits", thresholds: `${name}.t` },
    });
  };
  const pool = (name: string) =>
    nodes.push({ op: "maxPool2d", name, kernel: [2, 2], stride: [2, 2], padding: "valid" });
  conv("c1", "conv2dBitPlane", 1, 64, 200);
  conv("c2", "binaryConv2d", 64, 64, 20);
  pool("p1");
  conv("c3", "binaryConv2d", 64, 128, 30);
  conv("c4", "binaryConv2d", 128, 128, 40);
  pool("p2");
  nodes.push({ op: "flatten", name: "f" });
  bits("d1.w", [512, 7 * 7 * 128]);
  thresholds("d1.t", 512, 80);
  nodes.push({
    op: "binaryDense",
    name: "d1",
    weights: "d1.w",
    output: { kind: "bits", thresholds: "d1.t" },
  });
  bits("d2.w", [10, 512]);
  tensors.set("d2.s", { dtype: "float32", shape: [10], data: rng.uniformArray(10, 0.01, 0.1) });
  tensors.set("d2.b", { dtype: "float32", shape: [10], data: rng.uniformArray(10, -1, 1) });
  nodes.push({
    op: "binaryDense",
    name: "d2",
    weights: "d2.w",
    output: { kind: "scaleBias", scale: "d2.s", bias: "d2.b" },
  });
  return { graph: { nodes }, tensors, metadata: { name: "convnet-64c3-128c3-512fc (random)" } };
}

export function randomConvNetFile(): Uint8Array {
  return writeModel(randomConvNet());
}
