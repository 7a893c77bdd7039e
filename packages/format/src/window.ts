import type { Padding } from "./graph.js";

/** Output size and padding of one spatial axis of a convolution or pooling window (SPEC.md §5.3). */
export interface WindowAxis {
  readonly out: number;
  /** Padded positions before the first input position (top or left). */
  readonly padBefore: number;
  /** Padded positions after the last input position (bottom or right). */
  readonly padAfter: number;
}

/**
 * TensorFlow's rule: `'valid'` → out = floor((in − k) / s) + 1 (0 when in < k), no padding;
 * `'same'` → out = ceil(in / s), total padding max((out − 1)·s + k − in, 0), the smaller half before.
 */
export function windowAxis(inSize: number, kernel: number, stride: number, padding: Padding): WindowAxis {
  if (padding === "valid") {
    return {
      out: inSize < kernel ? 0 : Math.floor((inSize - kernel) / stride) + 1,
      padBefore: 0,
      padAfter: 0,
    };
  }
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + kernel - inSize, 0);
  const padBefore = Math.floor(total / 2);
  return { out, padBefore, padAfter: total - padBefore };
}
