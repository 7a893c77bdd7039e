import type { ReluNode } from "@onebit/format";
import { channelwiseLowering } from "./channelwise.js";

export const lowerRelu = channelwiseLowering<ReluNode>("relu", []);
