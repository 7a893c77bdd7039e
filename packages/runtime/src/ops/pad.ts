import type { PadNode } from "@onebit/format";
import { NS_PER_ELEMENT } from "../cost-model.js";
import { bitsImage } from "../lowering.js";
import type { LowerOp } from "./lower-op.js";

/** Explicit spatial padding of float32 values or packed bits (+1 fills a pixel's valid bits with ones). */
export const lowerPad: LowerOp<PadNode> = (L, node, [x], [inInfo], outInfo) => {
  const [h, w, c] = inInfo!.shape as [number, number, number];
  const [H, W] = outInfo.shape as [number, number, number];
  const [top, bottom, left, right] = node.pads;
  const bits = inInfo!.kind === "bits";
  const layout = bits ? bitsImage(H, W, c) : undefined;
  const wpp = Math.ceil(c / 32);
  const out = L.addValue(
    layout
      ? { kind: "bits", sampleBytes: 4 * layout.sampleWords, elements: H * W * c, bits: layout }
      : { kind: "float32", sampleBytes: 4 * H * W * c, elements: H * W * c },
  );
  const one = (node.value ?? 1) === 1;
  const fillWords = bits
    ? Array.from({ length: wpp }, (_, k) => {
        if (!one) return 0;
        const valid = Math.min(32, c - 32 * k);
        return valid === 32 ? 0xffffffff : (1 << valid) - 1;
      })
    : undefined;
  L.step((a) => ({
    op: "pad",
    node: node.name,
    rowsPerSample: 1,
    costPerRow: H * W * (bits ? wpp : c) * NS_PER_ELEMENT,
    kind: bits ? "bits" : "float32",
    src: a.value(x!),
    dst: a.value(out),
    height: h,
    width: w,
    depth: bits ? wpp : c,
    top,
    bottom,
    left,
    right,
    value: bits ? 0 : (node.value ?? 0),
    ...(fillWords ? { fillWords } : {}),
  }));
  return out;
};
