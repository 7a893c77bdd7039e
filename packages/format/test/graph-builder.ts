import type { GraphInput, GraphModel, GraphNodeV2 } from "../src/index.js";
import { TensorMaker, rng } from "./fixtures.js";

/** Builds version 2 graphs with seeded random tensors (tests only). */
export class GraphBuilder {
  readonly t: TensorMaker;
  readonly nodes: GraphNodeV2[] = [];
  constructor(
    readonly inputs: GraphInput[],
    seed = 1,
  ) {
    this.t = new TensorMaker(rng(seed));
  }
  add<N extends GraphNodeV2>(node: N): string {
    this.nodes.push(node);
    return node.name;
  }
  /** A bits output with thresholds in ±range and random flips. */
  bitsOut(name: string, units: number, range: number) {
    return {
      kind: "bits" as const,
      thresholds: this.t.int(`${name}.t`, [units], -range, range),
      flip: this.t.flags(`${name}.f`, units),
    };
  }
  floatOut(name: string, units: number) {
    return {
      kind: "float32" as const,
      multiplier: this.t.float(`${name}.m`, [units]),
      bias: this.t.float(`${name}.b`, [units]),
    };
  }
  build(outputs: string[], labels?: string[]): GraphModel {
    return {
      graph: { inputs: this.inputs, outputs, nodes: this.nodes },
      tensors: this.t.tensors,
      metadata: { name: "graph-test", ...(labels ? { labels } : {}) },
    };
  }
}

/**
 * A Bi-Real/ReActNet-shaped residual graph: float stem, RSign, binary 3×3 convs with real shortcuts
 * (add), an average-pool + 1×1 conv downsampling shortcut, concat, RPReLU, GAP, float head.
 */
export function residualModel(seed = 1, c = 8): GraphModel {
  const g = new GraphBuilder(
    [{ name: "image", dtype: "uint8", shape: [8, 8, 3], normalization: { scale: 1 / 255, offset: -0.5 } }],
    seed,
  );
  const t = g.t;
  const stem = g.add({
    op: "conv2d",
    name: "stem",
    inputs: ["image"],
    weights: t.float("stem.w", [c, 3, 3, 3]),
    bias: t.float("stem.bias", [c]),
    kernel: [3, 3],
    stride: [1, 1],
    dilation: [1, 1],
    groups: 1,
    padding: "same",
    padValue: 0,
  });
  const s1 = g.add({ op: "sign", name: "rsign1", inputs: [stem], thresholds: t.float("rsign1.t", [c]) });
  const b1 = g.add({
    op: "bconv2d",
    name: "b1",
    inputs: [s1],
    weights: t.bits("b1.w", [c, 3, 3, c]),
    kernel: [3, 3],
    stride: [1, 1],
    dilation: [1, 1],
    groups: 1,
    padding: "same",
    padValue: 1,
    output: g.floatOut("b1", c),
  });
  const bn1 = g.add({
    op: "batchNorm",
    name: "bn1",
    inputs: [b1],
    mean: t.float("bn1.mean", [c]),
    variance: tPositive(t, "bn1.var", c),
    gamma: t.float("bn1.g", [c]),
    beta: t.float("bn1.b", [c]),
    epsilon: 1e-3,
  });
  const r1 = g.add({ op: "add", name: "res1", inputs: [bn1, stem] });
  const a1 = g.add({
    op: "rprelu",
    name: "act1",
    inputs: [r1],
    shiftIn: t.float("act1.g", [c]),
    alpha: t.float("act1.a", [c]),
    shiftOut: t.float("act1.z", [c]),
  });
  // Downsampling block: binary 3×3 stride 2 with zero padding, dilation and groups; shortcut avg-pool + 1×1 conv.
  const s2 = g.add({ op: "quantize", name: "q2", inputs: [a1] });
  const b2 = g.add({
    op: "bconv2d",
    name: "b2",
    inputs: [s2],
    weights: t.bits("b2.w", [c, 3, 3, c / 2]),
    kernel: [3, 3],
    stride: [2, 2],
    dilation: [1, 1],
    groups: 2,
    padding: "same",
    padValue: 0,
    output: g.floatOut("b2", c),
  });
  const pool = g.add({
    op: "avgPool2d",
    name: "short.pool",
    inputs: [a1],
    kernel: [2, 2],
    stride: [2, 2],
    padding: "valid",
  });
  const proj = g.add({
    op: "conv2d",
    name: "short.conv",
    inputs: [pool],
    weights: t.float("short.w", [c, 1, 1, c]),
    kernel: [1, 1],
    stride: [1, 1],
    dilation: [1, 1],
    groups: 1,
    padding: "valid",
    padValue: 0,
  });
  const r2 = g.add({ op: "add", name: "res2", inputs: [b2, proj] });
  const b3 = g.add({
    op: "bconv2d",
    name: "b3",
    inputs: [g.add({ op: "sign", name: "rsign3", inputs: [r2] })],
    weights: t.bits("b3.w", [c, 3, 3, c]),
    kernel: [3, 3],
    stride: [1, 1],
    dilation: [2, 2],
    groups: 1,
    padding: "same",
    padValue: 1,
    output: g.floatOut("b3", c),
  });
  const cat = g.add({ op: "concat", name: "cat", inputs: [r2, b3] });
  const dw = g.add({
    op: "depthwiseConv2d",
    name: "dw",
    inputs: [cat],
    weights: t.float("dw.w", [2 * c, 3, 3, 1]),
    kernel: [3, 3],
    stride: [1, 1],
    dilation: [1, 1],
    padding: "same",
    padValue: 0,
  });
  const act = g.add({
    op: "prelu",
    name: "act2",
    inputs: [g.add({ op: "relu", name: "relu", inputs: [dw] })],
    alpha: t.float("act2.a", [2 * c]),
  });
  const gap = g.add({ op: "globalAvgPool", name: "gap", inputs: [act] });
  const head = g.add({
    op: "dense",
    name: "logits",
    inputs: [gap],
    weights: t.float("head.w", [10, 2 * c]),
    bias: t.float("head.b", [10]),
  });
  const probs = g.add({ op: "softmax", name: "probs", inputs: [head] });
  g.add({ op: "argmax", name: "class", inputs: [probs] });
  return g.build(["logits", "class"], [..."0123456789"]);
}

function tPositive(t: TensorMaker, name: string, n: number): string {
  const data = Float32Array.from({ length: n }, (_, i) => 0.5 + ((i * 7) % 5) / 4);
  t.tensors.set(name, { dtype: "float32", shape: [n], data });
  return name;
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path in a JSON value (for mutation tests). */
export function jsonPaths(
  v: Json,
  at: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      jsonPaths(x, [...at, i], out);
    });
  } else if (v && typeof v === "object") for (const k of Object.keys(v)) jsonPaths(v[k]!, [...at, k], out);
  return out;
}

/** A copy of `v` with the member at `path` replaced by `value`. */
export function withValueAt(v: Json, path: (string | number)[], value: Json): Json {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(v)) return v.map((x, i) => (i === head ? withValueAt(x, rest, value) : x));
  if (v && typeof v === "object") return { ...v, [head!]: withValueAt(v[head as string]!, rest, value) };
  return v;
}
