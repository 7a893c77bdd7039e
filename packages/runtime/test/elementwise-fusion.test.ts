import { createKernels } from "@onebit/bitops";
import { type GraphModel, runReference } from "@onebit/format";
import { beforeAll, describe, expect, it } from "vitest";
import { GraphBuilder } from "../../format/test/graph-builder.js";
import { compilePlan, createPlanMemory } from "../src/compile.js";
import { StepExecutor, rowShare } from "../src/executor.js";
import type { FusedElementwiseStep } from "../src/fused-steps.js";
import { zeroSignWord } from "../src/graph-steps.js";
import { stageInput } from "../src/input.js";
import { Engine } from "../src/index.js";
import { loadModel } from "../src/model-source.js";
import { Rng } from "./random-models.js";
import { NATIVE_BACKENDS } from "./native-backend.js";
import { loadWasmFloatGlue } from "../src/wasm-glue.js";

// Elementwise fusion on QuickNet-shaped blocks: a binary conv with a clamped float output, then
// batchNorm, the residual add and the sign (fused into one step), a sign that comes after a max-pool
// (fused back into its add's step), concat, a chain ending in the graph's output and a chain whose
// middle value has a second reader (not skipped). Results equal the reference interpreter bit for
// bit on every backend, and with rows split over threads.

// "native" where the addon loads here (its float glue included; see native-backend.ts).
const BACKENDS = ["typescript", "wasm-i64", "wasm-simd", ...NATIVE_BACKENDS] as const;

// The WebAssembly float glue loads asynchronously (Engine.create awaits it; createSync engines
// use it once loaded): load it first, so the WebAssembly backends run it.
beforeAll(() => loadWasmFloatGlue());

/** `lce`: every batchNorm is LCE's x·s + o (mean 0, variance 1 − ε, ε = 2⁻²⁴), the fast loop's case. */
function blockModel(seed: number, c: number, lce = false): GraphModel {
  const rng = new Rng(seed + 7);
  const g = new GraphBuilder([{ name: "x", dtype: "float32", shape: [6, 5, c] }], seed);
  const t = g.t;
  const bn = (name: string, input: string, n: number) => {
    const variance = lce ? new Float32Array(n).fill(1 - 2 ** -24) : rng.uniform(n, 0.25, 2);
    g.t.tensors.set(`${name}.v`, { dtype: "float32", shape: [n], data: variance });
    g.t.tensors.set(`${name}.mean`, {
      dtype: "float32",
      shape: [n],
      data: lce ? new Float32Array(n) : rng.uniform(n, -1, 1),
    });
    return g.add({
      op: "batchNorm",
      name,
      inputs: [input],
      mean: `${name}.mean`,
      variance: `${name}.v`,
      gamma: t.float(`${name}.g`, [n]),
      beta: t.float(`${name}.b`, [n]),
      epsilon: lce ? 2 ** -24 : 1e-3,
    });
  };
  const bconv = (name: string, input: string, n: number, cin: number, stride: number) =>
    g.add({
      op: "bconv2d",
      name,
      inputs: [input],
      weights: t.bits(`${name}.w`, [n, 3, 3, cin]),
      kernel: [3, 3],
      stride: [stride, stride],
      dilation: [1, 1],
      groups: 1,
      padding: "same",
      padValue: 1,
      output: { ...g.floatOut(name, n), clamp: [0, seed === 2 ? 3 : 1e30] },
    });
  const stem = bn("stem", g.add({ op: "relu", name: "relu0", inputs: ["x"] }), c);
  const b1 = bn("bn1", bconv("b1", g.add({ op: "quantize", name: "q0", inputs: [stem] }), c, c, 1), c);
  const r1 = g.add({ op: "add", name: "r1", inputs: [stem, b1] });
  const pool = g.add({
    op: "maxPool2d",
    name: "pool",
    inputs: [r1],
    kernel: [2, 2],
    stride: [2, 2],
    padding: "same",
  });
  const short = bn("bn2", pool, c);
  // The sign of r1 comes after the pool and bn2 in the graph's order.
  const b2 = bn("bn3", bconv("b2", g.add({ op: "quantize", name: "q1", inputs: [r1] }), c, c, 2), c);
  const r2 = g.add({ op: "add", name: "r2", inputs: [b2, short] });
  const cat = g.add({ op: "concat", name: "cat", inputs: [short, r2] });
  const b3 = bconv("b3", g.add({ op: "quantize", name: "q2", inputs: [cat] }), 2 * c, 2 * c, 1);
  // b3's clamp output has a second reader (the mul): the clamp → bn3b run stops there.
  const m = g.add({ op: "mul", name: "m", inputs: [b3], scale: t.float("m.s", [2 * c]) });
  const r3 = g.add({ op: "add", name: "r3", inputs: [bn("bn4", b3, 2 * c), cat] });
  const r4 = g.add({ op: "add", name: "r4", inputs: [r3, m] });
  g.add({ op: "relu", name: "out", inputs: [r4] });
  return g.build(["out"]);
}

