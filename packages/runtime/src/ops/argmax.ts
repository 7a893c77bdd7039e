import type { ArgmaxNodeV2 } from "@onebit/format";
import { unsupported } from "../lowering.js";
import type { LowerOp } from "./lower-op.js";

/** argmax ends a graph: a run computes it from the scores it returns (see `RunResult.predictions`). */
export const lowerArgmax: LowerOp<ArgmaxNodeV2> = (_L, node) =>
  unsupported(node, "argmax is only supported at the end of the graph's first output");
