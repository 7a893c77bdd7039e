import { readModel, writeModel } from "@onebit/format";
import { Rng } from "@onebit/tensor";
import { describe, expect, it } from "vitest";
import {
  adam,
  BatchNorm,
  batchNorm,
  binaryConv2d,
  binaryDense,
  dense,
  dropout,
  exportModel,
  flatten,
  hardTanh,
  magnitudeAwareSign,
  maxPool2d,
  type Sequential,
  sequential,
  sign,
  verifyExport,
} from "../src/index.js";

/** Trains briefly on random labels so BatchNorm statistics and weights are far from their init. */
async function trainBriefly(model: Sequential, x: Float32Array, seed: number): Promise<void> {
  const n = x.length / model.layers[0]!.inputSize;
  const rng = new Rng(seed);
  const y = Int32Array.from({ length: n }, () => rng.int(model.classes));
  await model.fit(
    { x, y },
    { epochs: 2, batchSize: 16, optimizer: adam({ learningRate: 0.02 }), verbose: 0 },
  );
}

/** Makes some BatchNorm channels decreasing (γ < 0) and some constant (γ = 0, β of either sign). */
function perturbBatchNorms(model: Sequential): void {
  for (const l of model.layers) {
    if (!(l instanceof BatchNorm) || !l.params().length) continue;
    const gamma = l.params().find((p) => p.name.endsWith("gamma"))!.value;
    const beta = l.params().find((p) => p.name.endsWith("beta"))!.value;
    for (let c = 0; c < gamma.length; c++) {
      if (c % 4 === 1) gamma[c] = -Math.abs(gamma[c]!) - 0.1;
      if (c % 7 === 3) {
        gamma[c] = 0;
        beta[c] = c % 2 ? 0.5 : -0.5;
      }
    }
  }
}

