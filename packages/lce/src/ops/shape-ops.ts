import type { OpImporter } from "./registry.js";

// RESHAPE, PAD, CONCATENATION, SOFTMAX.

export const reshape: OpImporter = (ctx, op) => {
  ctx.expectInputs(op, [1, 2]);
  const input = ctx.value(op, ctx.input(op, 0, "input"), "float32");
  const out = ctx.output(op);
  const shape = ctx.imageShape(op, out);
  const elements = input.shape.reduce((a, b) => a * b, 1);
  if (out.elements !== elements)
    throw ctx.bad(op, `reshape from [${input.shape}] to [1,${shape}] changes the element count`);
  ctx.emit(
    { op: "reshape", name: ctx.uniqueName(out), inputs: [input.name], source: op.index, shape },
    "float32",
    shape,
    out,
  );
};

export const pad: OpImporter = (ctx, op) => {
  ctx.expectInputs(op, [2]);
  const input = ctx.value(op, ctx.input(op, 0, "input"), "float32");
  if (input.shape.length !== 3)
    throw ctx.unsupported(op, `input has rank ${input.shape.length + 1}; 4 expected`);
  const p = ctx.ints(op, ctx.input(op, 1, "paddings"), "paddings", [4, 2]);
  if (p[0] !== 0 || p[1] !== 0 || p[6] !== 0 || p[7] !== 0)
    throw ctx.unsupported(
      op,
      `paddings [${[...p]}] pad the batch or channel axis; only H and W are supported`,
    );
  if ([...p].some((v) => v < 0 || v > 4096)) throw ctx.bad(op, `paddings [${[...p]}] must be 0…4096`);
  const pads = [p[2]!, p[3]!, p[4]!, p[5]!] as const;
  const shape = [input.shape[0]! + p[2]! + p[3]!, input.shape[1]! + p[4]! + p[5]!, input.shape[2]!];
  const out = ctx.output(op);
  ctx.checkOutputShape(op, out, shape);
  ctx.emit(
    { op: "pad", name: ctx.uniqueName(out), inputs: [input.name], source: op.index, pads },
    "float32",
    shape,
    out,
  );
};

export const concatenation: OpImporter = (ctx, op) => {
  if (op.inputs.length < 2) throw ctx.bad(op, "concatenation of fewer than 2 inputs");
  if (Number(op.builtinOptions?.fused_activation_function ?? 0) !== 0)
    throw ctx.unsupported(op, "fused activations on concatenation are not supported");
  const inputs = op.inputs.map((_, i) => ctx.value(op, ctx.input(op, i, `input ${i}`), "float32"));
  const rank = inputs[0]!.shape.length + 1;
  const axisOption = Number(op.builtinOptions?.axis ?? 0);
  const axis = axisOption < 0 ? axisOption + rank : axisOption;
  if (axis !== rank - 1)
    throw ctx.unsupported(
      op,
      `concatenation along axis ${axisOption}; only the channel (last) axis is supported`,
    );
  const lead = inputs[0]!.shape.slice(0, -1);
  for (const value of inputs)
    if (value.shape.length !== lead.length + 1 || value.shape.slice(0, -1).some((d, i) => d !== lead[i]))
      throw ctx.bad(
        op,
        `inputs of shapes ${inputs.map((v) => `[${v.shape}]`).join(", ")} differ outside the channel axis`,
      );
  const shape = [...lead, inputs.reduce((sum, v) => sum + v.shape.at(-1)!, 0)];
  const out = ctx.output(op);
  ctx.checkOutputShape(op, out, shape);
  ctx.emit(
    { op: "concat", name: ctx.uniqueName(out), inputs: inputs.map((v) => v.name), source: op.index },
    "float32",
    shape,
    out,
  );
};

export const softmax: OpImporter = (ctx, op) => {
  ctx.expectInputs(op, [1]);
  const input = ctx.value(op, ctx.input(op, 0, "logits"), "float32");
  const beta = Number(op.builtinOptions?.beta ?? 1);
  if (!Number.isFinite(beta) || beta <= 0) throw ctx.bad(op, `softmax beta ${beta} is not a positive number`);
  const out = ctx.output(op);
  ctx.checkOutputShape(op, out, input.shape);
  ctx.emit(
    { op: "softmax", name: ctx.uniqueName(out), inputs: [input.name], source: op.index, beta },
    "float32",
    input.shape,
    out,
  );
};
