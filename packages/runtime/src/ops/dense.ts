import type { DenseNode, Tensor } from "@onebit/format";
import { NS_PER_FLOAT_MAC } from "../cost-model.js";
import type { LowerOp } from "./lower-op.js";

/** Float dense layer (bits and bytes converted to floats first); threads split it by columns. */
export const lowerDense: LowerOp<DenseNode> = (L, node, [x], [inInfo], outInfo) => {
  const xf = L.asFloat(x!);
  const k = inInfo!.shape[0]!;
  const n = outInfo.shape[0]!;
  const w = L.addWeight(L.tensor<Tensor>(node.weights).data);
  const bias = node.bias === undefined ? -1 : L.addWeight(L.tensor<Tensor>(node.bias).data);
  const { value, epilogue } = L.floatOutput(n, 1, 0, 0);
  const columns = L.columnBounds(n);
  L.step((a) => ({
    op: "denseFloat",
    ...(columns ? { columns } : {}),
    node: node.name,
    rowsPerSample: 1,
    costPerRow: n * k * NS_PER_FLOAT_MAC,
    x: a.value(xf),
    k,
    n,
    w: a.weight(w),
    bias: bias < 0 ? 0 : a.weight(bias),
    out: a.value(value),
    epilogue: epilogue(a),
  }));
  return value;
};
