import { TensorError, assertDimension, assertLength, assertPositive } from "./errors.js";

/** NHWC depthwise convolution: one kh×kw filter per channel (depth multiplier 1), kernel [kh, kw, channels]. */
export interface DepthwiseConv2dParams {
  batch: number;
  inH: number;
  inW: number;
  channels: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  /** 'valid' or 'same' (TensorFlow's rule: output ⌈in/stride⌉, padding split with the extra row/column after). */
  padding: "valid" | "same";
  /** Value of padded positions (default 0). */
  padValue?: number;
}

interface Geometry {
  outH: number;
  outW: number;
  padTop: number;
  padLeft: number;
}

function geometry(p: DepthwiseConv2dParams, what: string): Geometry {
  assertDimension(p.batch, `${what} batch`);
  for (const key of ["inH", "inW", "channels", "kernelH", "kernelW", "strideH", "strideW"] as const) {
    assertPositive(p[key], `${what} ${key}`);
  }
  if (p.padding !== "valid" && p.padding !== "same") {
    throw new TensorError(
      "INVALID_ARGUMENT",
      `${what}: padding must be "valid" or "same", got ${String(p.padding)}`,
    );
  }
  if (p.padding === "valid") {
    if (p.inH < p.kernelH || p.inW < p.kernelW) {
      throw new TensorError(
        "SHAPE_MISMATCH",
        `${what}: a ${p.kernelH}×${p.kernelW} 'valid' kernel does not fit a ${p.inH}×${p.inW} input`,
      );
    }
    return {
      outH: Math.floor((p.inH - p.kernelH) / p.strideH) + 1,
      outW: Math.floor((p.inW - p.kernelW) / p.strideW) + 1,
      padTop: 0,
      padLeft: 0,
    };
  }
  const outH = Math.ceil(p.inH / p.strideH);
  const outW = Math.ceil(p.inW / p.strideW);
  const padH = Math.max(0, (outH - 1) * p.strideH + p.kernelH - p.inH);
  const padW = Math.max(0, (outW - 1) * p.strideW + p.kernelW - p.inW);
  return { outH, outW, padTop: Math.floor(padH / 2), padLeft: Math.floor(padW / 2) };
}

/** Output height and width of a depthwise convolution. */
export function depthwiseConv2dOutputSize(p: DepthwiseConv2dParams): [number, number] {
  const g = geometry(p, "depthwiseConv2d");
  return [g.outH, g.outW];
}

/** y[b, oy, ox, c] = Σ_{ky, kx} x[b, oy·sh + ky − pt, ox·sw + kx − pl, c] · w[ky, kx, c]. */
export function depthwiseConv2d(
  input: Float32Array,
  kernel: Float32Array,
  p: DepthwiseConv2dParams,
  out?: Float32Array,
): Float32Array {
  const { outH, outW, padTop, padLeft } = geometry(p, "depthwiseConv2d");
  const { batch, inH, inW, channels: ch, kernelH, kernelW, strideH, strideW } = p;
  const pad = p.padValue ?? 0;
  assertLength(input, batch * inH * inW * ch, "depthwiseConv2d input [batch, inH, inW, channels]");
  assertLength(kernel, kernelH * kernelW * ch, "depthwiseConv2d kernel [kh, kw, channels]");
  const size = batch * outH * outW * ch;
  if (out) assertLength(out, size, "depthwiseConv2d out");
  const y = out ?? new Float32Array(size);
  let o = 0;
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++)
        for (let c = 0; c < ch; c++, o++) {
          let s = 0;
          for (let ky = 0; ky < kernelH; ky++) {
            const iy = oy * strideH + ky - padTop;
            for (let kx = 0; kx < kernelW; kx++) {
              const ix = ox * strideW + kx - padLeft;
              const w = kernel[(ky * kernelW + kx) * ch + c]!;
              const inside = iy >= 0 && iy < inH && ix >= 0 && ix < inW;
              s += (inside ? input[((b * inH + iy) * inW + ix) * ch + c]! : pad) * w;
            }
          }
          y[o] = s;
        }
  return y;
}

/** Gradients of `depthwiseConv2d` with respect to its input and kernel. */
export function depthwiseConv2dBackward(
  input: Float32Array,
  kernel: Float32Array,
  gradOut: Float32Array,
  p: DepthwiseConv2dParams,
): { gradInput: Float32Array; gradKernel: Float32Array } {
  const { outH, outW, padTop, padLeft } = geometry(p, "depthwiseConv2dBackward");
  const { batch, inH, inW, channels: ch, kernelH, kernelW, strideH, strideW } = p;
  const pad = p.padValue ?? 0;
  assertLength(input, batch * inH * inW * ch, "depthwiseConv2dBackward input");
  assertLength(kernel, kernelH * kernelW * ch, "depthwiseConv2dBackward kernel");
  assertLength(gradOut, batch * outH * outW * ch, "depthwiseConv2dBackward gradOut");
  const gradInput = new Float32Array(batch * inH * inW * ch);
  const gradKernel = new Float32Array(kernelH * kernelW * ch);
  let o = 0;
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++)
        for (let c = 0; c < ch; c++, o++) {
          const g = gradOut[o]!;
          for (let ky = 0; ky < kernelH; ky++) {
            const iy = oy * strideH + ky - padTop;
            for (let kx = 0; kx < kernelW; kx++) {
              const ix = ox * strideW + kx - padLeft;
              const k = (ky * kernelW + kx) * ch + c;
              if (iy >= 0 && iy < inH && ix >= 0 && ix < inW) {
                const i = ((b * inH + iy) * inW + ix) * ch + c;
                gradInput[i]! += g * kernel[k]!;
                gradKernel[k]! += g * input[i]!;
              } else gradKernel[k]! += g * pad;
            }
          }
        }
  return { gradInput, gradKernel };
}
