import { type OnebitModel, packBitTensor, type Tensor } from "../src/index.js";

/** The worked example of SPEC.md §8: 5 bytes in, bit-plane layer, binary logits, argmax. */
export function specExampleModel(): OnebitModel {
  return {
    graph: {
      nodes: [
        {
          op: "input",
          name: "x",
          dtype: "uint8",
          shape: [5],
          normalization: { scale: 0.00784313725490196, offset: -1 },
        },
        {
          op: "denseBitPlane",
          name: "h",
          weights: "h.w",
          output: { kind: "bits", thresholds: "h.t", flip: "h.f" },
        },
        {
          op: "binaryDense",
          name: "y",
          weights: "y.w",
          output: { kind: "scaleBias", scale: "y.s", bias: "y.b" },
        },
        { op: "argmax", name: "class" },
      ],
    },
    tensors: new Map<string, Tensor>([
      ["h.w", packBitTensor([1, -1, 1, 1, -1, -1, -1, 1, 1, 1], [2, 5])],
      ["h.t", { dtype: "int32", shape: [2], data: Int32Array.of(100, -37) }],
      ["h.f", { dtype: "uint8", shape: [2], data: Uint8Array.of(0, 1) }],
      ["y.w", packBitTensor([1, -1, -1, 1, 1, 1], [3, 2])],
      ["y.s", { dtype: "float32", shape: [3], data: Float32Array.of(0.5, 0.25, 1) }],
      ["y.b", { dtype: "float32", shape: [3], data: Float32Array.of(0, -1, 2) }],
    ]),
    metadata: { name: "spec-example", labels: ["a", "b", "c"] },
  };
}
