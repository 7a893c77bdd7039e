import type { BitTensor, MaxPool2dNodeV2 } from "@onebit/format";
import { NS_PER_ELEMENT } from "../cost-model.js";
import { bitsImage, geometry } from "../lowering.js";
import type { LowerOp } from "./lower-op.js";

/**
 * Max pooling: float32 values, or packed bits (OR; `minMask` channels are flipped before and after,
 * since min over ±1 is −max of the negation). Square strides over bits run the bitops kernel.
 */
export const lowerMaxPool2d: LowerOp<MaxPool2dNodeV2> = (L, node, [x], [inInfo], outInfo) => {
  const xv = L.value(x!);
  const [h, w, c] = inInfo!.shape as [number, number, number];
  const [outH, outW] = outInfo.shape as [number, number, number];
  const g = geometry(h, w, node.kernel, node.stride, node.padding);
  // Windows are clipped to the input: a kernel larger than the image reads only the image.
  const window = Math.min(node.kernel[0], h) * Math.min(node.kernel[1], w);
  // Any strides, float32 values or packed words (`depth` = channels or words per pixel).
  const genericPool = (
    kind: "float32" | "bits",
    input: number,
    depth: number,
    costPerRow: number,
    out: number,
  ) =>
    L.step((a) => ({
      op: "genericPool",
      node: node.name,
      rowsPerSample: outH * outW,
      costPerRow,
      kind,
      input: a.value(input),
      height: h,
      width: w,
      depth,
      poolH: node.kernel[0],
      poolW: node.kernel[1],
      strideH: node.stride[0],
      strideW: node.stride[1],
      padTop: g.padTop,
      padLeft: g.padLeft,
      outH,
      outW,
      out: a.value(out),
    }));
  if (xv.kind === "float32") {
    const out = L.addValue({ kind: "float32", sampleBytes: 4 * outH * outW * c, elements: outH * outW * c });
    genericPool("float32", x!, c, c * window * NS_PER_ELEMENT, out);
    return out;
  }
  const wpp = Math.ceil(c / 32);
  const layout = bitsImage(outH, outW, c);
  const mask =
    node.minMask === undefined
      ? -1
      : L.addWeight(L.tensor<BitTensor>(node.minMask).data.slice(0, Math.max(wpp, 4)));
  let src = x!;
  if (mask >= 0 && !L.exclusive(x!)) {
    // Flip into a copy when other nodes read the input too.
    src = L.addValue({ kind: xv.kind, sampleBytes: xv.sampleBytes, elements: xv.elements, bits: xv.bits! });
    const from = x!;
    const to = src;
    L.step((a) => ({
      op: "copyWords",
      node: node.name,
      rowsPerSample: 1,
      costPerRow: xv.bits!.sampleWords * NS_PER_ELEMENT,
      src: a.value(from),
      srcStride: xv.bits!.sampleWords,
      dst: a.value(to),
      dstStride: xv.bits!.sampleWords,
      words: xv.bits!.sampleWords,
    }));
  }
  if (mask >= 0) {
    const flipped = src;
    L.step((a) => ({
      op: "xorMask",
      node: node.name,
      rowsPerSample: h * w,
      costPerRow: wpp * NS_PER_ELEMENT,
      ptr: a.value(flipped),
      wpp,
      mask: a.weight(mask),
    }));
  }
  const out = L.addValue({
    kind: "bits",
    sampleBytes: 4 * layout.sampleWords,
    elements: outH * outW * c,
    bits: layout,
  });
  const costPerRow = wpp * window * NS_PER_ELEMENT;
  const input = src;
  if (node.stride[0] === node.stride[1]) {
    L.step((a) => ({
      op: "pool",
      node: node.name,
      rowsPerSample: outH * outW,
      costPerRow,
      args: {
        input: a.value(input),
        height: h,
        width: w,
        wordsPerPixel: wpp,
        poolH: node.kernel[0],
        poolW: node.kernel[1],
        stride: node.stride[0],
        padTop: g.padTop,
        padLeft: g.padLeft,
        outH,
        outW,
        out: a.value(out),
      },
    }));
  } else genericPool("bits", input, wpp, costPerRow, out);
  if (mask >= 0) {
    L.step((a) => ({
      op: "xorMask",
      node: node.name,
      rowsPerSample: outH * outW,
      costPerRow: wpp * NS_PER_ELEMENT,
      ptr: a.value(out),
      wpp,
      mask: a.weight(mask),
    }));
  }
  return out;
};
