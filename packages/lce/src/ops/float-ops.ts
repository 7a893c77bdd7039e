import type { ImportContext } from "../import-context.js";
import type { TfliteOperator } from "../read-tflite.js";
import { pair, schemaPadding, windowOutput } from "./geometry.js";
import type { OpImporter } from "./registry.js";

// Float convolutions and the dense layer (TFLite builtins CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED).

function num(op: TfliteOperator, key: string): number {
  return Number(op.builtinOptions?.[key] ?? 0);
}

function bias(ctx: ImportContext, op: TfliteOperator, slot: number, length: number): Float32Array | null {
  const tensor = ctx.optionalInput(op, slot);
  return tensor ? ctx.floats(op, tensor, "bias", [length]) : null;
}

/** A builtin convolution's stride, dilation and padding from its options, and its output height and width. */
function convWindow(
  ctx: ImportContext,
  op: TfliteOperator,
  inputShape: readonly number[],
  kh: number,
  kw: number,
) {
  const stride = pair(ctx, op, "stride", num(op, "stride_h"), num(op, "stride_w"));
  const dilation = pair(
    ctx,
    op,
    "dilation",
    num(op, "dilation_h_factor") || 1,
    num(op, "dilation_w_factor") || 1,
  );
  const kernel = pair(ctx, op, "filter size", kh, kw);
  const padding = schemaPadding(ctx, op, num(op, "padding"));
  const [h, w] = windowOutput(ctx, op, inputShape, kernel, stride, dilation, padding);
  return { stride, dilation, padding, h, w };
}

export const conv2d: OpImporter = (ctx, op) => {
  ctx.expectInputs(op, [2, 3]);
  const input = ctx.value(op, ctx.input(op, 0, "input"), "float32");
  const filter = ctx.input(op, 1, "filter");
  if (filter.shape.length !== 4 || filter.shape[3] !== input.shape[2])
    throw ctx.bad(op, `filter has shape [${filter.shape}]; [O, kh, kw, ${input.shape[2]}] expected`);
  const [o, kh, kw, c] = filter.shape as [number, number, number, number];
  const weights = ctx.floats(op, filter, "filter");
  const { stride, dilation, padding, h, w } = convWindow(ctx, op, input.shape, kh, kw);
  const out = ctx.output(op);
  ctx.checkOutputShape(op, out, [h, w, o]);
  const conv = ctx.emit(
    {
      op: "conv2d",
      name: ctx.uniqueName(out, num(op, "fused_activation_function") ? ":linear" : ""),
      inputs: [input.name],
      source: op.index,
      weights,
      weightsShape: [o, kh, kw, c],
      bias: bias(ctx, op, 2, o),
      stride,
      dilation,
      padding,
    },
    "float32",
    [h, w, o],
    num(op, "fused_activation_function") ? undefined : out,
  );
  ctx.fusedActivation(op, num(op, "fused_activation_function"), conv, out);
};

export const depthwiseConv2d: OpImporter = (ctx, op) => {
  ctx.expectInputs(op, [2, 3]);
  const input = ctx.value(op, ctx.input(op, 0, "input"), "float32");
  const filter = ctx.input(op, 1, "filter");
  const channels = input.shape[2]!;
  if (filter.shape.length !== 4 || filter.shape[0] !== 1 || filter.shape[3]! % channels !== 0)
    throw ctx.bad(op, `filter has shape [${filter.shape}]; [1, kh, kw, ${channels}·multiplier] expected`);
  const [, kh, kw, outChannels] = filter.shape as [number, number, number, number];
  const multiplier = outChannels / channels;
  const stated = num(op, "depth_multiplier");
  if (stated !== 0 && stated !== multiplier)
    throw ctx.bad(op, `depth_multiplier ${stated} disagrees with the filter (${multiplier})`);
  const { stride, dilation, padding, h, w } = convWindow(ctx, op, input.shape, kh, kw);
  const out = ctx.output(op);
  ctx.checkOutputShape(op, out, [h, w, outChannels]);
  const act = num(op, "fused_activation_function");
  const conv = ctx.emit(
    {
      op: "depthwiseConv2d",
      name: ctx.uniqueName(out, act ? ":linear" : ""),
      inputs: [input.name],
      source: op.index,
      weights: ctx.floats(op, filter, "filter"),
      weightsShape: [kh, kw, outChannels],
      multiplier,
      bias: bias(ctx, op, 2, outChannels),
      stride,
      dilation,
      padding,
    },
    "float32",
    [h, w, outChannels],
    act ? undefined : out,
  );
  ctx.fusedActivation(op, act, conv, out);
};

export const fullyConnected: OpImporter = (ctx, op) => {
  ctx.expectInputs(op, [2, 3]);
  if (num(op, "weights_format") !== 0)
    throw ctx.unsupported(op, "shuffled weights formats are not supported");
  const input = ctx.value(op, ctx.input(op, 0, "input"), "float32");
  const filter = ctx.input(op, 1, "weights");
  const inFeatures = input.shape.reduce((a, b) => a * b, 1);
  if (filter.shape.length !== 2 || filter.shape[1] !== inFeatures)
    throw ctx.bad(op, `weights have shape [${filter.shape}]; [out, ${inFeatures}] expected`);
  const outFeatures = filter.shape[0]!;
  const out = ctx.output(op);
  if (out.elements !== outFeatures)
    throw ctx.bad(op, `output tensor has ${out.elements} elements; ${outFeatures} expected`);
  const shape = ctx.imageShape(op, out);
  const act = num(op, "fused_activation_function");
  const dense = ctx.emit(
    {
      op: "dense",
      name: ctx.uniqueName(out, act ? ":linear" : ""),
      inputs: [input.name],
      source: op.index,
      weights: ctx.floats(op, filter, "weights"),
      weightsShape: [outFeatures, inFeatures],
      bias: bias(ctx, op, 2, outFeatures),
    },
    "float32",
    shape,
    act ? undefined : out,
  );
  ctx.fusedActivation(op, act, dense, out);
};
