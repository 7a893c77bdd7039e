import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "@onebit/tensor";
import { afterAll, describe, expect, it } from "vitest";
import {
  adam,
  add,
  avgPool2d,
  batchNorm,
  binaryConv2d,
  binaryDense,
  concat,
  conv2d,
  dense,
  flatten,
  globalAvgPool2d,
  input,
  model,
  NnError,
  rprelu,
  rsign,
  scale,
  sequential,
  sign,
} from "../src/index.js";
import { checkpointCallback, loadCheckpoint } from "../src/node.js";
import { maxRelError, numericGrad, project, sampleIndices, stateBits } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "nn-graph-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bits = stateBits;

/** Images 6×6×2 whose class is the sign of the mean of channel 0's top half. */
function images(n: number, seed: number) {
  const rng = new Rng(seed);
  const x = rng.uniformArray(n * 72, -1, 1);
  const y = Int32Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let p = 0; p < 18; p++) s += x[i * 72 + p * 2]!;
    return s > 0 ? 1 : 0;
  });
  return { x, y };
}

/** A small Bi-Real-style net: float stem, binary 3×3 conv + BatchNorm with a real shortcut, downsampling shortcut, pooled head. */
function biReal(seed: number) {
  const x = input([6, 6, 2]);
  const stem = batchNorm().apply(conv2d(8, 3, { padding: "same" }).apply(x));
  const b1 = batchNorm().apply(binaryConv2d(8, 3, { padding: "same" }).apply(rsign().apply(stem)));
  const r1 = rprelu().apply(add().apply(stem, scale().apply(b1)));
  const down = batchNorm().apply(conv2d(8, 1).apply(avgPool2d().apply(r1)));
  const b2 = batchNorm().apply(binaryConv2d(8, 3, { padding: "same", strides: 2 }).apply(sign().apply(r1)));
  const r2 = add().apply(down, b2);
  const both = concat().apply(r2, avgPool2d().apply(r1));
  const logits = dense(2).apply(globalAvgPool2d().apply(both));
  return model({ inputs: x, outputs: logits, seed, name: "bireal-mini" });
}

describe("graph models (functional API)", () => {
  it("accumulate gradients at fan-out: backward matches finite differences of the whole graph", () => {
    // x → d1 → {d2 → d3, d3'} → add(d1, d3, concat-free): d1's output feeds three consumers.
    const x = input([5]);
    const h = dense(4).apply(x);
    const a = dense(4).apply(h);
    const b = dense(4).apply(h);
    const y = dense(3).apply(add().apply(h, a, b));
    const net = model({ inputs: x, outputs: y, seed: 3 });
    const rng = new Rng(5);
    const xs = rng.uniformArray(2 * 5, -1, 1);
    const r = rng.uniformArray(2 * 3, -1, 1);
    const loss = () => project(net.forward(xs, 2, true), r);
    net.forward(xs, 2, true);
    net.backward(r, 2);
    for (const p of net.params()) {
      const idx = sampleIndices(p.value.length, 20, rng);
      expect(maxRelError(p.grad.slice(), numericGrad(p.value, loss, 1e-2, idx), idx), p.name).toBeLessThan(
        2e-3,
      );
    }
  });

  it("a chain built with the functional API trains bit-identically to the same Sequential", async () => {
    const data = images(96, 1);
    const layers = () => [
      flatten(),
      dense(16),
      batchNorm(),
      sign(),
      binaryDense(16),
      batchNorm(),
      sign(),
      binaryDense(2),
      batchNorm(),
    ];
    const seqModel = sequential(layers(), { inputShape: [6, 6, 2], seed: 4 });
    const x = input([6, 6, 2]);
    let v = x;
    for (const l of layers()) v = l.apply(v);
    const graph = model({ inputs: x, outputs: v, seed: 4 });
    expect(bits(graph.getState())).toEqual(bits(seqModel.getState()));
    const options = { epochs: 2, batchSize: 16, seed: 9, verbose: 0 as const };
    await seqModel.fit(data, { ...options, optimizer: adam({ learningRate: 0.01 }) });
    await graph.fit(data, { ...options, optimizer: adam({ learningRate: 0.01 }) });
    expect(bits(graph.getState())).toEqual(bits(seqModel.getState()));
  });

  it("trains a residual net deterministically from a seed, with fit/evaluate/predict/summary", async () => {
    const train = images(192, 2);
    const run = async () => {
      const net = biReal(7).compile({ optimizer: adam({ learningRate: 0.02 }) });
      const history = await net.fit(train, { epochs: 3, batchSize: 32, verbose: 0 });
      return { net, history };
    };
    const a = await run();
    const b = await run();
    expect(bits(a.net.getState())).toEqual(bits(b.net.getState()));
    expect(a.history.epochs.map((e) => e.loss)).toEqual(b.history.epochs.map((e) => e.loss));
    expect(a.history.epochs.at(-1)!.accuracy).toBeGreaterThan(0.6);
    const test = images(64, 3);
    const ev = a.net.evaluate(test);
    expect(ev.accuracy).toBeGreaterThan(0.55);
    expect(a.net.predict(test.x).length).toBe(64 * 2);
    const summary = a.net.summary();
    expect(summary.layers.map((l) => l.type)).toContain("add");
    expect(summary.totals.macs1bit).toBeGreaterThan(0);
    expect(summary.toString()).toMatch(/bireal-mini/);
    // Layers in the order of the graph, each after its inputs; names unique.
    expect(new Set(a.net.layers.map((l) => l.name)).size).toBe(a.net.layers.length);
  });

  it("resumes bit-exactly from a checkpoint", async () => {
    const train = images(128, 4);
    const options = { epochs: 4, batchSize: 32, seed: 11, verbose: 0 as const };
    const path = (e: number) => join(dir, `graph-${e}.safetensors`);
    const full = biReal(5);
    await full.fit(train, {
      ...options,
      optimizer: adam({ learningRate: 0.02 }),
      callbacks: checkpointCallback(path, { every: 2 }),
    });
    const resumed = biReal(99);
    const optimizer = adam({ learningRate: 0.02 });
    const info = await loadCheckpoint(path(2), resumed, optimizer);
    await resumed.fit(train, { ...options, optimizer, initialEpoch: info.epoch, rng: info.rng });
    expect(bits(resumed.getState())).toEqual(bits(full.getState()));
  });

  it("refuses malformed graphs with typed errors", () => {
    const x = input([4]);
    const d = dense(3);
    d.apply(x);
    expect(() => d.apply(x)).toThrowError(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/applied once/) }),
    );
    expect(() => add().apply(x)).toThrowError(/two or more inputs/);
    expect(() => dense(2).apply(x, x)).toThrowError(/takes one input/);
    const other = input([4], { name: "other" });
    expect(() => model({ inputs: x, outputs: dense(2).apply(other) })).toThrowError(/not the model's input/);
    expect(() =>
      model({ inputs: x, outputs: add().apply(dense(2).apply(x), dense(3).apply(x)) }),
    ).toThrowError(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
    expect(() => model({ inputs: x, outputs: x })).not.toThrow();
    expect(() =>
      (dense(2) as unknown as { apply(v: unknown): unknown }).apply(new Float32Array(4)),
    ).toThrowError(NnError);
  });
});
