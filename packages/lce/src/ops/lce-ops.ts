import { type CustomOptions, decodeCustomOptions } from "../custom-options.js";
import type { BitsOutput, FloatOutput, Pair } from "../graph.js";
import { activationRange, type ImportContext } from "../import-context.js";
import type { TfliteOperator } from "../read-tflite.js";
import { TensorType, tensorTypeName } from "../schema.js";
import { lcePadding, pair, windowOutput } from "./geometry.js";
import type { OpImporter } from "./registry.js";

// The Larq Compute Engine custom operators (TFLITE.md, "LCE custom operators").

const WORD = 32;
const packedWords = (channels: number) => Math.ceil(channels / WORD);

/** The op's integer custom options; absent options read as all keys absent (checked by each op). */
function options(op: TfliteOperator, keys: readonly string[]): CustomOptions {
  if (!op.customOptions) return Object.fromEntries(keys.map((key) => [key, undefined]));
  return decodeCustomOptions(op.customOptions, keys, `operator ${op.index} (${op.name}) custom options`);
}

export const lceQuantize: OpImporter = (ctx, op) => {
  ctx.expectInputs(op, [1]);
  const input = ctx.input(op, 0, "input");
  if (input.type !== TensorType.FLOAT32)
    throw ctx.unsupported(op, `input is ${tensorTypeName(input.type)}; float32 is supported`);
  const value = ctx.value(op, input, "float32");
  const out = ctx.output(op);
  const channels = value.shape.at(-1)!;
  ctx.checkOutputShape(op, out, [...value.shape.slice(0, -1), packedWords(channels)]);
  ctx.emit(
    { op: "quantize", name: ctx.uniqueName(out), inputs: [value.name], source: op.index },
    "bits",
    value.shape,
    out,
  );
};

export const lceDequantize: OpImporter = (ctx, op) => {
  ctx.expectInputs(op, [1]);
  const value = ctx.value(op, ctx.input(op, 0, "input"), "bits");
  const out = ctx.output(op);
  if (out.type !== TensorType.FLOAT32)
    throw ctx.unsupported(op, `output is ${tensorTypeName(out.type)}; float32 is supported`);
  ctx.checkOutputShape(op, out, value.shape);
  ctx.emit(
    { op: "dequantize", name: ctx.uniqueName(out), inputs: [value.name], source: op.index },
    "float32",
    value.shape,
    out,
  );
};

export const lceBMaxPool2d: OpImporter = (ctx, op) => {
  ctx.expectInputs(op, [1]);
  const value = ctx.value(op, ctx.input(op, 0, "input"), "bits");
  const out = ctx.output(op);
  const o = options(op, ["padding", "stride_width", "stride_height", "filter_width", "filter_height"]);
  const pool = pair(ctx, op, "filter", o.filter_height ?? 0, o.filter_width ?? 0);
  const stride = pair(ctx, op, "stride", o.stride_height ?? 0, o.stride_width ?? 0);
  const stored = ctx.imageShape(op, out);
  const padding = lcePadding(ctx, op, o.padding, value.shape, stored, pool, stride, [1, 1]);
  const [h, w] = windowOutput(ctx, op, value.shape, pool, stride, [1, 1], padding);
  const channels = value.shape[2]!;
  ctx.checkOutputShape(op, out, [h, w, packedWords(channels)]);
  ctx.emit(
    {
      op: "maxPool2d",
      name: ctx.uniqueName(out),
      inputs: [value.name],
      source: op.index,
      kernel: pool,
      stride,
      padding,
    },
    "bits",
    [h, w, channels],
    out,
  );
};

const BCONV_KEYS = [
  "channels_in",
  "stride_height",
  "stride_width",
  "dilation_height_factor",
  "dilation_width_factor",
  "padding",
  "pad_values",
  "fused_activation_function",
] as const;

