import { type Conv2dParams, conv2dOutputShape } from "./conv2d-params.js";
import { assertLength } from "./errors.js";

/** Direct-loop NHWC convolution (float64 accumulation): the reference `conv2d` is tested against. */
export function conv2dRef(input: Float32Array, weights: Float32Array, p: Conv2dParams): Float32Array {
  const { outH, outW, padTop, padLeft } = conv2dOutputShape(p);
  const { batch, inH, inW, inC, outC, kernelH, kernelW, strideH, strideW } = p;
  const padValue = p.padValue ?? 0;
  assertLength(input, batch * inH * inW * inC, "conv2d input");
  assertLength(weights, kernelH * kernelW * inC * outC, "conv2d weights");
  const out = new Float32Array(batch * outH * outW * outC);
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++)
        for (let co = 0; co < outC; co++) {
          let acc = 0;
          for (let ky = 0; ky < kernelH; ky++)
            for (let kx = 0; kx < kernelW; kx++) {
              const y = oy * strideH + ky - padTop;
              const x = ox * strideW + kx - padLeft;
              const inside = y >= 0 && y < inH && x >= 0 && x < inW;
              for (let ci = 0; ci < inC; ci++) {
                const v = inside ? input[((b * inH + y) * inW + x) * inC + ci]! : padValue;
                acc += v * weights[((ky * kernelW + kx) * inC + ci) * outC + co]!;
              }
            }
          out[((b * outH + oy) * outW + ox) * outC + co] = acc;
        }
  return out;
}

/** Direct-loop gradients of `conv2dRef` (float64 accumulation). */
export function conv2dBackwardRef(
  input: Float32Array,
  weights: Float32Array,
  gradOut: Float32Array,
  p: Conv2dParams,
): { gradInput: Float32Array; gradWeights: Float32Array } {
  const { outH, outW, padTop, padLeft } = conv2dOutputShape(p);
  const { batch, inH, inW, inC, outC, kernelH, kernelW, strideH, strideW } = p;
  const padValue = p.padValue ?? 0;
  assertLength(gradOut, batch * outH * outW * outC, "conv2d gradOut");
  const gradInput = new Float64Array(batch * inH * inW * inC);
  const gradWeights = new Float64Array(kernelH * kernelW * inC * outC);
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++)
        for (let co = 0; co < outC; co++) {
          const g = gradOut[((b * outH + oy) * outW + ox) * outC + co]!;
          for (let ky = 0; ky < kernelH; ky++)
            for (let kx = 0; kx < kernelW; kx++) {
              const y = oy * strideH + ky - padTop;
              const x = ox * strideW + kx - padLeft;
              const inside = y >= 0 && y < inH && x >= 0 && x < inW;
              for (let ci = 0; ci < inC; ci++) {
                const wi = ((ky * kernelW + kx) * inC + ci) * outC + co;
                if (inside) {
                  const xi = ((b * inH + y) * inW + x) * inC + ci;
                  gradWeights[wi]! += input[xi]! * g;
                  gradInput[xi]! += weights[wi]! * g;
                } else {
                  gradWeights[wi]! += padValue * g;
                }
              }
            }
        }
  return { gradInput: Float32Array.from(gradInput), gradWeights: Float32Array.from(gradWeights) };
}
