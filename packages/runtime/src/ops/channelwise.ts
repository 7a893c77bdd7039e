import type { Tensor, ValueInfoV2 } from "@onebit/format";
import { NS_PER_ELEMENT } from "../cost-model.js";
import type { Lowering } from "../lowering.js";
import type { ChannelwiseStep } from "../plan.js";
import type { LowerOp } from "./lower-op.js";

/** Lowering of an elementwise float op with per-channel parameter tensors (`keys` of the node). */
export function channelwiseLowering<N extends { readonly name: string; readonly epsilon?: number }>(
  fn: ChannelwiseStep["fn"],
  keys: readonly (keyof N & string)[],
): LowerOp<N & Parameters<LowerOp>[1]> {
  return (L: Lowering, node, [x], [inInfo]: readonly ValueInfoV2[]) => {
    const elements = inInfo!.shape.reduce((p, d) => p * d, 1);
    const channels = inInfo!.shape[inInfo!.shape.length - 1]!;
    const params = keys.map((k) => L.addWeight(L.tensor<Tensor>(node[k] as string).data));
    const out = L.addValue({ kind: "float32", sampleBytes: 4 * elements, elements });
    L.step((a) => ({
      op: "channelwise",
      fn,
      node: node.name,
      rowsPerSample: 1,
      costPerRow: elements * NS_PER_ELEMENT * 2,
      src: a.value(x!),
      dst: a.value(out),
      elements,
      channels,
      p: params.map((id) => a.weight(id)),
      epsilon: node.epsilon ?? 0,
      lo: 0,
      hi: 0,
    }));
    return out;
  };
}
