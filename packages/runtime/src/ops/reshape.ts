import type { ReshapeNode } from "@onebit/format";
import { unsupported } from "../lowering.js";
import type { LowerOp } from "./lower-op.js";

/** A reshape moves nothing (row-major bytes); packed bits keep per-pixel words, so only a flattening. */
export const lowerReshape: LowerOp<ReshapeNode> = (L, node, [x], _inInfo, outInfo) => {
  const xv = L.value(x!);
  if (xv.kind === "bits" && outInfo.shape.length !== 1)
    unsupported(node, "reshaping packed bits to an image is not supported yet (flatten is)");
  return L.addValue({ ...xv, aliasOf: xv.aliasOf ?? x! });
};
