import type { FlattenNodeV2 } from "@onebit/format";
import type { LowerOp } from "./lower-op.js";

/** Flattening moves nothing: the value is its input's bytes under a new shape. */
export const lowerFlatten: LowerOp<FlattenNodeV2> = (L, _node, [x]) => {
  const xv = L.value(x!);
  return L.addValue({ ...xv, aliasOf: xv.aliasOf ?? x! });
};
