import type { BatchNormNode } from "@onebit/format";
import { channelwiseLowering } from "./channelwise.js";

export const lowerBatchNorm = channelwiseLowering<BatchNormNode>("batchNorm", [
  "mean",
  "variance",
  "gamma",
  "beta",
]);
