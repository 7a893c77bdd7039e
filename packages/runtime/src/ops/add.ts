import type { AddNode } from "@onebit/format";
import { NS_PER_ELEMENT } from "../cost-model.js";
import type { LowerOp } from "./lower-op.js";

/** A residual shortcut: two float32 values added element by element. */
export const lowerAdd: LowerOp<AddNode> = (L, node, [x, y], _inInfo, outInfo) => {
  const elements = outInfo.shape.reduce((p, d) => p * d, 1);
  const out = L.addValue({ kind: "float32", sampleBytes: 4 * elements, elements });
  L.step((a) => ({
    op: "add",
    node: node.name,
    rowsPerSample: 1,
    costPerRow: elements * NS_PER_ELEMENT,
    a: a.value(x!),
    b: a.value(y!),
    dst: a.value(out),
    elements,
  }));
  return out;
};
