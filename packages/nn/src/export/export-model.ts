import {
  type BatchNormParams,
  type BitsOutput,
  foldBatchNormToFloatThresholds,
  foldBatchNormToScaleBias,
  foldBatchNormToThresholds,
  type GraphNode,
  type IntegerLayerOutput,
  type ModelMetadata,
  type Normalization,
  type OnebitModel,
  packBitTensor,
  type Provenance,
  type Tensor,
} from "@onebit/format";
import { NnError } from "../errors.js";
import { Conv2d } from "../layers/conv2d.js";
import { MaxPool2d } from "../layers/max-pool2d.js";
import type { Sequential } from "../model.js";
import { sizeOf } from "../shape.js";
import { VERSION } from "../version.js";
import { type Plan, planExport, type Producer, type Stage } from "./stages.js";

export interface ExportOptions {
  /** Model name in the metadata (default: the model's name). */
  name?: string;
  description?: string;
  /** Class names, one per output. */
  labels?: readonly string[];
  /** What the input node receives: "float32" (default) or raw "uint8" bytes. */
  inputDtype?: "float32" | "uint8";
  /**
   * x′ = x·scale + offset, the normalization the model was trained on (e.g. bytes → [−1, 1]:
   * scale 2/255, offset −1). Applied by the runtime to the input node's values.
   */
  inputNormalization?: Normalization;
  /**
   * How a binary first layer over real inputs is stored: "float" (default; float32 ±1 weights) or
   * "bitPlane" (packed weights, exact integer arithmetic over raw bytes; needs inputDtype "uint8").
   */
  firstLayer?: "float" | "bitPlane";
  /** Append a node after the logits: "softmax" (probabilities) or "argmax" (class index). Default none. */
  output?: "logits" | "softmax" | "argmax";
  /** Training provenance; `libraryVersion`, `seed` and `date` are filled in when absent. */
  provenance?: Provenance;
  extra?: Readonly<Record<string, string | number | boolean>>;
}

const refuse = (what: string): never => {
  throw new NnError("UNSUPPORTED_EXPORT", what);
};

/** Runs a format helper, turning its FormatError into an NnError that names the layer. */
function folding<T>(layer: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof NnError) throw e;
    throw new NnError("UNSUPPORTED_EXPORT", `cannot fold "${layer}": ${(e as Error).message}`);
  }
}

/** [K, O] (dense) or [kh, kw, C, O] (conv) → [O, K] / [O, kh, kw, C]: one row per output channel. */
function outputMajor(values: Float32Array, outputs: number): Float32Array {
  const inner = values.length / outputs;
  const out = new Float32Array(values.length);
  for (let k = 0; k < inner; k++) {
    for (let o = 0; o < outputs; o++) out[o * inner + k] = values[k * outputs + o]!;
  }
  return out;
}

function outputChannels(p: Producer): number {
  return p instanceof Conv2d ? p.filters : p.units;
}

function assertFinite(values: Float32Array, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new NnError("NON_FINITE", `cannot export: ${what}[${i}] is ${values[i]}`);
    }
  }
}

/** The model state a stage folds: kernel signs/values, scales, bias and BatchNorm statistics. */
interface StageParams {
  readonly channels: number;
  readonly fanIn: number;
  readonly kernelBinary: boolean;
  /** Output-major ±1 signs (binary kernels) or real values. */
  readonly rows: Float32Array;
  /** α per channel for scaled binary kernels. */
  readonly alpha: Float32Array | undefined;
  readonly bias: Float32Array | undefined;
}

function stageParams(s: Stage): StageParams {
  const p = s.producer;
  const channels = outputChannels(p);
  const latent = p.kernel.value;
  assertFinite(latent, `${p.kernel.name}`);
  const kernelBinary = p.kernelQuantizer !== undefined;
  if (kernelBinary && p.kernelQuantizer!.bits !== 1) {
    refuse(`cannot export "${p.name}": kernel quantizer ${p.kernelQuantizer!.name} is not binary`);
  }
  const rows = outputMajor(kernelBinary ? p.binaryWeights() : latent, channels);
  const alpha = kernelBinary ? p.kernelScales() : undefined;
  const bias = p.bias?.value;
  if (bias) assertFinite(bias, `${p.bias!.name}`);
  return { channels, fanIn: latent.length / channels, kernelBinary, rows, alpha, bias };
}

