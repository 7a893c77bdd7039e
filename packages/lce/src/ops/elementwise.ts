import type { ValueInfo } from "../graph.js";
import { type ImportContext, sameShape } from "../import-context.js";
import type { TfliteOperator, TfliteTensor } from "../read-tflite.js";
import type { OpImporter } from "./registry.js";

// ADD, MUL, RELU, PRELU. A constant operand must be per channel (shape [C] or [1, …, 1, C]); QuickNet's
// inference BatchNorm is such a MUL followed by such an ADD.

function activationCode(op: TfliteOperator): number {
  return Number(op.builtinOptions?.fused_activation_function ?? 0);
}

/** The values of a per-channel constant, or an error naming the shape that is not per channel. */
function perChannel(
  ctx: ImportContext,
  op: TfliteOperator,
  tensor: TfliteTensor,
  channels: number,
): Float32Array {
  const shape = tensor.shape;
  const ok = shape.length >= 1 && shape.at(-1) === channels && shape.slice(0, -1).every((d) => d === 1);
  if (!ok)
    throw ctx.unsupported(
      op,
      `constant operand ${tensor.index} has shape [${shape}]; only per-channel [${channels}] broadcasts are supported`,
    );
  return ctx.floats(op, tensor, "per-channel constant");
}

/** Splits the two operands into (activation, constant|null) or (activation, activation). */
function operands(
  ctx: ImportContext,
  op: TfliteOperator,
): { a: ValueInfo; b: ValueInfo | null; constant: TfliteTensor | null } {
  ctx.expectInputs(op, [2]);
  const x = ctx.input(op, 0, "x");
  const y = ctx.input(op, 1, "y");
  if (x.data && y.data) throw ctx.unsupported(op, "both operands are constants");
  if (x.data) return { a: ctx.value(op, y, "float32"), b: null, constant: x };
  if (y.data) return { a: ctx.value(op, x, "float32"), b: null, constant: y };
  return { a: ctx.value(op, x, "float32"), b: ctx.value(op, y, "float32"), constant: null };
}

export const add: OpImporter = (ctx, op) => {
  const { a, b, constant } = operands(ctx, op);
  const out = ctx.output(op);
  const act = activationCode(op);
  const name = ctx.uniqueName(out, act ? ":linear" : "");
  const target = act ? undefined : out;
  let sum: ValueInfo;
  if (constant) {
    const offset = perChannel(ctx, op, constant, a.shape.at(-1)!);
    sum = ctx.emit(
      {
        op: "batchNorm",
        name,
        inputs: [a.name],
        source: op.index,
        scale: new Float32Array(offset.length).fill(1),
        offset,
      },
      "float32",
      a.shape,
      target,
    );
  } else {
    if (!sameShape(a.shape, b!.shape))
      throw ctx.unsupported(
        op,
        `operands of shapes [${a.shape}] and [${b!.shape}]: broadcasting adds are not supported`,
      );
    sum = ctx.emit(
      { op: "add", name, inputs: [a.name, b!.name], source: op.index },
      "float32",
      a.shape,
      target,
    );
  }
  ctx.checkOutputShape(op, out, a.shape);
  ctx.fusedActivation(op, act, sum, out);
};

export const mul: OpImporter = (ctx, op) => {
  const { a, constant } = operands(ctx, op);
  if (!constant) throw ctx.unsupported(op, "the product of two activations is not supported");
  const out = ctx.output(op);
  const act = activationCode(op);
  const scale = perChannel(ctx, op, constant, a.shape.at(-1)!);
  ctx.checkOutputShape(op, out, a.shape);
  const product = ctx.emit(
    {
      op: "mul",
      name: ctx.uniqueName(out, act ? ":linear" : ""),
      inputs: [a.name],
      source: op.index,
      scale,
    },
    "float32",
    a.shape,
    act ? undefined : out,
  );
  ctx.fusedActivation(op, act, product, out);
};

export const relu: OpImporter = (ctx, op) => {
  ctx.expectInputs(op, [1]);
  const a = ctx.value(op, ctx.input(op, 0, "x"), "float32");
  const out = ctx.output(op);
  ctx.checkOutputShape(op, out, a.shape);
  ctx.emit(
    {
      op: "relu",
      name: ctx.uniqueName(out),
      inputs: [a.name],
      source: op.index,
      min: 0,
      max: Number.POSITIVE_INFINITY,
    },
    "float32",
    a.shape,
    out,
  );
};

export const prelu: OpImporter = (ctx, op) => {
  ctx.expectInputs(op, [2]);
  const a = ctx.value(op, ctx.input(op, 0, "x"), "float32");
  const alpha = perChannel(ctx, op, ctx.input(op, 1, "alpha"), a.shape.at(-1)!);
  const out = ctx.output(op);
  ctx.checkOutputShape(op, out, a.shape);
  ctx.emit(
    { op: "prelu", name: ctx.uniqueName(out), inputs: [a.name], source: op.index, alpha },
    "float32",
    a.shape,
    out,
  );
};
