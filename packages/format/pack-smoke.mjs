// Run by scripts/check-pack.mjs inside a fresh npm project that installed the packed tarball.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FormatError, foldBatchNormToThresholds, packBitTensor, readModel, writeModel } from "@onebit/format";
import * as chain from "@onebit/format/chain";
import { loadModel, loadSafetensors, saveModel, saveSafetensors } from "@onebit/format/node";

const { thresholds, flip } = foldBatchNormToThresholds(
  { gamma: [1, -1], beta: [0, 0], mean: [1, 1], variance: [1, 1], epsilon: 0 },
  { min: -3, max: 3 },
);
if (thresholds[0] !== 1 || thresholds[1] !== 1 || flip[1] !== 1)
  throw new Error("folding gave a wrong answer");

const model = {
  graph: {
    nodes: [
      { op: "input", name: "x", dtype: "uint8", shape: [3] },
      {
        op: "denseBitPlane",
        name: "h",
        weights: "h.w",
        output: { kind: "bits", thresholds: "h.t", flip: "h.f" },
      },
      {
        op: "binaryDense",
        name: "y",
        weights: "y.w",
        output: { kind: "scaleBias", scale: "y.s", bias: "y.b" },
      },
    ],
  },
  tensors: new Map([
    ["h.w", packBitTensor([1, -1, 1, -1, -1, 1], [2, 3])],
    ["h.t", { dtype: "int32", shape: [2], data: thresholds }],
    ["h.f", { dtype: "uint8", shape: [2], data: flip }],
    ["y.w", packBitTensor([1, 1], [1, 2])],
    ["y.s", { dtype: "float32", shape: [1], data: Float32Array.of(0.5) }],
    ["y.b", { dtype: "float32", shape: [1], data: Float32Array.of(0) }],
  ]),
  metadata: { name: "smoke", labels: ["only"] },
};
const bytes = writeModel(model);
if (readModel(bytes).metadata.name !== "smoke") throw new Error("round trip failed");
try {
  readModel(bytes.subarray(0, 50));
  throw new Error("a truncated file was accepted");
} catch (e) {
  if (!(e instanceof FormatError) || e.code !== "TRUNCATED") throw e;
}

// The version 1 subset: the same functions and one FormatError class as the main entry's.
if (chain.readModel !== readModel || chain.FormatError !== FormatError)
  throw new Error("@onebit/format/chain exports other functions than the main entry");
const { model: checked, values } = chain.checkModel(chain.readModel(bytes));
const graphValues = chain.chainGraphValues(checked.graph, values);
if (graphValues.get("y")?.shape[0] !== 1 || graphValues.size !== 3)
  throw new Error("chainGraphValues gave wrong values");

const dir = mkdtempSync(join(tmpdir(), "onebit-format-smoke-"));
try {
  await saveModel(join(dir, "m.onebit"), model);
  const loaded = await loadModel(join(dir, "m.onebit"));
  if (loaded.graph.nodes.length !== 3) throw new Error("loadModel failed");
  await saveSafetensors(
    join(dir, "c.safetensors"),
    { w: { dtype: "F32", shape: [2], data: Float32Array.of(1, 2) } },
    { epoch: "1" },
  );
  const st = await loadSafetensors(join(dir, "c.safetensors"));
  if (st.tensors.get("w").data[1] !== 2 || st.metadata.epoch !== "1")
    throw new Error("safetensors round trip failed");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log("@onebit/format smoke: ok");
