import type { MulNode } from "@onebit/format";
import { channelwiseLowering } from "./channelwise.js";

export const lowerMul = channelwiseLowering<MulNode>("mul", ["scale"]);
