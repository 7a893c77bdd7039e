import { Rng } from "@onebit/tensor";
import { bitops } from "./onebit-packages.js";

/**
 * A binary MLP in the deployed form of DESIGN.md: an exact bit-plane first layer on 8-bit inputs, hidden
 * layers as XNOR-popcount GEMMs whose BatchNorm + sign is folded into one integer threshold per unit
 * (activations stay packed), and a last layer with a float scale and bias per class. Weights are random
 * (speed does not depend on them) and generated directly as packed words, never as float32.
 *
 * It runs on the public kernels of @onebit/bitops; until @onebit/runtime exists this is how the benchmark
 * runs a whole binary model (and afterwards it shows what the runtime adds or costs over bare kernels).
 */

export interface MlpArch {
  readonly name: string;
  readonly inputs: number;
  readonly hidden: readonly number[];
  readonly classes: number;
}

export const MLP_3X4096: MlpArch = {
  name: "mlp-784-3x4096-10",
  inputs: 784,
  hidden: [4096, 4096, 4096],
  classes: 10,
};
export const MLP_3X1024: MlpArch = {
  name: "mlp-784-3x1024-10",
  inputs: 784,
  hidden: [1024, 1024, 1024],
  classes: 10,
};

export interface ThresholdLayer {
  /** out × in, packed along in. */
  readonly w: bitops.BitMatrix;
  /** Unit j fires (+1) iff its integer dot ≥ tau[j]. */
  readonly tau: Int32Array;
}

export interface BinaryMlp {
  readonly arch: MlpArch;
  /** Bit-plane layer on the 8-bit input. */
  readonly first: ThresholdLayer;
  readonly hidden: readonly ThresholdLayer[];
  readonly last: { readonly w: bitops.BitMatrix; readonly scale: Float32Array; readonly bias: Float32Array };
}

function randomBits(rng: Rng, rows: number, cols: number): bitops.BitMatrix {
  const m = bitops.createBitMatrix(rows, cols);
  const full = cols >>> 5;
  const mask = bitops.lastWordMask(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * m.wordsPerRow;
    for (let w = 0; w < m.wordsPerRow; w++) {
      const bits = rng.nextUint32();
      m.data[base + w] = w < full ? bits : w === full ? (bits & mask) >>> 0 : 0;
    }
  }
  return m;
}

function randomTaus(rng: Rng, n: number, spread: number): Int32Array {
  const tau = new Int32Array(n);
  for (let i = 0; i < n; i++) tau[i] = rng.int(2 * spread + 1) - spread;
  return tau;
}

export function randomBinaryMlp(arch: MlpArch, seed = 1): BinaryMlp {
  const rng = new Rng(seed);
  const h0 = arch.hidden[0]!;
  // Thresholds stay near the centre of each dot's range so activations keep both signs.
  const first = { w: randomBits(rng, h0, arch.inputs), tau: randomTaus(rng, h0, 500) };
  const hidden: ThresholdLayer[] = [];
  for (let i = 1; i < arch.hidden.length; i++) {
    const fanIn = arch.hidden[i - 1]!;
    hidden.push({ w: randomBits(rng, arch.hidden[i]!, fanIn), tau: randomTaus(rng, arch.hidden[i]!, 16) });
  }
  const lastIn = arch.hidden[arch.hidden.length - 1]!;
  const last = {
    w: randomBits(rng, arch.classes, lastIn),
    scale: rng.uniformArray(arch.classes, 0.01, 0.1),
    bias: rng.uniformArray(arch.classes, -1, 1),
  };
  return { arch, first, hidden, last };
}

/** Bytes the model keeps: packed weights, thresholds, last-layer scale and bias. */
export function binaryMlpBytes(m: BinaryMlp): number {
  let bytes = m.first.w.data.byteLength + m.first.tau.byteLength;
  for (const l of m.hidden) bytes += l.w.data.byteLength + l.tau.byteLength;
  return bytes + m.last.w.data.byteLength + m.last.scale.byteLength + m.last.bias.byteLength;
}

/** Bytes of the float32 equivalent: every weight and bias as float32 (BatchNorm folded). */
export function floatMlpBytes(arch: MlpArch): number {
  const sizes = [arch.inputs, ...arch.hidden, arch.classes];
  let params = 0;
  for (let i = 1; i < sizes.length; i++) params += sizes[i - 1]! * sizes[i]! + sizes[i]!;
  return params * 4;
}

/** Packs `acc ≥ tau` of a rows×n integer matrix straight into bits (the fused BatchNorm + sign). */
export function thresholdPack(acc: Int32Array, rows: number, n: number, tau: Int32Array): bitops.BitMatrix {
  const out = bitops.createBitMatrix(rows, n);
  for (let r = 0; r < rows; r++) {
    const src = r * n;
    const dst = r * out.wordsPerRow;
    for (let j = 0; j < n; j++) if (acc[src + j]! >= tau[j]!) out.data[dst + (j >>> 5)]! |= 1 << (j & 31);
  }
  return out;
}

