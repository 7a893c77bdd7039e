import { RuntimeError } from "./errors.js";
import type { MemoryViews } from "./memory-views.js";
import type { InputBinding } from "./plan.js";

/** What `run` accepts: float32 values, or bytes (8-bit images; converted to floats for float models). */
export type ModelInput = Float32Array | Uint8Array | Uint8ClampedArray;

function describe(x: unknown): string {
  if (x === null) return "null";
  if (ArrayBuffer.isView(x)) return x.constructor.name;
  if (Array.isArray(x)) return "an Array";
  return typeof x;
}

/**
 * Checks the input's type and size against the model's input (per-sample `shape`), returning the
 * batch size. An explicit `shape` is either the sample shape or `[batch, …sampleShape]`.
 */
export function resolveBatch(
  input: unknown,
  dtype: "float32" | "uint8",
  shape: readonly number[],
  explicit: readonly number[] | undefined,
): number {
  const isBytes = input instanceof Uint8Array || input instanceof Uint8ClampedArray;
  if (!(input instanceof Float32Array) && !isBytes) {
    throw new RuntimeError(
      "DTYPE_MISMATCH",
      `input: expected a ${dtype === "uint8" ? "Uint8Array" : "Float32Array (or a Uint8Array of bytes)"}, got ${describe(input)}`,
    );
  }
  if (dtype === "uint8" && !isBytes) {
    throw new RuntimeError(
      "DTYPE_MISMATCH",
      "input: this model takes 8-bit input (raw bytes 0..255, normalized inside the model); pass a Uint8Array, not a Float32Array",
    );
  }
  const length = (input as ModelInput).length;
  const sample = shape.reduce((p, d) => p * d, 1);
  const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;
  if (explicit !== undefined) {
    if (!Array.isArray(explicit) || explicit.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new RuntimeError(
        "INVALID_ARGUMENT",
        `shape: expected an array of non-negative integers, got ${String(explicit)}`,
      );
    }
    const same = (a: readonly number[], b: readonly number[]) =>
      a.length === b.length && a.every((d, i) => d === b[i]);
    let batch: number;
    if (same(explicit, shape)) batch = 1;
    else if (explicit.length === shape.length + 1 && same(explicit.slice(1), shape)) batch = explicit[0]!;
    else {
      throw new RuntimeError(
        "SHAPE_MISMATCH",
        `shape ${fmt(explicit)} does not fit the model's input ${fmt(shape)}: expected ${fmt(shape)} or [batch, ${shape.join(", ")}]`,
      );
    }
    if (batch * sample !== length) {
      throw new RuntimeError(
        "SHAPE_MISMATCH",
        `shape ${fmt(explicit)} needs ${batch * sample} values, the input holds ${length}`,
      );
    }
    if (batch === 0) throw new RuntimeError("SHAPE_MISMATCH", `shape ${fmt(explicit)}: the batch is empty`);
    return batch;
  }
  if (length === 0 || length % sample !== 0) {
    throw new RuntimeError(
      "SHAPE_MISMATCH",
      `input: ${length} values is not a whole, non-zero number of samples of ${fmt(shape)} (${sample} values each)`,
    );
  }
  return length / sample;
}

/**
 * Writes samples [first, first + count) into the plan's input buffer: float inputs as
 * x′ = x·scale + offset in float32 arithmetic (rejecting NaN and ±∞), bytes as they are.
 */
export function stageInput(
  views: MemoryViews,
  binding: InputBinding,
  input: ModelInput,
  first: number,
  count: number,
): void {
  const e = binding.elements;
  const start = first * e;
  const end = start + count * e;
  if (binding.dtype === "uint8") {
    views.u8.set(input.subarray(start, end), binding.ptr);
    return;
  }
  const f32 = views.f32;
  const at = (binding.ptr >>> 2) - start;
  const { scale, offset } = binding;
  if (input instanceof Float32Array) {
    // x − x is 0 for every finite x and NaN for NaN and ±∞: one sum checks the whole input without a
    // branch per value (a 224×224×3 image took 1.1 ms CPU with one, 0.25 ms copied and summed).
    let nonFinite = 0;
    if (scale === 1 && offset === 0) {
      f32.set(input.subarray(start, end), at + start);
      for (let i = start; i < end; i++) {
        const x = input[i]!;
        nonFinite += x - x;
        if (x === 0) f32[at + i] = 0; // −0 · 1 + 0 is +0
      }
    } else {
      for (let i = start; i < end; i++) {
        const x = input[i]!;
        nonFinite += x - x;
        f32[at + i] = Math.fround(Math.fround(x * scale) + offset);
      }
    }
    if (nonFinite !== 0) throwNonFinite(input, start, end, e);
    return;
  }
  for (let i = start; i < end; i++) f32[at + i] = Math.fround(Math.fround(input[i]! * scale) + offset);
}

/** Names the first value of samples [start, end) that is not finite. */
function throwNonFinite(input: Float32Array, start: number, end: number, e: number): never {
  let i = start;
  while (i < end - 1 && Number.isFinite(input[i])) i++;
  const x = input[i]!;
  throw new RuntimeError(
    "NON_FINITE_INPUT",
    `input: ${x} at index ${i} (sample ${Math.floor(i / e)}, element ${i % e}); inputs must be finite numbers`,
  );
}
