import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { packSignsMatrix } from "@onebit/bitops";
import { type OnebitModel, type Tensor, bitTensorFromMatrix, writeModel } from "@onebit/format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MeasureOptions } from "../src/harness/measure.js";
import { Rng } from "@onebit/tensor";
import { runCase } from "../src/harness/run-case.js";
import { findShippedModels, shippedModelCases } from "../src/sections/shipped-models.js";

const FAST: MeasureOptions = {
  warmupMs: 0,
  settleCapMs: 0,
  targetMs: 1,
  minSamples: 3,
  maxSamples: 5,
  capMs: 20,
  minSampleMs: 0.05,
};

/** A small ConvNet in the shipped models' form: bit-plane conv, pool, binary conv (stride 2), dense, softmax. */
function tinyConvNet(): OnebitModel {
  const rng = new Rng(3);
  const tensors = new Map<string, Tensor>();
  const bits = (name: string, o: number, shape: number[]) => {
    const cols = shape[shape.length - 1]!;
    const rows = shape.reduce((a, b) => a * b, 1) / cols;
    tensors.set(
      name,
      bitTensorFromMatrix(packSignsMatrix(rng.signs(rows * cols), rows, cols), [o, ...shape.slice(1)]),
    );
  };
  const ints = (name: string, n: number, spread: number) => {
    const data = new Int32Array(n);
    for (let i = 0; i < n; i++) data[i] = rng.int(2 * spread + 1) - spread;
    tensors.set(name, { dtype: "int32", shape: [n], data });
  };
  bits("c1.w", 8, [8, 3, 3, 1]);
  ints("c1.t", 8, 200);
  bits("c2.w", 12, [12, 3, 3, 8]);
  ints("c2.t", 12, 6);
  bits("d.w", 10, [10, 108]);
  tensors.set("d.s", { dtype: "float32", shape: [10], data: rng.uniformArray(10, 0.05, 0.2) });
  tensors.set("d.b", { dtype: "float32", shape: [10], data: rng.uniformArray(10, -1, 1) });
  return {
    graph: {
      nodes: [
        { op: "input", name: "x", dtype: "uint8", shape: [10, 10, 1] },
        {
          op: "conv2dBitPlane",
          name: "c1",
          weights: "c1.w",
          kernel: [3, 3],
          stride: [1, 1],
          padding: "same",
          output: { kind: "bits", thresholds: "c1.t" },
        },
        { op: "maxPool2d", name: "p1", kernel: [2, 2], stride: [2, 2], padding: "valid" },
        {
          op: "binaryConv2d",
          name: "c2",
          weights: "c2.w",
          kernel: [3, 3],
          stride: [2, 2],
          padding: "same",
          output: { kind: "bits", thresholds: "c2.t" },
        },
        { op: "flatten", name: "f" },
        {
          op: "binaryDense",
          name: "d",
          weights: "d.w",
          output: { kind: "scaleBias", scale: "d.s", bias: "d.b" },
        },
        { op: "softmax", name: "sm" },
      ],
    },
    tensors,
    metadata: { name: "tiny-conv" },
  };
}

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "bench-shipped-"));
  await mkdir(path.join(root, "models"));
  await writeFile(path.join(root, "models", "tiny-conv.onebit"), writeModel(tinyConvNet()));
  await writeFile(path.join(root, "models", "broken.onebit"), new Uint8Array([1, 2, 3]));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("shipped models", () => {
  it("finds models/*.onebit, reports unreadable ones, builds the float twin with the same layer sizes", async () => {
    const { models, notes } = await findShippedModels(root);
    expect(models.map((m) => m.name)).toEqual(["tiny-conv"]);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^models\/broken\.onebit: cannot benchmark/);
    const twin = models[0]!.twin;
    expect(twin.layers.map((l) => l.kind)).toEqual(["conv", "pool", "conv", "flatten", "dense"]);
    expect(twin.outputSize).toBe(10);
    // 3·3·1·8 + 8, 3·3·8·12 + 12, 108·10 + 10 float32 parameters (5×5×8 → 3×3×12 at stride 2).
    expect(twin.bytes).toBe((72 + 8 + 864 + 12 + 1080 + 10) * 4);
    expect(models[0]!.logitsModel.graph.nodes.at(-1)!.op).toBe("binaryDense");
  });

  it("notes a missing models/ folder", async () => {
    expect((await findShippedModels(path.join(root, "nowhere"))).notes).toEqual([
      "shipped models: none yet (no models/ folder at the repository root)",
    ]);
  });

  it.each([1, 3])(
    "every implementation (ORT twin, tensor twin, runtime) passes its correctness gate at batch %i",
    async (batch) => {
      const { models } = await findShippedModels(root);
      const notes: string[] = [];
      const cases = shippedModelCases(models[0]!, batch, [1, 2], false, notes);
      const { loadOrt } = await import("../src/onnx/ort.js");
      const hasOrt = (await loadOrt()).ort !== undefined;
      const results = await Promise.all(cases.map((c) => runCase(c, FAST)));
      for (const r of results) {
        if (r.impl.startsWith("ort") && !hasOrt) continue;
        expect({ impl: r.impl, status: r.status, note: r.note }).toEqual({
          impl: r.impl,
          status: "ok",
          note: undefined,
        });
      }
      expect(results.map((r) => r.impl)).toEqual(["ort-1t", "ort-2t", "onebit-float", "onebit-runtime"]);
      expect(notes).toEqual([]);
    },
  );
});

describe("the random full-width ConvNet", () => {
  it("is a valid .onebit model whose float twin has the same layers and parameter count", async () => {
    const { randomConvNetFile } = await import("../src/sections/random-convnet.js");
    const { modelFromFile } = await import("../src/sections/shipped-models.js");
    const m = modelFromFile("random ConvNet", randomConvNetFile());
    expect(m.twin.layers.map((l) => l.kind)).toEqual([
      "conv",
      "conv",
      "pool",
      "conv",
      "conv",
      "pool",
      "flatten",
      "dense",
      "dense",
    ]);
    const params =
      9 * 1 * 64 +
      64 +
      9 * 64 * 64 +
      64 +
      9 * 64 * 128 +
      128 +
      9 * 128 * 128 +
      128 +
      6272 * 512 +
      512 +
      512 * 10 +
      10;
    expect(m.twin.bytes).toBe(params * 4);
    expect(m.twin.outputSize).toBe(10);
    // 1 bit per binary weight (rows padded to whole words) + int32 thresholds + float scale/bias.
    expect(m.tensorBytes).toBeLessThan(m.twin.bytes / 25);
  });
});
