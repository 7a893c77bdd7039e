import type { SignNode, Tensor, ValueInfoV2 } from "@onebit/format";
import { NS_PER_ELEMENT } from "../cost-model.js";
import { type Lowering, bitsImage, bitsVector } from "../lowering.js";
import type { LowerOp } from "./lower-op.js";

/** Float32 → packed bits through per-channel thresholds (none: 0) and flips. */
export function lowerSignOf(
  L: Lowering,
  name: string,
  x: number,
  outInfo: ValueInfoV2,
  thresholds: string | undefined,
  flip: string | undefined,
): number {
  const shape = outInfo.shape;
  const channels = shape[shape.length - 1]!;
  const layout = shape.length === 3 ? bitsImage(shape[0]!, shape[1]!, channels) : bitsVector(channels);
  const t = thresholds === undefined ? -1 : L.addWeight(L.tensor<Tensor>(thresholds).data);
  const f = flip === undefined ? -1 : L.addWeight(L.tensor<Tensor>(flip).data);
  const elements = shape.reduce((p, d) => p * d, 1);
  const out = L.addValue({ kind: "bits", sampleBytes: 4 * layout.sampleWords, elements, bits: layout });
  L.step((a) => ({
    op: "sign",
    node: name,
    rowsPerSample: 1,
    costPerRow: elements * NS_PER_ELEMENT,
    src: a.value(x),
    dst: a.value(out),
    channels,
    thresholds: t < 0 ? 0 : a.weight(t),
    flip: f < 0 ? 0 : a.weight(f),
    layout,
  }));
  return out;
}

export const lowerSign: LowerOp<SignNode> = (L, node, [x], _inInfo, outInfo) =>
  lowerSignOf(L, node.name, x!, outInfo, node.thresholds, node.flip);
