import { describe, expect, it } from "vitest";
import { Engine, describeModel } from "../src/index.js";
import { ModelBuilder, Rng } from "./random-models.js";

function classifier() {
  return new ModelBuilder(new Rng(11))
    .input("uint8", [6, 6, 1], { scale: 1 / 127.5, offset: -1 })
    .conv2dBitPlane(8, [3, 3], [1, 1], "same", "bits")
    .maxPool([2, 2], [2, 2], "valid")
    .flatten()
    .binaryDense(40, "bits")
    .binaryDense(5, "scaleBias")
    .softmax()
    .argmax()
    .build("tiny");
}

describe("results", () => {
  const engine = Engine.createSync(classifier());

  it("describes input and output", () => {
    expect(engine.inputInfo).toEqual({
      name: "input",
      dtype: "uint8",
      shape: [6, 6, 1],
      size: 36,
      normalization: { scale: 1 / 127.5, offset: -1 },
    });
    expect(engine.outputInfo).toMatchObject({
      kind: "float32",
      shape: [5],
      classes: 5,
      softmax: true,
      argmax: true,
    });
    expect(engine.outputInfo.labels).toEqual(["class 0", "class 1", "class 2", "class 3", "class 4"]);
  });

  it("probabilities are a softmax of the logits; predictions and top-k agree", () => {
    const rng = new Rng(3);
    const r = engine.runSync(rng.bytes(36 * 4));
    expect(r.shape).toEqual([4, 5]);
    for (let b = 0; b < 4; b++) {
      const p = Array.from(r.probabilities!.subarray(b * 5, b * 5 + 5));
      expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      const top = r.top(3, b);
      expect(top).toHaveLength(3);
      expect(top[0]!.index).toBe(r.predictions![b]);
      expect(top[0]!.label).toBe(`class ${top[0]!.index}`);
      expect(top[0]!.probability).toBeGreaterThanOrEqual(top[1]!.probability);
      expect(top[1]!.logit).toBeGreaterThanOrEqual(top[2]!.logit);
    }
    expect(r.top(99)).toHaveLength(5);
    expect(() => r.top(0)).toThrow(/positive integer/);
    expect(() => r.top(1, 4)).toThrow(/outside the batch of 4/);
  });

  it("probabilities and predictions, worked out on first read, do not depend on the order they are read in", () => {
    const x = new Rng(8).bytes(36 * 3);
    const a = engine.runSync(x);
    const b = engine.runSync(x);
    const predictionsFirst = Array.from(a.predictions);
    const probabilitiesAfter = Array.from(a.probabilities);
    const probabilitiesFirst = Array.from(b.probabilities);
    expect(Array.from(b.predictions)).toEqual(predictionsFirst);
    expect(probabilitiesFirst).toEqual(probabilitiesAfter);
    // The graph's argmax follows its softmax: it reads the probabilities (lowest index on ties).
    for (let s = 0; s < 3; s++) {
      const row = probabilitiesFirst.slice(s * 5, s * 5 + 5);
      expect(predictionsFirst[s]).toBe(row.indexOf(Math.max(...row)));
    }
    // Repeated reads return the same arrays.
    expect(a.probabilities).toBe(a.probabilities);
    expect(a.predictions).toBe(a.predictions);
  });

  it("a model whose output is bits returns ±1 values and no class scores", () => {
    const m = new ModelBuilder(new Rng(4))
      .input("float32", [20])
      .denseFloat(33, "bits")
      .binaryDense(37, "bits")
      .build();
    const e = Engine.createSync(m);
    const r = e.runSync(new Float32Array(40).fill(0.3));
    expect(e.outputInfo).toMatchObject({ kind: "bits", shape: [37], classes: undefined });
    expect(r.logits).toHaveLength(74);
    expect(r.logits.every((v) => v === 1 || v === -1)).toBe(true);
    expect(r.classes).toBeUndefined();
    for (const read of [() => r.probabilities, () => r.predictions, () => r.top(1)])
      expect(read).toThrow(expect.objectContaining({ code: "NOT_A_CLASSIFIER" }));
  });

  it("describeModel counts parameters, bytes and MACs per node of the graph a version 1 file loads as", () => {
    const s = describeModel(classifier());
    expect(s.nodes.map((n) => n.op)).toEqual([
      "input",
      "bitPlaneConv2d",
      "maxPool2d",
      "flatten",
      "bdense",
      "bdense",
      "softmax",
      "argmax",
    ]);
    const conv = s.nodes[1]!;
    expect(conv.outputShape).toEqual([6, 6, 8]);
    expect(conv.binaryParams).toBe(8 * 9);
    expect(conv.binaryMacs).toBe(6 * 6 * 8 * 9);
    expect(s.nodes[4]!.binaryMacs).toBe(72 * 40);
    expect(s.totals.binaryParams).toBe(72 + 72 * 40 + 40 * 5);
    expect(s.totals.floatMacs).toBe(0);
    expect(s.totals.bytes).toBeLessThan(s.totals.float32Bytes);
  });
});

describe("profile", () => {
  it("times every plan step on the calling thread, named by node", () => {
    const engine = Engine.createSync(classifier());
    const steps = engine.profile(new Rng(1).bytes(36 * 3), { repeats: 3 });
    expect(steps.map((s) => s.node)).toContain("binaryDense4");
    expect(steps.every((s) => s.ms >= 0 && s.batch === 3)).toBe(true);
    expect(steps.find((s) => s.op === "im2colConv")?.rows).toBe(3 * 36);
    expect(() => engine.profile(new Uint8Array(5))).toThrow(/not a whole/);
  });
});
