// Run by scripts/check-pack.mjs inside a fresh npm project that installed the packed tarball.
import { packBitTensor, writeModel } from "@onebit/format";
import { Engine, RuntimeError } from "@onebit/runtime";

// y = sign-free logits of a 1-layer binary classifier over 4 bits of a float input.
const model = {
  graph: {
    nodes: [
      { op: "input", name: "x", dtype: "float32", shape: [4] },
      { op: "denseFloat", name: "binarize", weights: "eye", output: { kind: "bits", thresholds: "zero" } },
      { op: "binaryDense", name: "out", weights: "w", output: { kind: "scaleBias", scale: "s", bias: "b" } },
    ],
  },
  tensors: new Map([
    [
      "eye",
      {
        dtype: "float32",
        shape: [4, 4],
        data: Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]),
      },
    ],
    ["zero", { dtype: "float32", shape: [4], data: new Float32Array(4) }],
    ["w", packBitTensor([1, 1, 1, 1, -1, -1, -1, -1], [2, 4])],
    ["s", { dtype: "float32", shape: [2], data: Float32Array.from([1, 1]) }],
    ["b", { dtype: "float32", shape: [2], data: new Float32Array(2) }],
  ]),
  metadata: { name: "smoke", labels: ["positive", "negative"] },
};
const engine = await Engine.create(writeModel(model));
const r = await engine.run(Float32Array.from([1, 2, 3, -4]));
if (r.logits[0] !== 2 || r.logits[1] !== -2 || r.top(1)[0].label !== "positive") {
  throw new Error(`wrong result: ${Array.from(r.logits)}`);
}
await engine.dispose();
await engine.run(new Float32Array(4)).then(
  () => {
    throw new Error("a disposed engine ran");
  },
  (e) => {
    if (!(e instanceof RuntimeError) || e.code !== "DISPOSED") throw e;
  },
);
console.log("@onebit/runtime smoke: ok");
