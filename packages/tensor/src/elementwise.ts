import { TensorError, assertDimension, assertLength } from "./errors.js";

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) {
    throw new TensorError("SHAPE_MISMATCH", `${what}: operands have ${a.length} and ${b.length} elements`);
  }
}

function outputFor(out: Float32Array | undefined, size: number, what: string): Float32Array {
  if (!out) return new Float32Array(size);
  assertLength(out, size, `${what} out`);
  return out;
}

/** out = a + b */
export function add(a: Float32Array, b: Float32Array, out?: Float32Array): Float32Array {
  sameLength(a, b, "add");
  const r = outputFor(out, a.length, "add");
  for (let i = 0; i < a.length; i++) r[i] = a[i]! + b[i]!;
  return r;
}

/** out = a − b */
export function sub(a: Float32Array, b: Float32Array, out?: Float32Array): Float32Array {
  sameLength(a, b, "sub");
  const r = outputFor(out, a.length, "sub");
  for (let i = 0; i < a.length; i++) r[i] = a[i]! - b[i]!;
  return r;
}

/** out = a ⊙ b (elementwise product) */
export function mul(a: Float32Array, b: Float32Array, out?: Float32Array): Float32Array {
  sameLength(a, b, "mul");
  const r = outputFor(out, a.length, "mul");
  for (let i = 0; i < a.length; i++) r[i] = a[i]! * b[i]!;
  return r;
}

/** out = s·x */
export function scale(x: Float32Array, s: number, out?: Float32Array): Float32Array {
  const r = outputFor(out, x.length, "scale");
  for (let i = 0; i < x.length; i++) r[i] = s * x[i]!;
  return r;
}

/** y += alpha·x, in place. */
export function axpy(alpha: number, x: Float32Array, y: Float32Array): void {
  sameLength(x, y, "axpy");
  for (let i = 0; i < x.length; i++) y[i]! += alpha * x[i]!;
}

/** Adds `bias` (length cols) to every row of a [rows, cols] matrix, in place. */
export function addBias(x: Float32Array, rows: number, cols: number, bias: Float32Array): void {
  assertDimension(rows, "addBias rows");
  assertDimension(cols, "addBias cols");
  assertLength(x, rows * cols, `addBias input (${rows}×${cols})`);
  assertLength(bias, cols, "addBias bias");
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) x[base + c]! += bias[c]!;
  }
}

/** Σ x (float64 accumulation). */
export function sum(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s;
}

/** Σ a·b (float64 accumulation). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  sameLength(a, b, "dot");
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Clamps every element to [lo, hi] in place (e.g. latent BNN weights to [−1, 1]). */
export function clip(x: Float32Array, lo: number, hi: number): void {
  if (!(lo <= hi)) throw new TensorError("INVALID_ARGUMENT", `clip: lo ${lo} must not exceed hi ${hi}`);
  for (let i = 0; i < x.length; i++) x[i] = Math.min(Math.max(x[i]!, lo), hi);
}
