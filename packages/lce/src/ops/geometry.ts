import type { Padding, Pair } from "../graph.js";
import type { ImportContext } from "../import-context.js";
import type { TfliteOperator } from "../read-tflite.js";
import { SchemaPadding } from "../schema.js";

const MAX_WINDOW = 4096;

/** Output size along one axis (TFLite's rule; TFLITE.md "Geometry"). */
export function outputSize(
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: Padding,
): number {
  const effective = (kernel - 1) * dilation + 1;
  return padding === "same" ? Math.ceil(input / stride) : Math.floor((input - effective) / stride) + 1;
}

/** Checks a stride, dilation or window size: a positive integer up to 4096. */
export function positive(ctx: ImportContext, op: TfliteOperator, what: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_WINDOW)
    throw ctx.bad(op, `${what} is ${value}; an integer 1…${MAX_WINDOW} is required`);
  return value;
}

export function pair(ctx: ImportContext, op: TfliteOperator, what: string, h: number, w: number): Pair {
  return [positive(ctx, op, `${what} (height)`, h), positive(ctx, op, `${what} (width)`, w)];
}

/** Padding of a builtin option (schema enum: 0 SAME, 1 VALID). */
export function schemaPadding(ctx: ImportContext, op: TfliteOperator, value: number): Padding {
  if (value === SchemaPadding.SAME) return "same";
  if (value === SchemaPadding.VALID) return "valid";
  throw ctx.bad(op, `padding ${value} is neither SAME (0) nor VALID (1)`);
}

/**
 * Padding of an LCE custom option. 0 is SAME and 2 VALID in either generation; 1 means SAME in files
 * written before LCE's 2020-08-19 enum change and VALID after it, so the stored output size decides
 * (TFLITE.md, "Two generations of custom options").
 */
export function lcePadding(
  ctx: ImportContext,
  op: TfliteOperator,
  value: number | undefined,
  input: readonly number[],
  output: readonly number[],
  kernel: Pair,
  stride: Pair,
  dilation: Pair,
): Padding {
  if (value === 0) return "same";
  if (value === 2) return "valid";
  if (value !== 1) throw ctx.bad(op, `custom option padding is ${value}; 0, 1 or 2 expected`);
  const fits = (padding: Padding) =>
    outputSize(input[0]!, kernel[0], stride[0], dilation[0], padding) === output[0] &&
    outputSize(input[1]!, kernel[1], stride[1], dilation[1], padding) === output[1];
  if (fits("same")) return "same";
  if (fits("valid")) return "valid";
  throw ctx.bad(
    op,
    `padding 1 is ambiguous (SAME before LCE 0.4, VALID after) and the stored output size ${output[0]}×${output[1]} fits neither`,
  );
}

/** Output [Ho, Wo] of a window op, checked to be at least 1×1. */
export function windowOutput(
  ctx: ImportContext,
  op: TfliteOperator,
  input: readonly number[],
  kernel: Pair,
  stride: Pair,
  dilation: Pair,
  padding: Padding,
): Pair {
  const h = outputSize(input[0]!, kernel[0], stride[0], dilation[0], padding);
  const w = outputSize(input[1]!, kernel[1], stride[1], dilation[1], padding);
  if (h < 1 || w < 1)
    throw ctx.bad(op, `the window ${kernel[0]}×${kernel[1]} does not fit the ${input[0]}×${input[1]} input`);
  return [h, w];
}
