import type { ConcatNode } from "@onebit/format";
import { NS_PER_ELEMENT } from "../cost-model.js";
import { bitsImage, bitsVector } from "../lowering.js";
import type { LowerOp } from "./lower-op.js";

/** Concatenation along channels, of float32 values or of packed bits (re-packed per pixel). */
export const lowerConcat: LowerOp<ConcatNode> = (L, node, inputs, inInfo, outInfo) => {
  const channels = outInfo.shape[outInfo.shape.length - 1]!;
  const positions = outInfo.shape.reduce((p, d) => p * d, 1) / channels;
  const kind = outInfo.kind === "bits" ? "bits" : "float32";
  const layout =
    kind === "bits"
      ? outInfo.shape.length === 3
        ? bitsImage(outInfo.shape[0]!, outInfo.shape[1]!, channels)
        : bitsVector(channels)
      : undefined;
  const out = L.addValue(
    layout
      ? { kind: "bits", sampleBytes: 4 * layout.sampleWords, elements: positions * channels, bits: layout }
      : { kind: "float32", sampleBytes: 4 * positions * channels, elements: positions * channels },
  );
  L.step((a) => ({
    op: "concat",
    node: node.name,
    rowsPerSample: 1,
    costPerRow: positions * channels * NS_PER_ELEMENT * (kind === "bits" ? 4 : 1),
    kind,
    sources: inputs.map((id, i) => {
      const v = L.value(id);
      const c = inInfo[i]!.shape[inInfo[i]!.shape.length - 1]!;
      return v.bits ? { ptr: a.value(id), channels: c, layout: v.bits } : { ptr: a.value(id), channels: c };
    }),
    positions,
    dst: a.value(out),
    channels,
    ...(layout ? { layout } : {}),
  }));
  return out;
};
