import {
  type GraphInput,
  type GraphModel,
  type GraphNodeV2,
  packBitTensor,
  runReference,
  type Tensor,
} from "@onebit/format";
import { Rng } from "@onebit/tensor";
import { describe, expect, it } from "vitest";
import { GraphToOnnxError, graphToOnnx } from "../src/onnx/graph-to-onnx.js";
import { createOrtSession, loadOrt } from "../src/onnx/ort.js";
import { loadQuicknet, quicknetInput, readQuicknetReference } from "../src/sections/quicknet.js";
import { quicknetOrtCases, runQuicknetTwin } from "../src/sections/quicknet-onnx.js";

const { ort } = await loadOrt();

/** Small version 2 graphs with seeded random tensors. */
class Graph {
  readonly nodes: GraphNodeV2[] = [];
  readonly tensors = new Map<string, Tensor>();
  readonly rng: Rng;
  constructor(
    readonly inputs: GraphInput[],
    seed: number,
  ) {
    this.rng = new Rng(seed);
  }
  add(node: GraphNodeV2): string {
    this.nodes.push(node);
    return node.name;
  }
  float(name: string, shape: number[], lo = -1, hi = 1): string {
    const n = shape.reduce((a, b) => a * b, 1);
    this.tensors.set(name, { dtype: "float32", shape, data: this.rng.uniformArray(n, lo, hi) });
    return name;
  }
  bits(name: string, shape: number[]): string {
    this.tensors.set(name, packBitTensor(this.rng.signs(shape.reduce((a, b) => a * b, 1)), shape));
    return name;
  }
  /** Integer thresholds in ±range and every other channel flipped. */
  bitsOut(name: string, units: number, range: number) {
    const t = Int32Array.from({ length: units }, () => this.rng.int(2 * range + 1) - range);
    this.tensors.set(`${name}.t`, { dtype: "int32", shape: [units], data: t });
    const flip = Uint8Array.from({ length: units }, (_, i) => i % 2);
    this.tensors.set(`${name}.f`, { dtype: "uint8", shape: [units], data: flip });
    return { kind: "bits" as const, thresholds: `${name}.t`, flip: `${name}.f` };
  }
  floatOut(name: string, units: number, clamp?: [number, number]) {
    return {
      kind: "float32" as const,
      multiplier: this.float(`${name}.m`, [units], 0.1, 0.5),
      bias: this.float(`${name}.b`, [units]),
      ...(clamp ? { clamp } : {}),
    };
  }
  build(outputs: string[]): GraphModel {
    return {
      graph: { inputs: this.inputs, outputs, nodes: this.nodes },
      tensors: this.tensors,
      metadata: { name: "graph-to-onnx-test" },
    };
  }
}

const conv = { stride: [1, 1], dilation: [1, 1], groups: 1, padding: "same", padValue: 0 } as const;

/** Values on a 0.25 grid, so exact zeros (sign(0) = +1) and ties in max pools occur. */
function gridInput(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.int(17) - 8) / 4);
}

/** Runs the ONNX twin on `batch` samples and checks every output against the reference interpreter. */
async function expectSameAsReference(model: GraphModel, batch = 2, seed = 5): Promise<void> {
  const rng = new Rng(seed);
  const feeds: Record<string, Float32Array | Uint8Array> = {};
  const ortFeeds: Record<string, InstanceType<NonNullable<typeof ort>["Tensor"]>> = {};
  for (const input of model.graph.inputs) {
    const n = batch * input.shape.reduce((a, b) => a * b, 1);
    const data = input.dtype === "uint8" ? rng.bytes(n) : gridInput(rng, n);
    feeds[input.name] = data;
    ortFeeds[input.name] = new ort!.Tensor("float32", Float32Array.from(data), [batch, ...input.shape]);
  }
  const want = runReference(model, feeds, batch);
  const session = await createOrtSession(ort!, graphToOnnx(model), 1);
  const got = await session.run(ortFeeds);
  await session.release();
  for (const name of model.graph.outputs) {
    const w = want[name]!;
    const g = got[name]!;
    expect(g.dims, name).toEqual([batch, ...w.shape]);
    const gd = g.data as Float32Array;
    for (let i = 0; i < w.data.length; i++) {
      const v = w.data[i]!;
      if (w.kind === "float32")
        expect(Math.abs(gd[i]! - v), `${name}[${i}]`).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(v));
      else expect(gd[i], `${name}[${i}] (${w.kind})`).toBe(v);
    }
  }
}