function batchNormParams(
  s: Stage,
  extra: { bias?: ArrayLike<number>; dotScale?: ArrayLike<number> | number },
): BatchNormParams {
  const bn = s.batchNorm;
  const c = outputChannels(s.producer);
  const base = bn
    ? {
        gamma: bn.gamma,
        beta: bn.beta,
        mean: bn.movingMean,
        variance: bn.movingVariance,
        epsilon: bn.epsilon,
      }
    : // No BatchNorm: the sign of the pre-activation itself (γ 1, β 0, μ 0, σ 1).
      {
        gamma: new Float32Array(c).fill(1),
        beta: new Float32Array(c),
        mean: new Float32Array(c),
        variance: new Float32Array(c).fill(1),
        epsilon: 0,
      };
  return {
    ...base,
    ...(extra.bias ? { bias: extra.bias } : {}),
    ...(extra.dotScale !== undefined ? { dotScale: extra.dotScale } : {}),
  };
}

/**
 * Converts a trained model into the .onebit inference graph (BatchNorm + sign folded into
 * per-channel integer thresholds, weights packed one bit each, the last layer as float scale/bias),
 * ready for `writeModel`. Throws NnError UNSUPPORTED_EXPORT for models the graph cannot express.
 */
export function exportModel(model: Sequential, options: ExportOptions = {}): OnebitModel {
  const plan: Plan = planExport(model.layers);
  const inputDtype = options.inputDtype ?? "float32";
  const norm = options.inputNormalization;
  if (norm && (!Number.isFinite(norm.scale) || !Number.isFinite(norm.offset) || norm.scale === 0)) {
    throw new NnError(
      "INVALID_ARGUMENT",
      `inputNormalization needs a finite non-zero scale and finite offset, got ${JSON.stringify(norm)}`,
    );
  }
  const firstLayer = options.firstLayer ?? "float";
  if (firstLayer === "bitPlane" && inputDtype !== "uint8") {
    throw new NnError(
      "INVALID_ARGUMENT",
      'firstLayer "bitPlane" needs inputDtype "uint8" (it computes over raw bytes)',
    );
  }
  const classes = model.classes;
  if (options.labels && options.labels.length !== classes) {
    throw new NnError(
      "INVALID_ARGUMENT",
      `labels has ${options.labels.length} names, the model has ${classes} outputs`,
    );
  }
  const tensors = new Map<string, Tensor>();
  const add = (name: string, t: Tensor): string => {
    tensors.set(name, t);
    return name;
  };
  const f32 = (name: string, data: Float32Array): string =>
    add(name, { dtype: "float32", shape: [data.length], data });
  const nodes: GraphNode[] = [
    {
      op: "input",
      name: "input",
      dtype: inputDtype,
      shape: [...model.inputShape],
      ...(norm ? { normalization: { scale: norm.scale, offset: norm.offset } } : {}),
    },
  ];
  let kind: "float32" | "uint8" | "bits" = inputDtype;
  for (const l of plan.leading) {
    if (l instanceof MaxPool2d) {
      if (kind === "uint8")
        refuse(
          `cannot export "${l.name}": pooling raw uint8 inputs is not in the graph (pool after the first layer)`,
        );
      nodes.push(poolNode(l, undefined));
    } else nodes.push({ op: "flatten", name: l.name });
  }

  plan.stages.forEach((stage, index) => {
    const p = stage.producer;
    const sp = stageParams(stage);
    const conv = p instanceof Conv2d ? p : undefined;
    const isLast = index === plan.stages.length - 1;
    if (!stage.binarized && !isLast && sp.kernelBinary && kind === "bits" && stage.prePools.length > 0) {
      refuse(`cannot export "${p.name}": max-pooling before a BatchNorm whose output is not binarized`);
    }
    if (p.inputQuantizer && kind !== "bits") {
      refuse(
        `cannot export "${p.name}": it binarizes real-valued model inputs; the graph's first layer reads real or 8-bit inputs (remove its inputQuantizer)`,
      );
    }
    const window = conv
      ? {
          kernel: [...conv.kernelSize] as [number, number],
          stride: [...conv.strides] as [number, number],
          padding: conv.padding,
        }
      : undefined;
    const shape = conv
      ? [sp.channels, conv.kernelSize[0], conv.kernelSize[1], conv.inputShape[2]!]
      : [sp.channels, sp.fanIn];
    let node: GraphNode;
    let flip: Uint8Array | undefined;

    if (sp.kernelBinary && kind === "bits") {
      // Binary × binary: z is the exact integer dot over ±1, scaled by α and shifted by the bias.
      if (conv && conv.padding === "same" && conv.padValue !== 1) {
        refuse(
          `cannot export "${p.name}": binary 'same' convolutions pad with +1 in the graph, the layer pads with ${conv.padValue}`,
        );
      }
      const weights = add(`${p.name}/weights`, packBitTensor(sp.rows, shape));
      const out = integerOutput(stage, sp, { min: -sp.fanIn, max: sp.fanIn }, sp.alpha ?? 1, sp.bias, add);
      flip = out.flip;
      node = conv
        ? { op: "binaryConv2d", name: p.name, weights, ...window!, output: out.output }
        : { op: "binaryDense", name: p.name, weights, output: out.output };
    } else if (sp.kernelBinary && kind === "uint8" && firstLayer === "bitPlane") {
      // Exact over raw bytes x: w·x′ = scale·(w·x) + offset·Σw, so normalization folds into dotScale and bias.
      const scale = norm?.scale ?? 1;
      const offset = norm?.offset ?? 0;
      const alpha = sp.alpha;
      const rowSum = new Float64Array(sp.channels);
      for (let o = 0; o < sp.channels; o++) {
        let s = 0;
        for (let k = 0; k < sp.fanIn; k++) s += sp.rows[o * sp.fanIn + k]!;
        rowSum[o] = s;
      }
      const dotScale = Float64Array.from({ length: sp.channels }, (_, o) => scale * (alpha ? alpha[o]! : 1));
      const bias = Float64Array.from(
        { length: sp.channels },
        (_, o) => offset * rowSum[o]! * (alpha ? alpha[o]! : 1) + (sp.bias ? sp.bias[o]! : 0),
      );
      let padValue: number | undefined;
      if (conv && conv.padding === "same") {
        padValue = (conv.padValue - offset) / scale;
        const rounded = Math.round(padValue);
        if (Math.abs(padValue - rounded) > 1e-4 || rounded < 0 || rounded > 255) {
          refuse(
            `cannot export "${p.name}" as bit-plane: its pad value ${conv.padValue} is no raw byte under the input normalization`,
          );
        }
        padValue = rounded;
      }
      const weights = add(`${p.name}/weights`, packBitTensor(sp.rows, shape));
      const out = integerOutput(
        stage,
        sp,
        { min: -255 * sp.fanIn, max: 255 * sp.fanIn },
        dotScale,
        bias,
        add,
      );
      flip = out.flip;
      node = conv
        ? {
            op: "conv2dBitPlane",
            name: p.name,
            weights,
            ...window!,
            ...(padValue ? { padValue } : {}),
            output: out.output,
          }
        : { op: "denseBitPlane", name: p.name, weights, output: out.output };
    } else {
      // Float weights (a real kernel, or a binary first layer over real inputs stored as ±1/±α floats).
      if (conv && kind === "bits")
        refuse(
          `cannot export "${p.name}": a real-valued convolution over binary activations is not in the graph`,
        );
      const w = sp.rows.slice();
      if (sp.alpha)
        for (let o = 0; o < sp.channels; o++)
          for (let k = 0; k < sp.fanIn; k++) w[o * sp.fanIn + k]! *= sp.alpha[o]!;
      let bias: Float32Array | undefined = sp.bias ? sp.bias.slice() : undefined;
      let output: BitsOutput | { readonly kind: "float32" };
      if (stage.binarized) {
        const folded = folding(p.name, () =>
          foldBatchNormToFloatThresholds(batchNormParams(stage, {}), { arithmetic: "float32" }),
        );
        flip = folded.flip;
        output = thresholdsOutput(p.name, folded.thresholds, folded.flip, add);
      } else {
        if (stage.batchNorm) {
          // Fold BatchNorm into the weights: W′ = W·γ/σ, b′ = (b − μ)·γ/σ + β.
          const sb = folding(p.name, () =>
            foldBatchNormToScaleBias(batchNormParams(stage, sp.bias ? { bias: sp.bias } : {})),
          );
          for (let o = 0; o < sp.channels; o++)
            for (let k = 0; k < sp.fanIn; k++) w[o * sp.fanIn + k]! *= sb.scale[o]!;
          bias = sb.bias;
          if (stage.prePools.length > 0 && sb.scale.some((v) => !(v > 0))) {
            refuse(
              `cannot export "${p.name}": max-pooling before a BatchNorm with a non-positive scale and no sign`,
            );
          }
        }
        output = { kind: "float32" };
      }
      const weights = add(`${p.name}/weights`, { dtype: "float32", shape, data: w });
      const biasRef = bias ? f32(`${p.name}/bias`, bias) : undefined;
      node = conv
        ? {
            op: "conv2dFloat",
            name: p.name,
            weights,
            ...(biasRef ? { bias: biasRef } : {}),
            ...window!,
            ...(conv.padValue !== 0 && conv.padding === "same" ? { padValue: conv.padValue } : {}),
            output,
          }
        : { op: "denseFloat", name: p.name, weights, ...(biasRef ? { bias: biasRef } : {}), output };
    }
    nodes.push(node);
    kind = stage.binarized ? "bits" : "float32";
    for (const pool of stage.prePools)
      nodes.push(poolNode(pool, kind === "bits" ? minMask(pool, flip, add) : undefined));
    for (const l of stage.post)
      nodes.push(l instanceof MaxPool2d ? poolNode(l, undefined) : { op: "flatten", name: l.name });
  });
  if (kind !== "float32")
    refuse("the last layer must produce real-valued logits (end the model without a sign)");
  if (options.output === "softmax") nodes.push({ op: "softmax", name: "softmax" });
  if (options.output === "argmax") nodes.push({ op: "argmax", name: "argmax" });

  const provenance: Provenance = {
    libraryVersion: `@onebit/nn ${VERSION}`,
    seed: model.seed,
    date: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    ...options.provenance,
  };
  const metadata: ModelMetadata = {
    name: options.name ?? model.name,
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.labels ? { labels: [...options.labels] } : {}),
    provenance,
    ...(options.extra ? { extra: options.extra } : {}),
  };
  if (sizeOf(model.outputShape) !== classes) refuse("internal: output size");
  return { graph: { nodes }, tensors, metadata };
}

