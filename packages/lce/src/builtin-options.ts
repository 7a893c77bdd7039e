import { LceError } from "./errors.js";
import type { FlatTable } from "./flat-view.js";
import { BuiltinOptionsType, Field } from "./schema.js";

/** Decoded builtin options: the fields of one options table by their schema names. */
export type BuiltinOptions = Readonly<Record<string, number | boolean | readonly number[]>>;

type Kind = "int8" | "int32" | "float32" | "bool" | "int32s";
type Spec = readonly (readonly [name: string, id: number, kind: Kind, fallback?: number | boolean])[];

const activation = (id: number) => ["fused_activation_function", id, "int8", 0] as const;
const F = Field;

// One entry per options table read (TFLITE.md, "Builtin options tables read").
const SPECS: Readonly<Record<number, readonly [table: string, spec: Spec]>> = {
  [BuiltinOptionsType.Conv2DOptions]: [
    "Conv2DOptions",
    [
      ["padding", F.Conv2DOptions.padding, "int8", 0],
      ["stride_w", F.Conv2DOptions.strideW, "int32", 0],
      ["stride_h", F.Conv2DOptions.strideH, "int32", 0],
      activation(F.Conv2DOptions.activation),
      ["dilation_w_factor", F.Conv2DOptions.dilationW, "int32", 1],
      ["dilation_h_factor", F.Conv2DOptions.dilationH, "int32", 1],
    ],
  ],
  [BuiltinOptionsType.DepthwiseConv2DOptions]: [
    "DepthwiseConv2DOptions",
    [
      ["padding", F.DepthwiseConv2DOptions.padding, "int8", 0],
      ["stride_w", F.DepthwiseConv2DOptions.strideW, "int32", 0],
      ["stride_h", F.DepthwiseConv2DOptions.strideH, "int32", 0],
      ["depth_multiplier", F.DepthwiseConv2DOptions.depthMultiplier, "int32", 0],
      activation(F.DepthwiseConv2DOptions.activation),
      ["dilation_w_factor", F.DepthwiseConv2DOptions.dilationW, "int32", 1],
      ["dilation_h_factor", F.DepthwiseConv2DOptions.dilationH, "int32", 1],
    ],
  ],
  [BuiltinOptionsType.Pool2DOptions]: [
    "Pool2DOptions",
    [
      ["padding", F.Pool2DOptions.padding, "int8", 0],
      ["stride_w", F.Pool2DOptions.strideW, "int32", 0],
      ["stride_h", F.Pool2DOptions.strideH, "int32", 0],
      ["filter_width", F.Pool2DOptions.filterWidth, "int32", 0],
      ["filter_height", F.Pool2DOptions.filterHeight, "int32", 0],
      activation(F.Pool2DOptions.activation),
    ],
  ],
  [BuiltinOptionsType.FullyConnectedOptions]: [
    "FullyConnectedOptions",
    [
      activation(F.FullyConnectedOptions.activation),
      ["weights_format", F.FullyConnectedOptions.weightsFormat, "int8", 0],
      ["keep_num_dims", F.FullyConnectedOptions.keepNumDims, "bool", false],
    ],
  ],
  [BuiltinOptionsType.SoftmaxOptions]: ["SoftmaxOptions", [["beta", F.SoftmaxOptions.beta, "float32", 0]]],
  [BuiltinOptionsType.ConcatenationOptions]: [
    "ConcatenationOptions",
    [["axis", F.ConcatenationOptions.axis, "int32", 0], activation(F.ConcatenationOptions.activation)],
  ],
  [BuiltinOptionsType.AddOptions]: ["AddOptions", [activation(F.AddOptions.activation)]],
  [BuiltinOptionsType.MulOptions]: ["MulOptions", [activation(F.MulOptions.activation)]],
  [BuiltinOptionsType.ReshapeOptions]: [
    "ReshapeOptions",
    [["new_shape", F.ReshapeOptions.newShape, "int32s"]],
  ],
  [BuiltinOptionsType.PadOptions]: ["PadOptions", []],
  [BuiltinOptionsType.ReducerOptions]: [
    "ReducerOptions",
    [["keep_dims", F.ReducerOptions.keepDims, "bool", false]],
  ],
};

/** Name of the options table with union tag `type`, or undefined when the importer does not read it. */
export function builtinOptionsTableName(type: number): string | undefined {
  return SPECS[type]?.[0];
}

/** Decodes an options table of a known union tag; unknown tags are left undecoded (null). */
export function decodeBuiltinOptions(
  type: number,
  table: FlatTable | null,
  maxRank: number,
): BuiltinOptions | null {
  const entry = SPECS[type];
  if (!entry) return null;
  const out: Record<string, number | boolean | readonly number[]> = {};
  for (const [name, id, kind, fallback] of entry[1]) {
    if (!table) {
      out[name] = kind === "int32s" ? [] : (fallback ?? 0);
      continue;
    }
    switch (kind) {
      case "int8":
        out[name] = table.int8(id, name, fallback as number);
        break;
      case "int32":
        out[name] = table.int32(id, name, fallback as number);
        break;
      case "float32":
        out[name] = table.float32(id, name, fallback as number);
        break;
      case "bool":
        out[name] = table.bool(id, name, fallback as boolean);
        break;
      case "int32s":
        out[name] = table.int32s(id, name, maxRank, "maxRank") ?? [];
        break;
      default:
        throw new LceError("MALFORMED", `unknown field kind ${kind as string}`);
    }
  }
  return Object.freeze(out);
}
