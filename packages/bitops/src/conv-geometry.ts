import { BitopsError } from "./errors.js";

export type Padding = "same" | "valid";

export interface Conv2dOptions {
  /** Step between windows in both directions (default 1). */
  stride?: number;
  /** "valid" (default): windows inside the image; "same": ceil(size/stride) outputs, padded (TensorFlow's split: the extra pad goes bottom/right). */
  padding?: Padding;
}

export interface WindowGeometry {
  readonly outH: number;
  readonly outW: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly stride: number;
}

/** Output size and leading padding of a kh×kw window sliding over height×width. */
export function windowGeometry(
  height: number,
  width: number,
  kernelH: number,
  kernelW: number,
  options: Conv2dOptions = {},
  where = "windowGeometry",
): WindowGeometry {
  const stride = options.stride ?? 1;
  const padding = options.padding ?? "valid";
  if (!Number.isInteger(stride) || stride < 1) {
    throw new BitopsError("INVALID_ARGUMENT", `${where}: stride must be a positive integer, got ${stride}`);
  }
  if (!Number.isInteger(kernelH) || !Number.isInteger(kernelW) || kernelH < 1 || kernelW < 1) {
    throw new BitopsError(
      "INVALID_ARGUMENT",
      `${where}: window ${kernelH}×${kernelW} must be positive integers`,
    );
  }
  if (padding === "valid") {
    if (height < kernelH || width < kernelW) {
      throw new BitopsError(
        "SHAPE_MISMATCH",
        `${where}: a ${kernelH}×${kernelW} window does not fit a ${height}×${width} image with 'valid' padding`,
      );
    }
    return {
      outH: Math.floor((height - kernelH) / stride) + 1,
      outW: Math.floor((width - kernelW) / stride) + 1,
      padTop: 0,
      padLeft: 0,
      stride,
    };
  }
  if (padding !== "same") {
    throw new BitopsError(
      "INVALID_ARGUMENT",
      `${where}: padding must be 'same' or 'valid', got ${String(padding)}`,
    );
  }
  const outH = Math.ceil(height / stride);
  const outW = Math.ceil(width / stride);
  const padH = Math.max((outH - 1) * stride + kernelH - height, 0);
  const padW = Math.max((outW - 1) * stride + kernelW - width, 0);
  return { outH, outW, padTop: Math.floor(padH / 2), padLeft: Math.floor(padW / 2), stride };
}
