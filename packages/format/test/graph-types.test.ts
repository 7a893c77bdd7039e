import { describe, expect, it } from "vitest";
import { type GraphNode, OP_NAMES } from "../src/index.js";

describe("graph types", () => {
  it("lists every op once", () => {
    expect(new Set(OP_NAMES).size).toBe(OP_NAMES.length);
    // A node of each op type-checks against GraphNode (compile-time contract for exporter/runtime).
    const nodes: GraphNode[] = [
      {
        op: "input",
        name: "x",
        dtype: "uint8",
        shape: [28, 28, 1],
        normalization: { scale: 1 / 127.5, offset: -1 },
      },
      {
        op: "conv2dBitPlane",
        name: "c1",
        weights: "c1.w",
        kernel: [3, 3],
        stride: [1, 1],
        padding: "valid",
        output: { kind: "bits", thresholds: "c1.t", flip: "c1.f" },
      },
      { op: "maxPool2d", name: "p1", kernel: [2, 2], stride: [2, 2], padding: "valid", minMask: "p1.m" },
      {
        op: "binaryConv2d",
        name: "c2",
        weights: "c2.w",
        kernel: [3, 3],
        stride: [1, 1],
        padding: "same",
        output: { kind: "bits", thresholds: "c2.t" },
      },
      { op: "flatten", name: "f" },
      {
        op: "binaryDense",
        name: "d1",
        weights: "d1.w",
        output: { kind: "scaleBias", scale: "d1.s", bias: "d1.b" },
      },
      { op: "softmax", name: "sm" },
      { op: "argmax", name: "am" },
    ];
    expect(nodes.map((n) => n.op).every((op) => OP_NAMES.includes(op))).toBe(true);
  });
});
