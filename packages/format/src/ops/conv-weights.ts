import type { DType } from "../tensor.js";
import type { Pair } from "../graph.js";
import { fail } from "../json-check.js";
import type { RequireTensor } from "./op.js";

/** The fields of a conv node that fix its weights' shape. */
export interface ConvWeightsNode {
  readonly weights: string;
  readonly kernel: Pair;
  readonly groups: number;
}

/**
 * Checks a convolution's weights, [outChannels, kh, kw, channels/groups] with outChannels a multiple
 * of groups, against `channels` input channels; returns outChannels and the channels per group.
 */
export function convWeights(
  node: ConvWeightsNode,
  channels: number,
  dtype: DType,
  tensor: RequireTensor,
  path: string,
): { units: number; cIn: number } {
  const { groups, kernel } = node;
  if (channels % groups !== 0)
    fail("BAD_GRAPH", `${path}.groups`, `${groups} groups do not divide ${channels} channels`);
  const cIn = channels / groups;
  const outChannels = groups === 1 ? "outChannels" : `outChannels (a multiple of ${groups})`;
  const [units] = tensor(node.weights, `${path}.weights`, dtype, (s) =>
    s.length === 4 &&
    s[0]! >= 1 &&
    s[0]! % groups === 0 &&
    s[1] === kernel[0] &&
    s[2] === kernel[1] &&
    s[3] === cIn
      ? undefined
      : `[${outChannels}, ${kernel[0]}, ${kernel[1]}, ${cIn}]`,
  ) as [number];
  return { units, cIn };
}
