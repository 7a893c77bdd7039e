import { lowerAdd } from "./add.js";
import { lowerAvgPool2d } from "./avg-pool2d.js";
import { lowerBatchNorm } from "./batch-norm.js";
import { lowerConcat } from "./concat.js";
import { lowerDepthwiseConv2d } from "./depthwise-conv2d.js";
import { lowerDequantize } from "./dequantize.js";
import { lowerGlobalAvgPool } from "./global-avg-pool.js";
import { lowerMul } from "./mul.js";
import { lowerPad } from "./pad.js";
import { lowerPrelu } from "./prelu.js";
import { lowerQuantize } from "./quantize.js";
import { lowerRelu } from "./relu.js";
import { lowerReshape } from "./reshape.js";
import { lowerRprelu } from "./rprelu.js";
import { lowerSign } from "./sign.js";
import type { GraphOnlyOp, LoweringTable } from "./table.js";

/**
 * How each op that only version 2 graphs use is lowered (one module per op; part of the graph code
 * that browser builds load on demand, see graph-support.ts). Adding an op adds a line here or in
 * table.ts.
 */
export const GRAPH_LOWERINGS: Pick<LoweringTable, GraphOnlyOp> = {
  depthwiseConv2d: lowerDepthwiseConv2d,
  add: lowerAdd,
  concat: lowerConcat,
  mul: lowerMul,
  batchNorm: lowerBatchNorm,
  relu: lowerRelu,
  prelu: lowerPrelu,
  rprelu: lowerRprelu,
  // A version 1 chain's signs follow float layers, which compare in their epilogue (compile.ts).
  sign: lowerSign,
  quantize: lowerQuantize,
  dequantize: lowerDequantize,
  avgPool2d: lowerAvgPool2d,
  globalAvgPool: lowerGlobalAvgPool,
  pad: lowerPad,
  reshape: lowerReshape,
};
