import type { GraphNodeV2, OpNameV2 } from "@onebit/format";
import { lowerAdd } from "./add.js";
import { lowerArgmax } from "./argmax.js";
import { lowerAvgPool2d } from "./avg-pool2d.js";
import { lowerBatchNorm } from "./batch-norm.js";
import { lowerBConv2d } from "./bconv2d.js";
import { lowerBDense } from "./bdense.js";
import { lowerBitPlaneConv2d } from "./bit-plane-conv2d.js";
import { lowerBitPlaneDense } from "./bit-plane-dense.js";
import { lowerConcat } from "./concat.js";
import { lowerConv2d } from "./conv2d.js";
import { lowerDense } from "./dense.js";
import { lowerDepthwiseConv2d } from "./depthwise-conv2d.js";
import { lowerDequantize } from "./dequantize.js";
import { lowerFlatten } from "./flatten.js";
import { lowerGlobalAvgPool } from "./global-avg-pool.js";
import type { LowerOp } from "./lower-op.js";
import { lowerMaxPool2d } from "./max-pool2d.js";
import { lowerMul } from "./mul.js";
import { lowerPad } from "./pad.js";
import { lowerPrelu } from "./prelu.js";
import { lowerQuantize } from "./quantize.js";
import { lowerRelu } from "./relu.js";
import { lowerReshape } from "./reshape.js";
import { lowerRprelu } from "./rprelu.js";
import { lowerSign } from "./sign.js";
import { lowerSoftmax } from "./softmax.js";

/** How each op of a version 2 graph is lowered (one module per op): adding an op adds a line here. */
export const LOWERINGS: { readonly [K in OpNameV2]: LowerOp<Extract<GraphNodeV2, { op: K }>> } = {
  bconv2d: lowerBConv2d,
  bdense: lowerBDense,
  bitPlaneConv2d: lowerBitPlaneConv2d,
  bitPlaneDense: lowerBitPlaneDense,
  conv2d: lowerConv2d,
  depthwiseConv2d: lowerDepthwiseConv2d,
  dense: lowerDense,
  add: lowerAdd,
  concat: lowerConcat,
  mul: lowerMul,
  batchNorm: lowerBatchNorm,
  relu: lowerRelu,
  prelu: lowerPrelu,
  rprelu: lowerRprelu,
  sign: lowerSign,
  quantize: lowerQuantize,
  dequantize: lowerDequantize,
  maxPool2d: lowerMaxPool2d,
  avgPool2d: lowerAvgPool2d,
  globalAvgPool: lowerGlobalAvgPool,
  pad: lowerPad,
  reshape: lowerReshape,
  flatten: lowerFlatten,
  softmax: lowerSoftmax,
  argmax: lowerArgmax,
};
