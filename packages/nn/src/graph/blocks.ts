import { NnError, assertPositiveInteger } from "../errors.js";
import { Add } from "../layers/add.js";
import { BatchNorm } from "../layers/batch-norm.js";
import { RPReLU, RSign } from "../layers/channelwise.js";
import { Concat } from "../layers/concat.js";
import { Conv2d } from "../layers/conv2d.js";
import { AvgPool2d } from "../layers/pooling.js";
import type { SymbolicTensor } from "./symbolic.js";

export interface BlockOptions {
  /** Channels of the block's input (graph values carry no shape before the model is built). */
  inChannels: number;
  /** Channels of its output. Bi-Real: any; ReActNet: `inChannels` or `2·inChannels`. */
  outChannels: number;
  /** 1 (default) or 2 (downsampling). */
  strides?: 1 | 2;
}

function check(o: BlockOptions, what: string): 1 | 2 {
  assertPositiveInteger(o?.inChannels, `${what} inChannels`);
  assertPositiveInteger(o.outChannels, `${what} outChannels`);
  const s = o.strides ?? 1;
  if (s !== 1 && s !== 2)
    throw new NnError("INVALID_ARGUMENT", `${what} strides must be 1 or 2, got ${String(s)}`);
  return s;
}

const binary3x3 = (filters: number, strides: number) =>
  new Conv2d("binaryConv2d", filters, 3, { padding: "same", strides });

/** The real-valued shortcut: the input, or 2×2 average pooling then a 1×1 convolution + BatchNorm when the shape changes. */
function shortcut(x: SymbolicTensor, o: BlockOptions, strides: number): SymbolicTensor {
  if (strides === 1 && o.inChannels === o.outChannels) return x;
  const pooled = strides === 2 ? new AvgPool2d({ poolSize: 2 }).apply(x) : x;
  return new BatchNorm().apply(new Conv2d("conv2d", o.outChannels, 1, { useBias: false }).apply(pooled));
}

/**
 * A Bi-Real Net block (Liu et al. 2018): sign → binary 3×3 convolution (one-padding) → BatchNorm,
 * plus the real-valued input as a shortcut; when downsampling or changing width the shortcut is
 * 2×2 average pooling and a 1×1 real convolution + BatchNorm. The sign is the convolution's input
 * quantizer, so the real input stays available for the shortcut.
 */
export function biRealBlock(x: SymbolicTensor, options: BlockOptions): SymbolicTensor {
  const strides = check(options, "biRealBlock");
  const conv = new Conv2d("binaryConv2d", options.outChannels, 3, {
    padding: "same",
    strides,
    inputQuantizer: "steSign",
  });
  const y = new BatchNorm().apply(conv.apply(x));
  return new Add().apply(shortcut(x, options, strides), y);
}

/**
 * A ReActNet block (Liu et al. 2020, the MobileNet-based ReActNet-A): RSign → binary 3×3 convolution
 * → BatchNorm, plus the (average-pooled when downsampling) input, → RPReLU; then RSign → binary 1×1
 * convolution → BatchNorm plus that value → RPReLU. Doubling the width duplicates the 1×1 part and
 * concatenates the two halves, as the paper does.
 */
export function reactNetBlock(x: SymbolicTensor, options: BlockOptions): SymbolicTensor {
  const strides = check(options, "reactNetBlock");
  const { inChannels: c, outChannels } = options;
  if (outChannels !== c && outChannels !== 2 * c) {
    throw new NnError(
      "INVALID_ARGUMENT",
      `reactNetBlock outChannels must be inChannels (${c}) or twice it, got ${outChannels}`,
    );
  }
  const spatial = new BatchNorm().apply(binary3x3(c, strides).apply(new RSign().apply(x)));
  const pooled = strides === 2 ? new AvgPool2d({ poolSize: 2 }).apply(x) : x;
  const h = new RPReLU().apply(new Add().apply(spatial, pooled));
  const pointwise = () => {
    const t = new BatchNorm().apply(new Conv2d("binaryConv2d", c, 1).apply(new RSign().apply(h)));
    return new RPReLU().apply(new Add().apply(t, h));
  };
  return outChannels === c ? pointwise() : new Concat().apply(pointwise(), pointwise());
}
