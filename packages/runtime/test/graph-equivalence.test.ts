import { type GraphModel, runReference, toGraphModel, writeGraphModel } from "@onebit/format";
import { beforeAll, describe, expect, it } from "vitest";
import { GraphBuilder, residualModel } from "../../format/test/graph-builder.js";
import { Engine, describeModel } from "../src/index.js";
import { ModelBuilder, Rng } from "./random-models.js";
import { NATIVE_BACKENDS } from "./native-backend.js";
import { loadWasmFloatGlue } from "../src/wasm-glue.js";

// Version 2 graphs (residual blocks, concat, downsampling shortcuts, depthwise convs, float heads)
// run by the packed runtime agree with @onebit/format's reference interpreter — the executable
// spec — bit for bit: the float steps follow the reference's arithmetic operation for operation.

// "native" where the addon loads here (its float glue included; see native-backend.ts).
const BACKENDS = ["typescript", "wasm-i64", "wasm-simd", ...NATIVE_BACKENDS] as const;

// The WebAssembly float glue loads asynchronously (Engine.create awaits it; createSync engines
// use it once loaded): load it first, so the WebAssembly backends run it.
beforeAll(() => loadWasmFloatGlue());

function inputsFor(model: GraphModel, rng: Rng, batch: number): Float32Array | Uint8Array {
  const input = model.graph.inputs[0]!;
  const n = input.shape.reduce((p, d) => p * d, 1) * batch;
  return input.dtype === "uint8" ? rng.bytes(n) : rng.uniform(n, -2, 2);
}

function check(model: GraphModel, seed: number, maxBatch = 3) {
  for (const backend of BACKENDS) {
    const engine = Engine.createSync(model, { backend, maxBatch });
    const rng = new Rng(seed);
    for (const batch of [1, 5]) {
      const x = inputsFor(model, rng, batch);
      const got = engine.runSync(x);
      const want = runReference(model, { [model.graph.inputs[0]!.name]: x }, batch);
      const scores =
        want[engine.outputInfo.name] ??
        runReference(
          { ...model, graph: { ...model.graph, outputs: [engine.outputInfo.name] } },
          { [model.graph.inputs[0]!.name]: x },
          batch,
        )[engine.outputInfo.name]!;
      expect(Array.from(got.logits), `${backend} batch ${batch}`).toEqual(Array.from(scores.data));
    }
  }
}

/** Bits-side ops: one-padded pad, bits concat, packed max-pool with minMask, bdense, mul, sign, dequantize, add. */
function bitsModel(seed: number, c: number): GraphModel {
  const g = new GraphBuilder([{ name: "x", dtype: "uint8", shape: [7, 6, 2] }], seed);
  const t = g.t;
  const p0 = g.add({
    op: "bitPlaneConv2d",
    name: "first",
    inputs: ["x"],
    weights: t.bits("first.w", [c, 3, 3, 2]),
    kernel: [3, 3],
    stride: [1, 1],
    padding: "same",
    padValue: 17,
    output: g.bitsOut("first", c, 300),
  });
  const padded = g.add({ op: "pad", name: "pad", inputs: [p0], pads: [1, 0, 2, 1], value: 1 });
  const b1 = g.add({
    op: "bconv2d",
    name: "b1",
    inputs: [padded],
    weights: t.bits("b1.w", [c + 3, 2, 1, c]),
    kernel: [2, 1],
    stride: [2, 1],
    dilation: [1, 1],
    groups: 1,
    padding: "valid",
    padValue: 1,
    output: g.bitsOut("b1", c + 3, 20),
  });
  const b2 = g.add({
    op: "bconv2d",
    name: "b2",
    inputs: [padded],
    weights: t.bits("b2.w", [5, 1, 1, c]),
    kernel: [1, 1],
    stride: [2, 1],
    dilation: [1, 1],
    groups: 1,
    padding: "valid",
    padValue: 0,
    output: g.bitsOut("b2", 5, 3),
  });
  const cat = g.add({ op: "concat", name: "cat", inputs: [b1, b2] });
  const pool = g.add({
    op: "maxPool2d",
    name: "pool",
    inputs: [cat],
    kernel: [2, 2],
    stride: [1, 2],
    padding: "same",
    minMask: t.bits("pool.m", [c + 8]),
  });
  const flat = g.add({ op: "flatten", name: "flat", inputs: [pool] });
  const fc = g.add({
    op: "bdense",
    name: "fc",
    inputs: [flat],
    weights: t.bits("fc.w", [12, 4 * 5 * (c + 8)]),
    output: g.floatOut("fc", 12),
  });
  const scaled = g.add({ op: "mul", name: "scaled", inputs: [fc], scale: t.float("scaled.s", [12]) });
  const back = g.add({
    op: "dequantize",
    name: "deq",
    inputs: [g.add({ op: "sign", name: "s", inputs: [scaled] })],
  });
  const sum = g.add({ op: "add", name: "sum", inputs: [scaled, back] });
  return g.build([sum]);
}

describe("version 2 graphs: packed runtime = reference interpreter", () => {
  it.each([1, 2, 3])("Bi-Real/ReActNet-shaped residual graph (seed %i)", (seed) => {
    check(residualModel(seed, seed === 3 ? 40 : 8), seed);
  });

  it.each([1, 2])(
    "bits-side ops: pads, concat, masked pools, flatten into a binary dense (seed %i)",
    (seed) => {
      check(bitsModel(seed, seed === 1 ? 5 : 37), seed);
    },
  );

  it("returns int32 dots exactly and reads version 2 files", () => {
    const g = new GraphBuilder([{ name: "x", dtype: "float32", shape: [5, 5, 33] }], 4);
    const q = g.add({ op: "quantize", name: "q", inputs: ["x"] });
    g.add({
      op: "bconv2d",
      name: "dots",
      inputs: [q],
      weights: g.t.bits("w", [6, 3, 3, 11]),
      kernel: [3, 3],
      stride: [1, 1],
      dilation: [2, 1],
      groups: 3,
      padding: "same",
      padValue: 0,
      output: { kind: "int32" },
    });
    const model = g.build(["dots"]);
    check(model, 9);
    const engine = Engine.createSync(writeGraphModel(model));
    expect(engine.outputInfo).toMatchObject({ kind: "int32", shape: [5, 5, 6], classes: undefined });
    expect(describeModel(model).nodes.map((n) => n.op)).toEqual(["input", "quantize", "bconv2d"]);
  });
});

describe("fusion", () => {
  it("a float layer read only by a sign compares in its epilogue (no float value, no sign step)", () => {
    const rng = new Rng(4);
    const model = new ModelBuilder(rng)
      .input("float32", [20])
      .denseFloat(33, "bits")
      .binaryDense(7, "scaleBias")
      .build();
    const engine = Engine.createSync(model);
    expect(engine.plan.steps.map((s) => s.op)).toEqual(["denseFloat", "gemm"]);
    const graph = toGraphModel(model);
    expect(graph.graph.nodes.map((n) => n.op)).toEqual(["dense", "sign", "bdense"]);
    check(graph, 4);
  });
});
