import { TensorError, assertDimension, assertPositive } from "./errors.js";

/** NHWC convolution: input [batch, inH, inW, inC], weights [kernelH, kernelW, inC, outC] (HWIO). */
export interface Conv2dParams {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outC: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  /** `same`: output ceil(in/stride), padding split as in TensorFlow (the extra row/column at the end). */
  padding: "same" | "valid";
  /** Value of padded positions (default 0; BNN layers use +1, "one-padding"). */
  padValue?: number;
}

export interface Conv2dGeometry {
  outH: number;
  outW: number;
  padTop: number;
  padLeft: number;
}

function axisGeometry(
  size: number,
  kernel: number,
  stride: number,
  padding: "same" | "valid",
  axis: string,
): [number, number] {
  if (padding === "valid") {
    if (size < kernel) {
      throw new TensorError(
        "SHAPE_MISMATCH",
        `conv2d 'valid': input ${axis} ${size} is smaller than the kernel ${axis} ${kernel}`,
      );
    }
    return [Math.floor((size - kernel) / stride) + 1, 0];
  }
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return [out, Math.floor(total / 2)];
}

/** Output size and leading padding of a convolution; validates the parameters. */
export function conv2dOutputShape(p: Conv2dParams): Conv2dGeometry {
  assertDimension(p.batch, "conv2d batch");
  assertPositive(p.inH, "conv2d inH");
  assertPositive(p.inW, "conv2d inW");
  assertPositive(p.inC, "conv2d inC");
  assertPositive(p.outC, "conv2d outC");
  assertPositive(p.kernelH, "conv2d kernelH");
  assertPositive(p.kernelW, "conv2d kernelW");
  assertPositive(p.strideH, "conv2d strideH");
  assertPositive(p.strideW, "conv2d strideW");
  if (p.padding !== "same" && p.padding !== "valid") {
    throw new TensorError("INVALID_ARGUMENT", `conv2d padding must be 'same' or 'valid', got ${p.padding}`);
  }
  if (p.padValue !== undefined && !Number.isFinite(p.padValue)) {
    throw new TensorError("INVALID_ARGUMENT", `conv2d padValue must be finite, got ${p.padValue}`);
  }
  const [outH, padTop] = axisGeometry(p.inH, p.kernelH, p.strideH, p.padding, "height");
  const [outW, padLeft] = axisGeometry(p.inW, p.kernelW, p.strideW, p.padding, "width");
  return { outH, outW, padTop, padLeft };
}
