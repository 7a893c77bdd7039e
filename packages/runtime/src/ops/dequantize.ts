import type { DequantizeNode } from "@onebit/format";
import type { LowerOp } from "./lower-op.js";

/** Bits → ±1 floats (the conversion float ops use for bits inputs). */
export const lowerDequantize: LowerOp<DequantizeNode> = (L, _node, [x]) => L.asFloat(x!);
