import { type OnebitModel, type Tensor, bitTensorFromMatrix, writeModel } from "@onebit/format";
import type { BinaryMlp } from "./binary-mlp.js";

/**
 * The benchmark's binary MLP as a .onebit file (SPEC.md §5): uint8 input → denseBitPlane with
 * thresholds → binaryDense with thresholds … → binaryDense with scale/bias (the logits). The same
 * weights the bare-kernel path runs, so @onebit/runtime must produce the same logits.
 */
export function binaryMlpToOnebit(m: BinaryMlp): OnebitModel {
  const tensors = new Map<string, Tensor>();
  const int32 = (name: string, data: Int32Array) =>
    tensors.set(name, { dtype: "int32", shape: [data.length], data });
  const float32 = (name: string, data: Float32Array) =>
    tensors.set(name, { dtype: "float32", shape: [data.length], data });
  tensors.set("l0.w", bitTensorFromMatrix(m.first.w));
  int32("l0.t", m.first.tau);
  const nodes: OnebitModel["graph"]["nodes"][number][] = [
    { op: "input", name: "x", dtype: "uint8", shape: [m.arch.inputs] },
    { op: "denseBitPlane", name: "l0", weights: "l0.w", output: { kind: "bits", thresholds: "l0.t" } },
  ];
  m.hidden.forEach((l, i) => {
    const name = `l${i + 1}`;
    tensors.set(`${name}.w`, bitTensorFromMatrix(l.w));
    int32(`${name}.t`, l.tau);
    nodes.push({
      op: "binaryDense",
      name,
      weights: `${name}.w`,
      output: { kind: "bits", thresholds: `${name}.t` },
    });
  });
  const last = `l${m.hidden.length + 1}`;
  tensors.set(`${last}.w`, bitTensorFromMatrix(m.last.w));
  float32(`${last}.s`, m.last.scale);
  float32(`${last}.b`, m.last.bias);
  nodes.push({
    op: "binaryDense",
    name: last,
    weights: `${last}.w`,
    output: { kind: "scaleBias", scale: `${last}.s`, bias: `${last}.b` },
  });
  return { graph: { nodes }, tensors, metadata: { name: m.arch.name } };
}

export function binaryMlpFileBytes(m: BinaryMlp): Uint8Array {
  return writeModel(binaryMlpToOnebit(m));
}