describe.skipIf(!ort)(
  "graphToOnnx: the float ONNX twin of a version 2 graph agrees with runReference",
  () => {
    it("bconv2d: padValue 1 at stride 2 on an odd size (the extra 'same' pixel at the end), clamped float output", async () => {
      const g = new Graph([{ name: "x", dtype: "float32", shape: [7, 5, 6] }], 1);
      const q = g.add({ op: "quantize", name: "q", inputs: ["x"] });
      g.add({
        op: "bconv2d",
        name: "y",
        inputs: [q],
        weights: g.bits("w", [10, 3, 3, 6]),
        ...conv,
        kernel: [3, 3],
        stride: [2, 2],
        padValue: 1,
        output: g.floatOut("y", 10, [-0.6, 0.8]),
      });
      await expectSameAsReference(g.build(["y"]));
    });

    it("bconv2d: padValue 0 at stride 2 with groups, dilation 2 with bits output (thresholds, flips), a 1×1 int32 output", async () => {
      const g = new Graph([{ name: "x", dtype: "float32", shape: [9, 8, 8] }], 2);
      const q = g.add({ op: "quantize", name: "q", inputs: ["x"] });
      const a = g.add({
        op: "bconv2d",
        name: "a",
        inputs: [q],
        weights: g.bits("a.w", [8, 3, 3, 4]),
        ...conv,
        kernel: [3, 3],
        stride: [2, 2],
        groups: 2,
        padValue: 0,
        output: g.bitsOut("a", 8, 6),
      });
      const b = g.add({
        op: "bconv2d",
        name: "b",
        inputs: [a],
        weights: g.bits("b.w", [12, 3, 3, 8]),
        ...conv,
        kernel: [3, 3],
        dilation: [2, 2],
        padValue: 1,
        output: g.bitsOut("b", 12, 10),
      });
      g.add({
        op: "bconv2d",
        name: "z",
        inputs: [b],
        weights: g.bits("z.w", [5, 1, 1, 12]),
        ...conv,
        kernel: [1, 1],
        padding: "valid",
        padValue: 0,
        output: { kind: "int32" },
      });
      await expectSameAsReference(g.build(["a", "z"]));
    });

    it("conv2d (padValue 0.5, stride 2), depthwiseConv2d (multiplier 2), batchNorm, relu, prelu, mul, rprelu from a normalized uint8 input", async () => {
      const g = new Graph(
        [{ name: "img", dtype: "uint8", shape: [8, 7, 3], normalization: { scale: 1 / 64, offset: -2 } }],
        3,
      );
      const c = g.add({
        op: "conv2d",
        name: "c",
        inputs: ["img"],
        weights: g.float("c.w", [6, 3, 3, 3]),
        bias: g.float("c.b", [6]),
        ...conv,
        kernel: [3, 3],
        stride: [2, 2],
        padValue: 0.5,
      });
      const dw = g.add({
        op: "depthwiseConv2d",
        name: "dw",
        inputs: [c],
        weights: g.float("dw.w", [12, 3, 3, 1]),
        bias: g.float("dw.b", [12]),
        kernel: [3, 3],
        stride: [1, 1],
        dilation: [1, 1],
        padding: "same",
        padValue: 0,
      });
      const bn = g.add({
        op: "batchNorm",
        name: "bn",
        inputs: [dw],
        mean: g.float("bn.mean", [12]),
        variance: g.float("bn.var", [12], 0.2, 2),
        gamma: g.float("bn.g", [12]),
        beta: g.float("bn.b", [12]),
        epsilon: 1e-3,
      });
      const r = g.add({ op: "relu", name: "r", inputs: [bn] });
      const p = g.add({ op: "prelu", name: "p", inputs: [bn], alpha: g.float("p.a", [12]) });
      const m = g.add({ op: "mul", name: "m", inputs: [r], scale: g.float("m.s", [12]) });
      const s = g.add({ op: "add", name: "s", inputs: [m, p] });
      g.add({
        op: "rprelu",
        name: "act",
        inputs: [s],
        shiftIn: g.float("act.g", [12]),
        alpha: g.float("act.a", [12]),
        shiftOut: g.float("act.z", [12]),
      });
      await expectSameAsReference(g.build(["act"]));
    });

    it("concat of three values, maxPool2d and avgPool2d with 'same' padding at stride 2, maxPool2d over bits with a minMask, pad", async () => {
      const g = new Graph([{ name: "x", dtype: "float32", shape: [7, 9, 4] }], 4);
      const r = g.add({ op: "relu", name: "r", inputs: ["x"] });
      const m = g.add({ op: "mul", name: "m", inputs: ["x"], scale: g.float("m.s", [4]) });
      const cat = g.add({ op: "concat", name: "cat", inputs: ["x", r, m] });
      const window = { kernel: [3, 3], stride: [2, 2], padding: "same" } as const;
      const mp = g.add({ op: "maxPool2d", name: "mp", inputs: [cat], ...window });
      const ap = g.add({ op: "avgPool2d", name: "ap", inputs: [cat], ...window });
      const both = g.add({ op: "concat", name: "both", inputs: [mp, ap] });
      const q = g.add({ op: "quantize", name: "q", inputs: ["x"] });
      const qp = g.add({ op: "pad", name: "qp", inputs: [q], pads: [1, 0, 2, 1] });
      g.add({
        op: "maxPool2d",
        name: "bp",
        inputs: [qp],
        kernel: [2, 2],
        stride: [2, 2],
        padding: "valid",
        minMask: g.bits("bp.mask", [4]),
      });
      g.add({ op: "pad", name: "fp", inputs: [both], pads: [0, 1, 1, 0], value: -0.25 });
      await expectSameAsReference(g.build(["fp", "bp"]));
    });

    it("reshape and flatten in NHWC order (with and without a transpose), dense, bdense, sign with thresholds and flips, dequantize, globalAvgPool, softmax", async () => {
      const g = new Graph([{ name: "v", dtype: "float32", shape: [72] }], 6);
      const img = g.add({ op: "reshape", name: "img", inputs: ["v"], shape: [3, 4, 6] });
      const c = g.add({
        op: "conv2d",
        name: "c",
        inputs: [img],
        weights: g.float("c.w", [5, 3, 3, 6]),
        ...conv,
        kernel: [3, 3],
      });
      const back = g.add({ op: "reshape", name: "back", inputs: [c], shape: [6, 2, 5] });
      const gap = g.add({ op: "globalAvgPool", name: "gap", inputs: [back] });
      const flat = g.add({ op: "flatten", name: "flat", inputs: [back] });
      const d = g.add({
        op: "dense",
        name: "d",
        inputs: [flat],
        weights: g.float("d.w", [7, 60]),
        bias: g.float("d.b", [7]),
      });
      const s = g.add({
        op: "sign",
        name: "s",
        inputs: ["v"],
        thresholds: g.float("s.t", [72]),
        flip: "s.f",
      });
      g.tensors.set("s.f", {
        dtype: "uint8",
        shape: [72],
        data: Uint8Array.from({ length: 72 }, (_, i) => (i % 3 === 0 ? 1 : 0)),
      });
      const bd = g.add({
        op: "bdense",
        name: "bd",
        inputs: [s],
        weights: g.bits("bd.w", [9, 72]),
        output: g.floatOut("bd", 9),
      });
      const sm = g.add({ op: "softmax", name: "sm", inputs: [d] });
      const deq = g.add({
        op: "dequantize",
        name: "deq",
        inputs: [g.add({ op: "reshape", name: "cube", inputs: [s], shape: [2, 6, 6] })],
      });
      // Shapes whose NHWC and NCHW orders coincide ([1, 1, C], [H, W, 1]) reshape without a transpose.
      const one = g.add({ op: "reshape", name: "one", inputs: [d], shape: [1, 1, 7] });
      const col = g.add({ op: "reshape", name: "col", inputs: [d], shape: [7, 1, 1] });
      const widen = g.add({
        op: "conv2d",
        name: "widen",
        inputs: [col],
        weights: g.float("widen.w", [3, 1, 1, 1]),
        ...conv,
        kernel: [1, 1],
      });
      await expectSameAsReference(g.build([sm, bd, gap, deq, one, widen]));
    });

    it("refuses an op it cannot translate with UNSUPPORTED_OP naming the node", () => {
      const g = new Graph([{ name: "x", dtype: "float32", shape: [4] }], 7);
      g.add({ op: "argmax", name: "class", inputs: ["x"] });
      let error: unknown;
      try {
        graphToOnnx(g.build(["class"]));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GraphToOnnxError);
      expect((error as GraphToOnnxError).code).toBe("UNSUPPORTED_OP");
      expect((error as Error).message).toMatch(/"class".*argmax/);
    });
  },
);

