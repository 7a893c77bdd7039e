import type { PReluNode } from "@onebit/format";
import { channelwiseLowering } from "./channelwise.js";

export const lowerPrelu = channelwiseLowering<PReluNode>("prelu", ["alpha"]);
