import type { SoftmaxNodeV2 } from "@onebit/format";
import { NS_PER_ELEMENT } from "../cost-model.js";
import type { LowerOp } from "./lower-op.js";

export const lowerSoftmax: LowerOp<SoftmaxNodeV2> = (L, node, [x], [inInfo]) => {
  const n = inInfo!.shape[0]!;
  const out = L.addValue({ kind: "float32", sampleBytes: 4 * n, elements: n });
  L.step((a) => ({
    op: "softmax",
    node: node.name,
    rowsPerSample: 1,
    costPerRow: n * 20 * NS_PER_ELEMENT,
    src: a.value(x!),
    dst: a.value(out),
    n,
  }));
  return out;
};
