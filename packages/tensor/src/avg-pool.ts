import { assertLength } from "./errors.js";
import { type MaxPool2dParams, poolOutputSize } from "./pool.js";

/** NHWC average pooling without padding ('valid'): the same window parameters as max-pooling. */
export type AvgPool2dParams = MaxPool2dParams;

/** Mean of each window, per channel: [batch, outH, outW, channels]. */
export function avgPool2d(input: Float32Array, p: AvgPool2dParams, out?: Float32Array): Float32Array {
  const { outH, outW } = poolOutputSize(p, "avgPool2d");
  const { batch, inH, inW, channels: ch, poolH, poolW, strideH, strideW } = p;
  assertLength(input, batch * inH * inW * ch, "avgPool2d input [batch, inH, inW, channels]");
  const size = batch * outH * outW * ch;
  if (out) assertLength(out, size, "avgPool2d out");
  const output = out ?? new Float32Array(size);
  const inv = 1 / (poolH * poolW);
  let o = 0;
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++) {
        const base = ((b * inH + oy * strideH) * inW + ox * strideW) * ch;
        for (let c = 0; c < ch; c++, o++) {
          let s = 0;
          for (let ky = 0; ky < poolH; ky++)
            for (let kx = 0; kx < poolW; kx++) s += input[base + (ky * inW + kx) * ch + c]!;
          output[o] = s * inv;
        }
      }
  return output;
}

/** Spreads each output gradient evenly over its window (overlapping windows add). */
export function avgPool2dBackward(
  gradOut: Float32Array,
  p: AvgPool2dParams,
  out?: Float32Array,
): Float32Array {
  const { outH, outW } = poolOutputSize(p, "avgPool2dBackward");
  const { batch, inH, inW, channels: ch, poolH, poolW, strideH, strideW } = p;
  assertLength(gradOut, batch * outH * outW * ch, "avgPool2dBackward gradOut");
  const size = batch * inH * inW * ch;
  if (out) assertLength(out, size, "avgPool2dBackward out");
  const grad = out ?? new Float32Array(size);
  grad.fill(0, 0, size);
  const inv = 1 / (poolH * poolW);
  let o = 0;
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++) {
        const base = ((b * inH + oy * strideH) * inW + ox * strideW) * ch;
        for (let c = 0; c < ch; c++, o++) {
          const g = gradOut[o]! * inv;
          for (let ky = 0; ky < poolH; ky++)
            for (let kx = 0; kx < poolW; kx++) grad[base + (ky * inW + kx) * ch + c]! += g;
        }
      }
  return grad;
}
