import { add, mul, prelu, relu } from "./elementwise.js";
import { conv2d, depthwiseConv2d, fullyConnected } from "./float-ops.js";
import { lceBconv2d, lceBMaxPool2d, lceDequantize, lceQuantize } from "./lce-ops.js";
import { averagePool2d, maxPool2d, mean } from "./pooling.js";
import type { OpImporter } from "./registry.js";
import { concatenation, pad, reshape, softmax } from "./shape-ops.js";

/** Every operator the importer implements, by TFLite builtin name or LCE custom code. */
export const OP_IMPORTERS: Readonly<Record<string, OpImporter>> = {
  ADD: add,
  AVERAGE_POOL_2D: averagePool2d,
  CONCATENATION: concatenation,
  CONV_2D: conv2d,
  DEPTHWISE_CONV_2D: depthwiseConv2d,
  FULLY_CONNECTED: fullyConnected,
  MAX_POOL_2D: maxPool2d,
  MEAN: mean,
  MUL: mul,
  PAD: pad,
  PRELU: prelu,
  RELU: relu,
  RESHAPE: reshape,
  SOFTMAX: softmax,
  LceQuantize: lceQuantize,
  LceDequantize: lceDequantize,
  LceBconv2d: lceBconv2d,
  LceBMaxPool2d: lceBMaxPool2d,
};
