import { type GraphModel, runReference } from "@onebit/format";
import { describe, expect, it } from "vitest";
import { GraphBuilder } from "../../format/test/graph-builder.js";
import { Engine } from "../src/index.js";
import { Rng } from "./random-models.js";
import { NATIVE_BACKENDS } from "./native-backend.js";

// The float glue's dedicated loops (depthwise convolution with the channel loop innermost, per-op
// channelwise loops, word-at-a-time sign) agree with @onebit/format's reference interpreter bit for bit
// on random graphs: depthwise with and without a channel multiplier, strides 1 and 2, padding values
// and biases, every channelwise op, and a sign (fused, or standalone after a concat) read back through
// a binary convolution with a clamped output.

// "native" where the addon loads here (its float glue included; see native-backend.ts).
const BACKENDS = ["typescript", "wasm-i64", "wasm-simd", ...NATIVE_BACKENDS] as const;

function positive(g: GraphBuilder, name: string, n: number, rng: Rng): string {
  g.t.tensors.set(name, { dtype: "float32", shape: [n], data: rng.uniform(n, 0.25, 3) });
  return name;
}

function glueModel(seed: number, c: number, multiplier: number, stride: number, signed: boolean): GraphModel {
  const rng = new Rng(seed + 100);
  const g = new GraphBuilder([{ name: "x", dtype: "float32", shape: [9, 7, c] }], seed);
  const t = g.t;
  const n = c * multiplier;
  const dw = g.add({
    op: "depthwiseConv2d",
    name: "dw",
    inputs: ["x"],
    weights: t.float("dw.w", [n, 3, 3, 1]),
    ...(seed % 2 ? { bias: t.float("dw.b", [n]) } : {}),
    kernel: [3, 3],
    stride: [stride, stride],
    dilation: [1, 1],
    padding: "same",
    padValue: seed % 2 ? 0.75 : 0,
  });
  const bn = g.add({
    op: "batchNorm",
    name: "bn",
    inputs: [dw],
    mean: t.float("bn.mean", [n]),
    variance: positive(g, "bn.var", n, rng),
    gamma: t.float("bn.g", [n]),
    beta: t.float("bn.b", [n]),
    epsilon: 1e-3,
  });
  const relu = g.add({ op: "relu", name: "relu", inputs: [bn] });
  const prelu = g.add({ op: "prelu", name: "prelu", inputs: [bn], alpha: t.float("prelu.a", [n]) });
  const sum = g.add({ op: "add", name: "sum", inputs: [relu, prelu] });
  const rp = g.add({
    op: "rprelu",
    name: "rp",
    inputs: [sum],
    shiftIn: t.float("rp.g", [n]),
    alpha: t.float("rp.a", [n]),
    shiftOut: t.float("rp.z", [n]),
  });
  const scaled = g.add({ op: "mul", name: "scaled", inputs: [rp], scale: t.float("scaled.s", [n]) });
  if (!signed) return g.build([scaled]);
  // Even seeds: a sign of a concat (no chain ends in it: the glue runs it standalone), seed 4 without
  // thresholds; odd seeds: a sign fused into the chain.
  const cat = seed % 2 === 0;
  const k = cat ? 2 * n : n;
  const q = g.add({
    op: "sign",
    name: "q",
    inputs: [cat ? g.add({ op: "concat", name: "cat", inputs: [scaled, dw] }) : scaled],
    ...(seed === 4 ? {} : { thresholds: t.float("q.t", [k]) }),
  });
  // The sign's bits read back through a binary 1×1 conv with a clamped float output: a ReLU-style
  // clamp [0, hi] and a general one.
  const lo = seed % 2 ? 0 : -1.5;
  const hi = seed === 3 ? 1e30 : 4;
  g.add({
    op: "bconv2d",
    name: "dots",
    inputs: [q],
    weights: t.bits("dots.w", [5, 1, 1, k]),
    kernel: [1, 1],
    stride: [1, 1],
    dilation: [1, 1],
    groups: 1,
    padding: "valid",
    padValue: 0,
    output: { ...g.floatOut("dots", 5), clamp: [lo, hi] },
  });
  return g.build(["dots"]);
}

function check(model: GraphModel, seed: number): void {
  const output = model.graph.outputs[0]!;
  for (const backend of BACKENDS) {
    const engine = Engine.createSync(model, { backend, maxBatch: 3 });
    const rng = new Rng(seed);
    for (const batch of [1, 3]) {
      const x = rng.uniform(batch * 9 * 7 * model.graph.inputs[0]!.shape[2]!, -2, 2);
      const got = engine.runSync(x);
      const want = runReference(model, { x }, batch)[output]!;
      expect(Array.from(got.logits), `${output} ${backend} batch ${batch}`).toEqual(Array.from(want.data));
    }
  }
}

describe("float glue = reference interpreter, bit for bit", () => {
  it.each([
    [1, 8, 1, 1],
    [2, 5, 3, 2],
    [3, 3, 8, 2],
    [4, 33, 1, 2],
  ])("seed %i: %i channels, multiplier %i, stride %i", (seed, c, multiplier, stride) => {
    check(glueModel(seed, c, multiplier, stride, false), seed);
    check(glueModel(seed, c, multiplier, stride, true), seed);
  });
});