function fusedSteps(model: GraphModel): string[][] {
  const engine = Engine.createSync(model, { backend: "typescript" });
  return engine.plan.steps
    .filter((s): s is FusedElementwiseStep => s.op === "fusedElementwise")
    .map((s) => [...s.fused]);
}

describe("elementwise fusion", () => {
  it("fuses the runs it may, and only those", () => {
    expect(fusedSteps(blockModel(1, 8))).toEqual([
      ["relu0", "stem", "q0"],
      ["b1", "bn1", "r1", "q1"],
      ["b2", "bn3", "r2"],
      ["bn4", "r3", "r4", "out"],
    ]);
  });

  it.each([
    [1, 8, false],
    [2, 5, false],
    [3, 33, false],
    [4, 8, true],
    [5, 37, true],
  ])("= the reference interpreter bit for bit (seed %i, %i channels, LCE batchNorms %s)", (seed, c, lce) => {
    const model = blockModel(seed, c, lce);
    for (const backend of BACKENDS) {
      const engine = Engine.createSync(model, { backend, maxBatch: 3 });
      const rng = new Rng(seed);
      for (const batch of [1, 4]) {
        const x = rng.uniform(batch * 6 * 5 * c, -2, 2);
        const want = runReference(model, { x }, batch).out!;
        expect(Array.from(engine.runSync(x).logits), `${backend} batch ${batch}`).toEqual(
          Array.from(want.data),
        );
      }
    }
  });

  it.each([2, 3])("rows split over %i threads give the one-thread result", (threads) => {
    const model = blockModel(threads, 7);
    const { graph, graphValues } = loadModel(model);
    const batch = 5;
    const x = new Rng(threads).uniform(batch * 6 * 5 * 7, -2, 2);
    const run = (split: boolean) => {
      const compiled = compilePlan(graph, graphValues, { threadSlots: threads, capacity: batch });
      const memory = createPlanMemory(compiled.plan, false);
      compiled.fill(memory);
      const ex = new StepExecutor(compiled.plan, createKernels({ backend: "wasm-i64", memory }));
      stageInput(ex.views, compiled.plan.input, x, 0, batch);
      compiled.plan.steps.forEach((step, i) => {
        const rows = StepExecutor.rows(step, batch);
        if (!split) ex.runRows(i, 0, rows, 0);
        else
          for (let t = threads - 1; t >= 0; t--) {
            const [r0, r1] = rowShare(rows, t, threads);
            ex.runRows(i, r0, r1, t);
          }
      });
      const o = compiled.plan.output;
      return Array.from(ex.views.f32.subarray(o.ptr >>> 2, (o.ptr >>> 2) + batch * o.elements));
    };
    expect(run(true)).toEqual(run(false));
  });
});

describe("zeroSignWord", () => {
  it("equals x ≥ 0 on special and random float32 values", () => {
    const rng = new Rng(5);
    const special = [0, -0, 1e-45, -1e-45, 1, -1, Infinity, -Infinity, Number.NaN, 3.4e38, -3.4e38];
    const values = new Float32Array(32 * 20);
    for (let i = 0; i < values.length; i++) values[i] = i < 32 * 10 ? rng.pick(special) : rng.next() * 4 - 2;
    const i32 = new Int32Array(values.buffer);
    i32[5] = 0xffc00000 | 0; // a NaN with the sign bit set
    for (let w = 0; w < 20; w++) {
      const count = w === 19 ? 7 : 32;
      let want = 0;
      for (let k = 0; k < count; k++) want |= (values[w * 32 + k]! >= 0 ? 1 : 0) << k;
      expect(zeroSignWord(i32, w * 32, count), `word ${w}`).toBe(want);
    }
  });
});