export const lceBconv2d: OpImporter = (ctx, op) => {
  ctx.expectInputs(op, [4, 5]);
  const o = options(op, BCONV_KEYS);
  const inputTensor = ctx.input(op, 0, "input");
  const input = ctx.bits(op, inputTensor);
  if (input.shape.length !== 3)
    throw ctx.unsupported(op, `input has rank ${input.shape.length + 1}; 4 expected`);
  const channelsIn = o.channels_in ?? input.shape[2]!;
  if (channelsIn !== input.shape[2])
    throw ctx.bad(op, `channels_in is ${channelsIn} but the input has ${input.shape[2]} channels`);

  const filter = ctx.input(op, 1, "filter");
  if (filter.shape.length !== 4)
    throw ctx.bad(op, `filter has shape [${filter.shape}]; [O, kh, kw, words] expected`);
  const [outChannels, kh, kw, words] = filter.shape as [number, number, number, number];
  const kernel = pair(ctx, op, "filter size", kh, kw);
  const stride = pair(ctx, op, "stride", o.stride_height ?? 0, o.stride_width ?? 0);
  const dilation = pair(ctx, op, "dilation", o.dilation_height_factor ?? 1, o.dilation_width_factor ?? 1);

  // Groups: the filter holds channels_in / groups channels per output, packed.
  let groups = 1;
  if (filter.type === TensorType.INT32 && words !== packedWords(channelsIn)) {
    const total = packedWords(channelsIn);
    if (words < 1 || total % words !== 0)
      throw ctx.bad(op, `filter depth ${words} words does not divide ${total}`);
    groups = total / words;
    if ((channelsIn / groups) % WORD !== 0 || outChannels % groups !== 0)
      throw ctx.bad(
        op,
        `${groups} groups need channels in (${channelsIn}) and out (${outChannels}) divisible by 32·groups and groups`,
      );
  }
  const perGroup = channelsIn / groups;
  const weights = binaryWeights(ctx, op, filter, outChannels, kh * kw, perGroup);

  const out = ctx.output(op);
  const stored = ctx.imageShape(op, out);
  const padding = lcePadding(ctx, op, o.padding, input.shape, stored, kernel, stride, dilation);
  const padValue = o.pad_values ?? 0;
  if (padValue !== 0 && padValue !== 1) throw ctx.bad(op, `pad_values is ${padValue}; 0 or 1 expected`);
  if (padding === "same" && padValue === 0 && perGroup % 2 !== 0)
    throw ctx.unsupported(
      op,
      `zero padding with an odd channel count (${perGroup}) per group is not defined by LCE`,
    );
  const [h, w] = windowOutput(ctx, op, input.shape, kernel, stride, dilation, padding);
  const K = kh * kw * perGroup;

  let output: FloatOutput | BitsOutput;
  if (out.type === TensorType.FLOAT32) {
    ctx.checkOutputShape(op, out, [h, w, outChannels]);
    const multiplier = ctx.floats(
      op,
      ctx.input(op, 2, "post_activation_multiplier"),
      "post_activation_multiplier",
      [outChannels],
    );
    const bias = ctx.floats(op, ctx.input(op, 3, "post_activation_bias"), "post_activation_bias", [
      outChannels,
    ]);
    const range = activationRange(op, o.fused_activation_function ?? 0, ctx) ?? [-K, K];
    const clamp: Pair = [Math.max(range[0], -K), Math.min(range[1], K)];
    output = { kind: "float32", multiplier, bias, clamp };
  } else if (out.type === TensorType.INT32) {
    ctx.checkOutputShape(op, out, [h, w, packedWords(outChannels)]);
    const lce = ctx.ints(op, ctx.input(op, 4, "output_threshold"), "output_threshold", [outChannels]);
    // LCE writes bit 1 (−1) where accum > t, accum = (K − dot) / 2; so +1 ⟺ dot ≥ K − 2t.
    const thresholds = new Int32Array(outChannels);
    for (let c = 0; c < outChannels; c++) thresholds[c] = K - 2 * lce[c]!;
    output = { kind: "bits", thresholds };
    ctx.notes.push(`operator ${op.index} (LceBconv2d): LCE thresholds t → dot thresholds K − 2t`);
  } else {
    throw ctx.unsupported(op, `output is ${tensorTypeName(out.type)}; float32 or packed int32 is supported`);
  }

  ctx.emit(
    {
      op: "bconv2d",
      name: ctx.uniqueName(out),
      inputs: [input.name],
      source: op.index,
      weights,
      weightsShape: [outChannels, kh, kw, perGroup],
      stride,
      dilation,
      groups,
      padding,
      padValue: padValue as 0 | 1,
      output,
    },
    output.kind === "float32" ? "float32" : "bits",
    [h, w, outChannels],
    out,
  );
};

/** Filter values as ±1, [O, kh·kw, perGroup]: from LCE's packed int32 words (bit 1 = −1) or float signs. */
function binaryWeights(
  ctx: ImportContext,
  op: TfliteOperator,
  filter: ReturnType<ImportContext["tensor"]>,
  outChannels: number,
  taps: number,
  perGroup: number,
): Int8Array {
  const weights = new Int8Array(outChannels * taps * perGroup);
  if (filter.type === TensorType.INT32) {
    const words = packedWords(perGroup);
    const packed = ctx.ints(op, filter, "filter");
    for (let row = 0; row < outChannels * taps; row++)
      for (let c = 0; c < perGroup; c++) {
        const bit = (packed[row * words + (c >>> 5)]! >>> (c & 31)) & 1;
        weights[row * perGroup + c] = bit ? -1 : 1;
      }
  } else if (filter.type === TensorType.FLOAT32) {
    // Filters of the earliest LCE files are float [O, kh, kw, C] and binarized like activations.
    const floats = ctx.floats(op, filter, "filter");
    if (floats.length !== weights.length)
      throw ctx.bad(op, `float filter has ${floats.length} values; ${weights.length} expected`);
    for (let i = 0; i < floats.length; i++) weights[i] = floats[i]! < 0 ? -1 : 1;
  } else {
    throw ctx.unsupported(op, `filter is ${tensorTypeName(filter.type)}; packed int32 or float32 expected`);
  }
  return weights;
}
