import { readGraphModel, runReference, writeGraphModel } from "@onebit/format";
import { argmaxRows, Rng } from "@onebit/tensor";
import { describe, expect, it } from "vitest";
import {
  adam,
  add,
  avgPool2d,
  batchNorm,
  biRealBlock,
  binaryConv2d,
  binaryDense,
  concat,
  conv2d,
  dense,
  depthwiseConv2d,
  dropout,
  exportGraph,
  flatten,
  globalAvgPool2d,
  hardTanh,
  input,
  magnitudeAwareSign,
  maxPool2d,
  model,
  prelu,
  reactNetBlock,
  relu,
  rprelu,
  rsign,
  scale,
  sequential,
  sign,
} from "../src/index.js";

function images(n: number, seed: number) {
  const rng = new Rng(seed);
  const x = rng.uniformArray(n * 8 * 8 * 2, -1, 1);
  const y = Int32Array.from({ length: n }, (_, i) => (x[i * 128]! + x[i * 128 + 65]! > 0 ? 1 : 0));
  return { x, y };
}

/** Exports, writes and reads back the v2 file, and compares its reference interpreter with the model. */
async function roundTrip(net: ReturnType<typeof model> | ReturnType<typeof sequential>, n = 40) {
  const data = images(96, 5);
  await net.fit(data, { epochs: 1, batchSize: 32, optimizer: adam({ learningRate: 0.02 }), verbose: 0 });
  const file = readGraphModel(writeGraphModel(exportGraph(net, { labels: ["a", "b"] })));
  const x = images(n, 6).x;
  const expected = net.predict(x);
  const out = Object.values(runReference(file, { input: x }, n))[0]!;
  const got = out.data as Float32Array;
  expect(got.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++)
    worst = Math.max(worst, Math.abs(got[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  expect(worst).toBeLessThan(1e-3);
  expect(Array.from(argmaxRows(got, n, 2))).toEqual(Array.from(argmaxRows(expected, n, 2)));
  // BatchNorm after a binary op is folded into its output transform: no batchNorm node reads one.
  const binary = new Set(
    file.graph.nodes.filter((node) => node.op === "bconv2d" || node.op === "bdense").map((node) => node.name),
  );
  for (const node of file.graph.nodes)
    if (node.op === "batchNorm") expect(binary.has(node.inputs[0]!), node.name).toBe(false);
  return file;
}

describe("exportGraph (.onebit v2 graphs)", () => {
  it("a residual binary net: the file's reference interpreter computes what the model predicts", async () => {
    const x = input([8, 8, 2]);
    const stem = batchNorm().apply(conv2d(8, 3, { padding: "same" }).apply(x));
    const b1 = batchNorm().apply(binaryConv2d(8, 3, { padding: "same" }).apply(rsign().apply(stem)));
    const r1 = rprelu().apply(add().apply(stem, scale().apply(b1)));
    const down = batchNorm().apply(conv2d(8, 1).apply(avgPool2d().apply(r1)));
    const b2 = batchNorm().apply(
      binaryConv2d(8, 3, { padding: "same", strides: 2, kernelQuantizer: magnitudeAwareSign() }).apply(
        sign().apply(r1),
      ),
    );
    const dw = relu().apply(
      depthwiseConv2d(3, { padding: "same", useBias: true }).apply(add().apply(down, b2)),
    );
    const both = prelu().apply(concat().apply(dw, maxPool2d().apply(r1)));
    const logits = dense(2).apply(dropout(0.1).apply(globalAvgPool2d().apply(both)));
    const file = await roundTrip(model({ inputs: x, outputs: logits, seed: 3 }));
    const ops = new Set(file.graph.nodes.map((node) => node.op));
    for (const op of [
      "bconv2d",
      "sign",
      "batchNorm",
      "add",
      "mul",
      "rprelu",
      "avgPool2d",
      "concat",
      "depthwiseConv2d",
      "globalAvgPool",
      "dense",
    ]) {
      expect(ops, op).toContain(op);
    }
    expect(file.metadata.labels).toEqual(["a", "b"]);
  });

  it("a sequential binary MLP: bdense over bits, dequantize only where floats are read", async () => {
    const net = sequential(
      [
        flatten(),
        dense(16),
        batchNorm(),
        sign(),
        binaryDense(16),
        batchNorm(),
        sign(),
        binaryDense(2, { useBias: true }),
        batchNorm(),
      ],
      { inputShape: [8, 8, 2], seed: 2 },
    );
    const file = await roundTrip(net);
    expect(file.graph.nodes.filter((node) => node.op === "bdense")).toHaveLength(2);
    // Three BatchNorms: the first (after the float dense) stays, the two after binary layers fold —
    // the middle one with its sign into integer thresholds (bits out), the last into the logits' transform.
    expect(file.graph.nodes.filter((node) => node.op === "batchNorm")).toHaveLength(1);
    const outputs = file.graph.nodes.flatMap((node) => (node.op === "bdense" ? [node.output.kind] : []));
    expect(outputs).toEqual(["bits", "float32"]);
  });

  it("folds BatchNorm + sign into thresholds exactly, negative γ (flipped comparisons) included", () => {
    const net = sequential(
      [binaryDense(24, { inputQuantizer: "steSign" }), batchNorm(), sign(), binaryDense(3), batchNorm()],
      { inputShape: [40], seed: 4 },
    );
    const rng = new Rng(12);
    const bn = net.layers[1] as ReturnType<typeof batchNorm>;
    bn.gamma.set(rng.uniformArray(24, -2, 2));
    bn.beta.set(rng.uniformArray(24, -3, 3));
    bn.movingMean.set(rng.uniformArray(24, -4, 4));
    bn.movingVariance.set(rng.uniformArray(24, 0.5, 9));
    const file = readGraphModel(writeGraphModel(exportGraph(net)));
    const node = file.graph.nodes.find((n) => n.op === "bdense" && n.output.kind === "bits");
    expect(node).toBeDefined();
    expect(file.graph.nodes.some((n) => n.op === "sign" && n.inputs[0] === node!.name)).toBe(false);
    const x = rng.uniformArray(200 * 40, -1, 1);
    const got = Object.values(runReference(file, { input: x }, 200))[0]!.data as Float32Array;
    const want = net.predict(x);
    for (let i = 0; i < want.length; i++)
      expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(want[i]!)));
  });

  it("Bi-Real and ReActNet blocks build, train and export (identity and downsampling shortcuts)", async () => {
    const x = input([8, 8, 2]);
    const stem = batchNorm().apply(conv2d(8, 3, { padding: "same" }).apply(x));
    const a = biRealBlock(stem, { inChannels: 8, outChannels: 8 });
    const b = biRealBlock(a, { inChannels: 8, outChannels: 16, strides: 2 });
    const c = reactNetBlock(b, { inChannels: 16, outChannels: 16 });
    const d = reactNetBlock(c, { inChannels: 16, outChannels: 32, strides: 2 });
    const net = model({ inputs: x, outputs: dense(2).apply(globalAvgPool2d().apply(d)), seed: 8 });
    const shapes = net.layers.map((l) => l.outputShape.join("x"));
    expect(shapes.at(-2)).toBe("32");
    expect(net.layers.filter((l) => l.type === "add")).toHaveLength(1 + 1 + 2 + 3);
    expect(net.layers.filter((l) => l.type === "concat")).toHaveLength(1);
    const file = await roundTrip(net);
    expect(file.graph.nodes.filter((node) => node.op === "bconv2d").length).toBe(1 + 1 + 2 + 3);
    expect(() => reactNetBlock(d, { inChannels: 32, outChannels: 48 })).toThrowError(/outChannels/);
  });

  it("refuses layers without a graph op", () => {
    const x = input([4]);
    const net = model({ inputs: x, outputs: dense(2).apply(hardTanh().apply(dense(3).apply(x))) });
    expect(() => exportGraph(net)).toThrowError(expect.objectContaining({ code: "UNSUPPORTED_EXPORT" }));
  });
});