describe.skipIf(!ort)("QuickNet's float twin in onnxruntime-node", () => {
  it("gives the reference interpreter's probabilities within float32 tolerance and the same top-5", async () => {
    const want = readQuicknetReference()!.probabilities;
    const got = await runQuicknetTwin(quicknetInput());
    expect(got).toHaveLength(want.length);
    for (let i = 0; i < want.length; i++)
      expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-5 + 1e-3 * want[i]!);
    const top5 = (p: ArrayLike<number>) =>
      Array.from(p, (v, i) => [v, i] as const)
        .sort((a, b) => b[0] - a[0])
        .slice(0, 5)
        .map(([, i]) => i);
    expect(top5(got)).toEqual(top5(want));
  });

  it("is planned on 1 and 2 threads, each case checked against the reference before timing", async () => {
    const cases = quicknetOrtCases(2);
    expect(cases.map((c) => [c.impl, c.threads, c.precision])).toEqual([
      ["ort-1t", 1, "float32"],
      ["ort-2t", 2, "float32"],
    ]);
    const prepared = await cases[0]!.setup();
    const y = (await prepared.run()) as Float32Array;
    expect(prepared.check?.(y)).toEqual({ ok: true });
    const wrong = Float32Array.from(y);
    const top = wrong.indexOf(Math.max(...wrong));
    wrong[top] = 0;
    expect(prepared.check?.(wrong).ok).toBe(false);
    await prepared.dispose?.();
    expect(loadQuicknet().model.graph.nodes.length).toBeGreaterThan(0);
  });
});
