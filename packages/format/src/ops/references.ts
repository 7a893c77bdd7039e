import { addReference } from "./add.js";
import { argmaxReference } from "./argmax.js";
import { avgPool2dReference } from "./avg-pool2d.js";
import { batchNormReference } from "./batch-norm.js";
import { bconv2dReference } from "./bconv2d.js";
import { bdenseReference } from "./bdense.js";
import { bitPlaneConv2dReference } from "./bit-plane-conv2d.js";
import { bitPlaneDenseReference } from "./bit-plane-dense.js";
import { concatReference } from "./concat.js";
import { conv2dReference } from "./conv2d.js";
import { denseReference } from "./dense.js";
import { depthwiseConv2dReference } from "./depthwise-conv2d.js";
import { dequantizeReference } from "./dequantize.js";
import { flattenReference } from "./flatten.js";
import { globalAvgPoolReference } from "./global-avg-pool.js";
import { maxPool2dReference } from "./max-pool2d.js";
import { mulReference } from "./mul.js";
import type { OpReference } from "./op.js";
import { padReference } from "./pad.js";
import { preluReference } from "./prelu.js";
import { quantizeReference } from "./quantize.js";
import { reluReference } from "./relu.js";
import { reshapeReference } from "./reshape.js";
import { rpreluReference } from "./rprelu.js";
import { signReference } from "./sign.js";
import { softmaxReference } from "./softmax.js";
import type { GraphNodeV2, OpNameV2 } from "./table.js";

/** Every op's reference implementation (the executable spec), from its module: adding an op adds a line here. */
export const REFERENCES: { readonly [K in OpNameV2]: OpReference<Extract<GraphNodeV2, { op: K }>> } = {
  bconv2d: bconv2dReference,
  bdense: bdenseReference,
  bitPlaneConv2d: bitPlaneConv2dReference,
  bitPlaneDense: bitPlaneDenseReference,
  conv2d: conv2dReference,
  depthwiseConv2d: depthwiseConv2dReference,
  dense: denseReference,
  add: addReference,
  concat: concatReference,
  mul: mulReference,
  batchNorm: batchNormReference,
  relu: reluReference,
  prelu: preluReference,
  rprelu: rpreluReference,
  sign: signReference,
  quantize: quantizeReference,
  dequantize: dequantizeReference,
  maxPool2d: maxPool2dReference,
  avgPool2d: avgPool2dReference,
  globalAvgPool: globalAvgPoolReference,
  pad: padReference,
  reshape: reshapeReference,
  flatten: flattenReference,
  softmax: softmaxReference,
  argmax: argmaxReference,
};
