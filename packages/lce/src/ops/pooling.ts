import type { OpImporter } from "./registry.js";
import { pair, schemaPadding, windowOutput } from "./geometry.js";
import type { TfliteOperator } from "../read-tflite.js";
import type { ImportContext } from "../import-context.js";

// MAX_POOL_2D, AVERAGE_POOL_2D and MEAN over the spatial axes.

function pool(kind: "maxPool2d" | "avgPool2d"): OpImporter {
  return (ctx: ImportContext, op: TfliteOperator) => {
    ctx.expectInputs(op, [1]);
    const o = op.builtinOptions ?? {};
    if (Number(o.fused_activation_function ?? 0) !== 0)
      throw ctx.unsupported(op, "fused activations on pooling are not supported");
    const input = ctx.value(op, ctx.input(op, 0, "input"), "float32");
    if (input.shape.length !== 3)
      throw ctx.unsupported(op, `input has rank ${input.shape.length + 1}; 4 expected`);
    const window = pair(ctx, op, "filter", Number(o.filter_height), Number(o.filter_width));
    const stride = pair(ctx, op, "stride", Number(o.stride_h), Number(o.stride_w));
    const padding = schemaPadding(ctx, op, Number(o.padding ?? 0));
    const [h, w] = windowOutput(ctx, op, input.shape, window, stride, [1, 1], padding);
    const out = ctx.output(op);
    const shape = [h, w, input.shape[2]!];
    ctx.checkOutputShape(op, out, shape);
    ctx.emit(
      {
        op: kind,
        name: ctx.uniqueName(out),
        inputs: [input.name],
        source: op.index,
        kernel: window,
        stride,
        padding,
      },
      "float32",
      shape,
      out,
    );
  };
}

export const maxPool2d = pool("maxPool2d");
export const averagePool2d = pool("avgPool2d");

export const mean: OpImporter = (ctx, op) => {
  ctx.expectInputs(op, [2]);
  const input = ctx.value(op, ctx.input(op, 0, "input"), "float32");
  const axes = [...ctx.ints(op, ctx.input(op, 1, "axes"), "axes")].map((a) => (a < 0 ? a + 4 : a)).sort();
  if (input.shape.length !== 3 || axes.join() !== "1,2")
    throw ctx.unsupported(
      op,
      `MEAN over axes [${axes}] of a rank-${input.shape.length + 1} tensor; only the spatial mean (axes 1, 2) is supported`,
    );
  const out = ctx.output(op);
  const channels = input.shape[2]!;
  const keepDims = Boolean(op.builtinOptions?.keep_dims);
  ctx.checkOutputShape(op, out, keepDims ? [1, 1, channels] : [channels]);
  const pooled = ctx.emit(
    {
      op: "globalAvgPool",
      name: ctx.uniqueName(out, keepDims ? ":flat" : ""),
      inputs: [input.name],
      source: op.index,
    },
    "float32",
    [channels],
    keepDims ? undefined : out,
  );
  if (keepDims)
    ctx.emit(
      {
        op: "reshape",
        name: ctx.uniqueName(out),
        inputs: [pooled.name],
        source: op.index,
        shape: [1, 1, channels],
      },
      "float32",
      [1, 1, channels],
      out,
    );
};
