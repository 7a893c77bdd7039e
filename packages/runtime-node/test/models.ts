import { type OnebitModel, packBitTensor, writeModel } from "@onebit/format";

// Models for the session/CLI tests. The runtime's random models of every op kind live in
// packages/runtime/test (reused here for the thread-equivalence tests).

export { ModelBuilder, RECIPES, Rng } from "../../runtime/test/random-models.js";

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** An MNIST-shaped binary MLP (8-bit input, bit-plane first layer), random weights, labels "0"…"9". */
export function mnistMlp(hidden = 64, layers = 2, seed = 1): OnebitModel {
  const r = rng(seed);
  const signs = (n: number) => Float32Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1));
  const tensors = new Map();
  const nodes: OnebitModel["graph"]["nodes"][number][] = [
    {
      op: "input",
      name: "image",
      dtype: "uint8",
      shape: [28, 28, 1],
      normalization: { scale: 1 / 127.5, offset: -1 },
    },
    { op: "flatten", name: "flat" },
  ];
  let k = 784;
  for (let l = 0; l < layers; l++) {
    tensors.set(`w${l}`, packBitTensor(signs(hidden * k), [hidden, k]));
    const spread = l === 0 ? 3000 : 2 * Math.sqrt(k);
    tensors.set(`t${l}`, {
      dtype: "int32",
      shape: [hidden],
      data: Int32Array.from({ length: hidden }, () => Math.round((r() - 0.5) * spread)),
    });
    nodes.push({
      op: l === 0 ? "denseBitPlane" : "binaryDense",
      name: `fc${l}`,
      weights: `w${l}`,
      output: { kind: "bits", thresholds: `t${l}` },
    });
    k = hidden;
  }
  tensors.set("wout", packBitTensor(signs(10 * k), [10, k]));
  tensors.set("scale", { dtype: "float32", shape: [10], data: new Float32Array(10).fill(0.05) });
  tensors.set("bias", {
    dtype: "float32",
    shape: [10],
    data: Float32Array.from({ length: 10 }, () => r() - 0.5),
  });
  nodes.push(
    {
      op: "binaryDense",
      name: "logits",
      weights: "wout",
      output: { kind: "scaleBias", scale: "scale", bias: "bias" },
    },
    { op: "softmax", name: "probs" },
    { op: "argmax", name: "class" },
  );
  return { graph: { nodes }, tensors, metadata: { name: "test-mlp", labels: [..."0123456789"] } };
}

export function mnistMlpBytes(hidden = 64, layers = 2, seed = 1): Uint8Array {
  return writeModel(mnistMlp(hidden, layers, seed));
}