describe("exportModel + verifyExport", () => {
  it("an MLP folds to thresholds (γ < 0 and γ = 0 included) and reproduces the model's logits", async () => {
    const rng = new Rng(1);
    const model = sequential(
      [
        dense(48),
        batchNorm(),
        sign(),
        dropout(0.2),
        binaryDense(40),
        batchNorm(),
        hardTanh(),
        sign(),
        binaryDense(33, { useBias: true }),
        batchNorm({ epsilon: 1e-4 }),
        binaryDense(10, { inputQuantizer: "steSign" }),
        batchNorm(),
      ],
      { inputShape: [20], seed: 3 },
    );
    const x = rng.uniformArray(400 * 20, -1, 1);
    await trainBriefly(model, x, 2);
    perturbBatchNorms(model);
    const labels = Array.from({ length: 10 }, (_, i) => `class ${i}`);
    const exported = exportModel(model, {
      name: "mlp",
      labels,
      provenance: { dataset: "random", epochs: 2 },
    });
    const ops = exported.graph.nodes.map((n) => n.op);
    expect(ops).toEqual(["input", "denseFloat", "binaryDense", "binaryDense", "binaryDense"]);
    expect(exported.tensors.get("binary_dense_1/weights")).toMatchObject({ dtype: "bit", shape: [40, 48] });
    expect(exported.tensors.get("binary_dense_1/thresholds")?.dtype).toBe("int32");
    expect(exported.tensors.has("binary_dense_1/flip")).toBe(true);
    expect(exported.metadata.provenance).toMatchObject({ dataset: "random", epochs: 2, seed: 3 });
    expect(exported.metadata.provenance?.libraryVersion).toMatch(/^@onebit\/nn /);

    const roundTrip = readModel(writeModel(exported));
    const test = rng.uniformArray(300 * 20, -1.2, 1.2);
    const check = verifyExport(model, roundTrip, test);
    expect(check.mismatches).toEqual([]);
    expect(check.maxLogitDifference).toBeLessThan(1e-4);
  });

  it("a ConvNet with one-padding, pools before and after BatchNorm (min-mask), α-scaled kernels and a float last layer", async () => {
    const rng = new Rng(5);
    const model = sequential(
      [
        binaryConv2d(8, 3, { padding: "same" }),
        maxPool2d(),
        batchNorm(),
        binaryConv2d(12, 3, {
          padding: "same",
          inputQuantizer: "steSign",
          kernelQuantizer: magnitudeAwareSign(),
        }),
        batchNorm(),
        sign(),
        maxPool2d(),
        binaryConv2d(8, [2, 3], { strides: [1, 2], inputQuantizer: "steSign" }),
        batchNorm(),
        flatten(),
        binaryDense(16, { inputQuantizer: "steSign" }),
        batchNorm(),
        sign(),
        dense(5),
      ],
      { inputShape: [12, 12, 2], seed: 4 },
    );
    const x = rng.uniformArray(96 * 288, -1, 1);
    await trainBriefly(model, x, 3);
    perturbBatchNorms(model);
    const exported = exportModel(model, { output: "logits" });
    const ops = exported.graph.nodes.map((n) => n.op);
    expect(ops).toEqual([
      "input",
      "conv2dFloat",
      "maxPool2d",
      "binaryConv2d",
      "maxPool2d",
      "binaryConv2d",
      "flatten",
      "binaryDense",
      "denseFloat",
    ]);
    expect(exported.tensors.has("max_pool2d_1/minMask")).toBe(true);
    const check = verifyExport(model, readModel(writeModel(exported)), rng.uniformArray(60 * 288, -1, 1));
    expect(check.mismatches).toEqual([]);
    expect(check.maxLogitDifference).toBeLessThan(1e-3);
  });

  it("a bit-plane first layer over raw bytes matches the model fed normalized bytes", async () => {
    const rng = new Rng(8);
    const model = sequential([binaryDense(24), batchNorm(), sign(), binaryDense(6), batchNorm()], {
      inputShape: [50],
      seed: 1,
    });
    const bytes = Uint8Array.from({ length: 300 * 50 }, () => rng.int(256));
    const norm = { scale: 2 / 255, offset: -1 };
    const f = Math.fround;
    const normalized = Float32Array.from(bytes, (v) => f(f(v * norm.scale) + norm.offset));
    await trainBriefly(model, normalized, 4);
    perturbBatchNorms(model);
    const exported = exportModel(model, {
      inputDtype: "uint8",
      inputNormalization: norm,
      firstLayer: "bitPlane",
      output: "argmax",
    });
    expect(exported.graph.nodes.map((n) => n.op)).toEqual([
      "input",
      "denseBitPlane",
      "binaryDense",
      "argmax",
    ]);
    const check = verifyExport(model, readModel(writeModel(exported)), bytes);
    // The model's float32 first-layer dot differs from the exact integer one only by rounding.
    expect(check.agreement).toBeGreaterThan(0.98);
  });

  it("refuses models the graph cannot express with UNSUPPORTED_EXPORT naming the layer", () => {
    const cases: Array<[() => Sequential, RegExp]> = [
      [
        () => sequential([dense(4), batchNorm(), hardTanh(), dense(2)], { inputShape: [3] }),
        /hard_tanh_1.*hardTanh/,
      ],
      [() => sequential([dense(4), batchNorm(), sign()], { inputShape: [3] }), /logits/],
      [
        () => sequential([binaryDense(4, { inputQuantizer: "steSign" }), batchNorm()], { inputShape: [3] }),
        /binarizes real-valued/,
      ],
      [
        () =>
          sequential([dense(4), sign(), binaryDense(2, { inputQuantizer: magnitudeAwareSign() })], {
            inputShape: [3],
          }),
        /not a plain sign/,
      ],
      [
        () =>
          sequential(
            [conv2d3(), sign(), binaryConv2d(2, 3, { padding: "same", padValue: 0 }), flatten(), dense(2)],
            { inputShape: [5, 5, 1] },
          ),
        /pad with \+1/,
      ],
      [() => sequential([batchNorm(), dense(2)], { inputShape: [3] }), /before the first dense/],
      [
        () => sequential([dense(4), batchNorm(), batchNorm(), sign(), dense(2)], { inputShape: [3] }),
        /second BatchNorm/,
      ],
    ];
    for (const [make, message] of cases) {
      expect(() => exportModel(make())).toThrowError(expect.objectContaining({ code: "UNSUPPORTED_EXPORT" }));
      expect(() => exportModel(make())).toThrowError(message);
    }
    const m = sequential([dense(2)], { inputShape: [3] });
    expect(() => exportModel(m, { labels: ["a"] })).toThrowError(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    expect(() => exportModel(m, { firstLayer: "bitPlane" })).toThrowError(/uint8/);
  });
});

function conv2d3() {
  return binaryConv2d(2, 3, { padding: "valid" });
}