function thresholdsOutput(
  name: string,
  thresholds: Int32Array | Float32Array,
  flip: Uint8Array,
  add: (name: string, t: Tensor) => string,
): BitsOutput {
  const t = add(
    `${name}/thresholds`,
    thresholds instanceof Int32Array
      ? { dtype: "int32", shape: [thresholds.length], data: thresholds }
      : { dtype: "float32", shape: [thresholds.length], data: thresholds },
  );
  if (!flip.some((v) => v !== 0)) return { kind: "bits", thresholds: t };
  return {
    kind: "bits",
    thresholds: t,
    flip: add(`${name}/flip`, { dtype: "uint8", shape: [flip.length], data: flip }),
  };
}

/** Output of an integer layer: folded thresholds (binarized stage) or scale/bias logits. */
function integerOutput(
  stage: Stage,
  sp: StageParams,
  dotRange: { min: number; max: number },
  dotScale: ArrayLike<number> | number,
  bias: ArrayLike<number> | undefined,
  add: (name: string, t: Tensor) => string,
): { output: IntegerLayerOutput; flip: Uint8Array | undefined } {
  const name = stage.producer.name;
  const params = batchNormParams(stage, { ...(bias ? { bias } : {}), dotScale });
  if (stage.binarized) {
    const folded = folding(name, () =>
      foldBatchNormToThresholds(params, dotRange, { arithmetic: "float32" }),
    );
    return { output: thresholdsOutput(name, folded.thresholds, folded.flip, add), flip: folded.flip };
  }
  if (stage.prePools.length > 0) refuse(`cannot export "${name}": max-pooling in a stage without a sign`);
  const sb = folding(name, () => foldBatchNormToScaleBias(params));
  const scale = add(`${name}/scale`, { dtype: "float32", shape: [sp.channels], data: sb.scale });
  const biasRef = add(`${name}/bias`, { dtype: "float32", shape: [sp.channels], data: sb.bias });
  return { output: { kind: "scaleBias", scale, bias: biasRef }, flip: undefined };
}

/** The min-mask of a pool before a BatchNorm: channels whose sign decreases with the pre-activation. */
function minMask(
  pool: MaxPool2d,
  flip: Uint8Array | undefined,
  add: (name: string, t: Tensor) => string,
): string | undefined {
  if (!flip?.some((v) => v !== 0)) return undefined;
  return add(
    `${pool.name}/minMask`,
    packBitTensor(
      Float32Array.from(flip, (v) => (v ? 1 : -1)),
      [flip.length],
    ),
  );
}

function poolNode(pool: MaxPool2d, mask: string | undefined): GraphNode {
  return {
    op: "maxPool2d",
    name: pool.name,
    kernel: [...pool.poolSize] as [number, number],
    stride: [...pool.strides] as [number, number],
    padding: "valid",
    ...(mask ? { minMask: mask } : {}),
  };
}
