import { prepackWeights } from "@onebit/bitops";
import type { BitPlaneDenseNode, BitTensor } from "@onebit/format";
import { NS_PER_ELEMENT, NS_PER_PLANE_MAC } from "../cost-model.js";
import { bitMatrix, gemmArgs } from "../lowering.js";
import { planeWeights } from "../plane-weights.js";
import type { LowerOp } from "./lower-op.js";

/** Exact 8-bit × ±1 dense layer: bytes encoded into bit planes, then the bit-plane GEMM. */
export const lowerBitPlaneDense: LowerOp<BitPlaneDenseNode> = (L, node, [x], [inInfo], outInfo) => {
  const k = inInfo!.shape[0]!;
  const n = outInfo.shape[0]!;
  const packed = planeWeights(prepackWeights(bitMatrix(L.tensor<BitTensor>(node.weights))), k);
  const kWords = packed.kWords;
  const planes = L.addValue({ kind: "planes", sampleBytes: 32 * kWords, elements: k });
  L.step((a) => ({
    op: "encodePlanes",
    node: node.name,
    rowsPerSample: 1,
    costPerRow: k * NS_PER_ELEMENT * 4,
    src: a.value(x!),
    elements: k,
    dst: a.value(planes),
    kWords,
  }));
  const w = L.addWeight(packed.data);
  const o = L.integerOutput(node.output, n, 1, undefined);
  const columns = L.columnSlices(n, o.mode);
  L.step((a) => {
    const args = gemmArgs(a, o, planes, 32 * kWords, w, n, k, kWords);
    return {
      op: "gemm",
      node: node.name,
      rowsPerSample: 1,
      costPerRow: n * kWords * 32 * 8 * NS_PER_PLANE_MAC,
      bitPlane: true,
      args,
      ...(columns ? { columns: columns(a, args) } : {}),
    };
  });
  return o.value;
};
