import type { RPReluNode } from "@onebit/format";
import { channelwiseLowering } from "./channelwise.js";

export const lowerRprelu = channelwiseLowering<RPReluNode>("rprelu", ["shiftIn", "alpha", "shiftOut"]);
