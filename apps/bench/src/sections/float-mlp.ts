import { Rng } from "@onebit/tensor";
import type { DenseLayer } from "../onnx/model.js";
import type { MlpArch } from "./binary-mlp.js";
import { tensor } from "./onebit-packages.js";

/**
 * The float32 equivalent of a binary MLP: the same layer sizes, ReLU between layers, BatchNorm folded
 * into each layer's weights and bias (so it is a plain Gemm + bias per layer), float inputs in [0, 1].
 */
export function randomFloatMlp(arch: MlpArch, seed = 2): DenseLayer[] {
  const rng = new Rng(seed);
  const sizes = [arch.inputs, ...arch.hidden, arch.classes];
  const layers: DenseLayer[] = [];
  for (let i = 1; i < sizes.length; i++) {
    const inF = sizes[i - 1]!;
    const outF = sizes[i]!;
    const limit = Math.sqrt(6 / inF);
    layers.push({
      inFeatures: inF,
      outFeatures: outF,
      weights: rng.uniformArray(inF * outF, -limit, limit),
      bias: rng.uniformArray(outF, -0.1, 0.1),
    });
  }
  return layers;
}

/** Inputs as the float model sees them: 8-bit pixels scaled to [0, 1]. */
export function toFloatInput(x: Uint8Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! / 255;
  return out;
}

/** Logits of one row in float64 (the correctness reference for every float implementation). */
export function floatMlpReferenceRow(
  layers: readonly DenseLayer[],
  x: Float32Array,
  row: number,
): Float64Array {
  let h = Float64Array.from(x.subarray(row * layers[0]!.inFeatures, (row + 1) * layers[0]!.inFeatures));
  layers.forEach((l, li) => {
    const next = new Float64Array(l.outFeatures);
    for (let j = 0; j < l.outFeatures; j++) next[j] = l.bias[j]!;
    for (let i = 0; i < l.inFeatures; i++) {
      const v = h[i]!;
      if (v === 0) continue;
      const base = i * l.outFeatures;
      for (let j = 0; j < l.outFeatures; j++) next[j]! += v * l.weights[base + j]!;
    }
    if (li < layers.length - 1) for (let j = 0; j < next.length; j++) next[j] = Math.max(0, next[j]!);
    h = next;
  });
  return h;
}

/** Buffers for @onebit/tensor's forward pass, allocated once per batch size. */
export function tensorMlpRunner(
  layers: readonly DenseLayer[],
  batch: number,
): (x: Float32Array) => Float32Array {
  const buffers = layers.map((l) => new Float32Array(batch * l.outFeatures));
  return (x) => {
    let h = x;
    layers.forEach((l, i) => {
      const z = buffers[i]!;
      tensor.gemm(h, l.weights, z, batch, l.outFeatures, l.inFeatures);
      tensor.addBias(z, batch, l.outFeatures, l.bias);
      if (i < layers.length - 1) tensor.clip(z, 0, Number.POSITIVE_INFINITY);
      h = z;
    });
    return h;
  };
}
