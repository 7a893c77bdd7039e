import type { BinaryOutput, ValueInfoV2 } from "@onebit/format";
import { NS_PER_ELEMENT } from "../cost-model.js";
import type { Lowering } from "../lowering.js";

/** The clamp of a binary op's float output (a fused ReLU in LCE models), as a step after the GEMM. */
export function lowerClamp(
  L: Lowering,
  node: { readonly name: string; readonly output: BinaryOutput },
  value: number,
  outInfo: ValueInfoV2,
): number {
  const o = node.output;
  if (o.kind !== "float32" || !o.clamp) return value;
  const elements = outInfo.shape.reduce((p, d) => p * d, 1);
  const out = L.addValue({ kind: "float32", sampleBytes: 4 * elements, elements });
  const [lo, hi] = o.clamp;
  L.step((a) => ({
    op: "channelwise",
    fn: "clamp",
    node: node.name,
    rowsPerSample: 1,
    costPerRow: elements * NS_PER_ELEMENT,
    src: a.value(value),
    dst: a.value(out),
    elements,
    channels: outInfo.shape[outInfo.shape.length - 1]!,
    p: [],
    epsilon: 0,
    lo,
    hi,
  }));
  return out;
}