/** Float32 arithmetic of the last layer, step by step as the kernels do it: float32(float32(dot·scale) + bias). */
export function scaleBias(dot: number, scale: number, bias: number): number {
  return Math.fround(Math.fround(dot * scale) + bias);
}

export interface BinaryMlpRunner {
  /** Logits (batch × classes) for a batch of 8-bit inputs (batch × inputs, row-major). */
  run(x: Uint8Array): Float32Array;
  /** Which kernels run it. */
  readonly kernels: string;
}

/**
 * A forward pass for a fixed batch size: on the fused prepacked kernels of @onebit/bitops where this
 * build has them (weights prepacked and buffers allocated here, once, as a runtime would at load),
 * else on its reference kernels plus a threshold-and-pack loop.
 */
export function binaryMlpRunner(
  m: BinaryMlp,
  batch: number,
  kernels: "best" | "reference" = "best",
): BinaryMlpRunner {
  const { inputs, classes } = m.arch;
  if (kernels === "best") {
    const flips = (n: number) => new Uint8Array(n);
    const first = { w: bitops.prepackWeights(m.first.w), tau: m.first.tau, flip: flips(m.first.tau.length) };
    const hidden = m.hidden.map((l) => ({
      w: bitops.prepackWeights(l.w),
      tau: l.tau,
      flip: flips(l.tau.length),
    }));
    const last = bitops.prepackWeights(m.last.w);
    const buffers = [m.first.w.rows, ...m.hidden.map((l) => l.w.rows)].map((n) =>
      bitops.createBitMatrix(batch, n, bitops.KERNEL_WORD_MULTIPLE),
    );
    const logits = new Float32Array(batch * classes);
    return {
      kernels: `@onebit/bitops fused kernels, ${bitops.getBackendInfo().backend}`,
      run: (x) => {
        const planes = bitops.encodeBitPlanes(x, batch, inputs, bitops.KERNEL_WORD_MULTIPLE);
        let h = bitops.bitPlaneGemmThreshold(planes, first.w, first.tau, first.flip, buffers[0]);
        hidden.forEach((l, i) => {
          h = bitops.bgemmThreshold(h, l.w, l.tau, l.flip, buffers[i + 1]);
        });
        return bitops.bgemmScaleBias(h, last, m.last.scale, m.last.bias, logits);
      },
    };
  }
  return {
    kernels: "@onebit/bitops reference kernels (bitPlaneGemmRef, bgemmRef)",
    run: (x) => {
      const planes = bitops.encodeBitPlanes(x, batch, inputs);
      let h = thresholdPack(bitops.bitPlaneGemmRef(planes, m.first.w), batch, m.first.w.rows, m.first.tau);
      for (const l of m.hidden) h = thresholdPack(bitops.bgemmRef(h, l.w), batch, l.w.rows, l.tau);
      const acc = bitops.bgemmRef(h, m.last.w);
      const logits = new Float32Array(batch * classes);
      for (let r = 0; r < batch; r++) {
        for (let j = 0; j < classes; j++) {
          logits[r * classes + j] = scaleBias(acc[r * classes + j]!, m.last.scale[j]!, m.last.bias[j]!);
        }
      }
      return logits;
    },
  };
}

function bit(m: bitops.BitMatrix, row: number, col: number): number {
  return (m.data[row * m.wordsPerRow + (col >>> 5)]! >>> (col & 31)) & 1 ? 1 : -1;
}

/**
 * The same network for one input row, straight from the definition (±1 read bit by bit, plain sums):
 * the check the fast path must match exactly.
 */
export function binaryMlpReferenceRow(m: BinaryMlp, x: Uint8Array, row: number): Float32Array {
  const n0 = m.arch.inputs;
  let h: number[] = [];
  for (let j = 0; j < m.first.w.rows; j++) {
    let s = 0;
    for (let i = 0; i < n0; i++) s += x[row * n0 + i]! * bit(m.first.w, j, i);
    h.push(s >= m.first.tau[j]! ? 1 : -1);
  }
  for (const l of m.hidden) {
    const next: number[] = [];
    for (let j = 0; j < l.w.rows; j++) {
      let s = 0;
      for (let i = 0; i < h.length; i++) s += h[i]! * bit(l.w, j, i);
      next.push(s >= l.tau[j]! ? 1 : -1);
    }
    h = next;
  }
  const out = new Float32Array(m.arch.classes);
  for (let j = 0; j < m.arch.classes; j++) {
    let s = 0;
    for (let i = 0; i < h.length; i++) s += h[i]! * bit(m.last.w, j, i);
    out[j] = scaleBias(s, m.last.scale[j]!, m.last.bias[j]!);
  }
  return out;
}
