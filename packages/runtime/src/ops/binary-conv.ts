import { type ConvArgs, prepackConvWeights, prepackWeights } from "@onebit/bitops";
import type { BinaryOutput, BitTensor, Pair, Padding, ValueInfoV2 } from "@onebit/format";
import { CONV_OVERHEAD, NS_PER_BINARY_MAC, NS_PER_PLANE_MAC } from "../cost-model.js";
import { type Lowering, denseConvRows, gemmArgsAt, geometry, groupedRows, slots } from "../lowering.js";
import { requireGraphSupport } from "../graph-loader.js";
import { planeWeights } from "../plane-weights.js";

/** Target bytes of one im2col scratch chunk (stays in L2). */
const SCRATCH_CHUNK_BYTES = 64 * 1024;

interface BinaryConv {
  readonly name: string;
  readonly weights: string;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Padding;
  readonly output: BinaryOutput;
}

/**
 * A binary (bits) or bit-plane (bytes) convolution through the bitops kernels: square strides run
 * the fused conv kernel, others an im2col into per-thread scratch chunks and a GEMM. 'same' pads
 * with +1 bits (binary) or the raw byte `padValue` (bit-plane).
 */
export function lowerKernelConv(
  L: Lowering,
  node: BinaryConv,
  bitPlane: boolean,
  padValue: number,
  x: number,
  inInfo: ValueInfoV2,
  outInfo: ValueInfoV2,
): number {
  const [h, w, c] = inInfo.shape as [number, number, number];
  const [outH, outW, n] = outInfo.shape as [number, number, number];
  const [kh, kw] = node.kernel;
  const g = geometry(h, w, node.kernel, node.stride, node.padding);
  const wpp = Math.ceil(c / 32);
  const t = L.tensor<BitTensor>(node.weights);
  const rows = bitPlane ? new Uint32Array(0) : groupedRows(t, n, kh * kw, wpp);
  // Bit-plane convolutions pack each output's K = kh·kw·C weights densely (their first layers
  // often have 1–3 channels: a word per tap would multiply the work); binary ones per tap.
  const packed = bitPlane
    ? planeWeights(prepackWeights(denseConvRows(t, n, kh * kw, c)), kh * kw * c)
    : prepackConvWeights({
        outChannels: n,
        kernelH: kh,
        kernelW: kw,
        inChannels: c,
        wordsPerPixel: wpp,
        data: rows,
      });
  const kWords = "kWords" in packed ? packed.kWords : packed.wordsPerRow;
  const rowBytes = 4 * kWords * (bitPlane ? 8 : 1);
  const scratchRows = Math.max(1, Math.min(outH * outW, Math.floor(SCRATCH_CHUNK_BYTES / rowBytes)));
  const scratch = L.addScratch(scratchRows * rowBytes);
  const wt = L.addWeight(packed.data);
  const o = L.integerOutput(node.output, n, outH * outW, { h: outH, w: outW });
  const k = kh * kw * c;
  const macs = n * kWords * 32;
  const costPerRow = bitPlane
    ? (macs * 8 * NS_PER_PLANE_MAC + kh * kw * c) * CONV_OVERHEAD
    : (macs * NS_PER_BINARY_MAC + kWords) * CONV_OVERHEAD;
  if (!bitPlane && node.stride[0] === node.stride[1]) {
    const lastWordMask = c % 32 === 0 ? 0xffffffff : (1 << (c % 32)) - 1;
    L.step((a) => ({
      op: "conv",
      node: node.name,
      rowsPerSample: outH * outW,
      costPerRow,
      slots: slots(a, scratch).map(
        (ptr): ConvArgs => ({
          input: a.value(x),
          height: h,
          width: w,
          wordsPerPixel: wpp,
          lastWordMask,
          kernelH: kh,
          kernelW: kw,
          stride: node.stride[0],
          padTop: g.padTop,
          padLeft: g.padLeft,
          outH,
          outW,
          gemm: gemmArgsAt(a, o, ptr, rowBytes, wt, n, k, kWords),
          scratchRows,
        }),
      ),
    }));
    return o.value;
  }
  L.step((a) => ({
    op: "im2colConv",
    node: node.name,
    rowsPerSample: outH * outW,
    costPerRow,
    source: bitPlane ? "uint8" : "bits",
    input: a.value(x),
    height: h,
    width: w,
    channels: c,
    wpp: bitPlane ? 1 : wpp,
    kernelH: kh,
    kernelW: kw,
    strideH: node.stride[0],
    strideW: node.stride[1],
    padTop: g.padTop,
    padLeft: g.padLeft,
    outH,
    outW,
    padValue: bitPlane ? padValue : 0,
    tapWords: wpp,
    scratchRows,
    slots: slots(a, scratch).map((ptr) => gemmArgsAt(a, o, ptr, rowBytes, wt, n, k, kWords)),
  }));
  return o.value;
}

/**
 * `value` with the clamp of a binary op's float output (a fused ReLU in LCE models, never in version
 * 1 chains) as a step after the GEMM — the graph code's.
 */
export function clampedOutput(
  L: Lowering,
  node: { readonly name: string; readonly output: BinaryOutput },
  value: number,
  outInfo: ValueInfoV2,
): number {
  const o = node.output;
  if (o.kind !== "float32" || !o.clamp) return value;
  return requireGraphSupport(node.name).lowerClamp(L, node, value, outInfo);
}
