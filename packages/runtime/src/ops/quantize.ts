import type { QuantizeNode } from "@onebit/format";
import type { LowerOp } from "./lower-op.js";
import { lowerSignOf } from "./sign.js";

export const lowerQuantize: LowerOp<QuantizeNode> = (L, node, [x], _inInfo, outInfo) =>
  lowerSignOf(L, node.name, x!, outInfo, undefined, undefined);
