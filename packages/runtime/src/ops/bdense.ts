import type { BDenseNode, BitTensor } from "@onebit/format";
import { NS_PER_BINARY_MAC, NS_PER_ELEMENT } from "../cost-model.js";
import { denseWeights, gemmArgs } from "../lowering.js";
import type { LowerOp } from "./lower-op.js";

/** Binary dense layer: XNOR-popcount GEMM over the packed input (a flattened image keeps its per-pixel words). */
export const lowerBDense: LowerOp<BDenseNode> = (L, node, [x], [inInfo], outInfo) => {
  const xv = L.value(x!);
  const k = inInfo!.shape[0]!;
  const n = outInfo.shape[0]!;
  const layout = xv.bits!;
  const packed = denseWeights(L.tensor<BitTensor>(node.weights), layout);
  const kWords = packed.wordsPerRow;
  let a0 = x!;
  if (layout.sampleWords !== kWords) {
    // Re-stride rows to the kernels' word multiple (a flattened image of an odd word count).
    const words = layout.pixels * layout.wpp;
    a0 = L.addValue({
      kind: "bits",
      sampleBytes: 4 * kWords,
      elements: xv.elements,
      bits: { ...layout, sampleWords: kWords },
    });
    const dst = a0;
    L.step((a) => ({
      op: "copyWords",
      node: node.name,
      rowsPerSample: 1,
      costPerRow: kWords * NS_PER_ELEMENT,
      src: a.value(x!),
      srcStride: layout.sampleWords,
      dst: a.value(dst),
      dstStride: kWords,
      words,
    }));
  }
  const w = L.addWeight(packed.data);
  const o = L.integerOutput(node.output, n, 1, undefined);
  const src = a0;
  const columns = L.columnSlices(n, o.mode);
  L.step((a) => {
    const args = gemmArgs(a, o, src, 4 * kWords, w, n, k, kWords);
    return {
      op: "gemm",
      node: node.name,
      rowsPerSample: 1,
      costPerRow: n * kWords * 32 * NS_PER_BINARY_MAC,
      bitPlane: false,
      args,
      ...(columns ? { columns: columns(a, args) } : {}),
    };
  });
  return o.value;
};
