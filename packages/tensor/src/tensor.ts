import { TensorError } from "./errors.js";

export type DType = "float32" | "int32" | "uint8";

/** The typed array that holds each dtype. */
export interface DTypeArrays {
  float32: Float32Array;
  int32: Int32Array;
  uint8: Uint8Array;
}

export type TensorData = Float32Array | Int32Array | Uint8Array;

function dtypeOf(data: TensorData): DType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Uint8Array) return "uint8";
  throw new TensorError("DTYPE_MISMATCH", "tensor data must be a Float32Array, Int32Array or Uint8Array");
}

function allocate<D extends DType>(dtype: D, size: number): DTypeArrays[D] {
  switch (dtype) {
    case "float32":
      return new Float32Array(size) as DTypeArrays[D];
    case "int32":
      return new Int32Array(size) as DTypeArrays[D];
    case "uint8":
      return new Uint8Array(size) as DTypeArrays[D];
    default:
      throw new TensorError("DTYPE_MISMATCH", `unknown dtype ${String(dtype)}`);
  }
}

/** Validates a shape and returns its element count. */
export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (!Number.isInteger(d) || d < 0) {
      throw new TensorError("INVALID_ARGUMENT", `shape[${i}] must be a non-negative integer, got ${d}`);
    }
    size *= d;
  }
  return size;
}

/** Row-major (C order) strides of a shape. */
export function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

const formatShape = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

/**
 * A typed array with a shape. Always contiguous and row-major, so `data` can go straight to the
 * kernels; `reshape` and `slice` return views that share `data`.
 */
export class Tensor<D extends DType = DType> {
  readonly data: DTypeArrays[D];
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly size: number;
  readonly dtype: D;

  constructor(data: DTypeArrays[D], shape: readonly number[]) {
    const size = shapeSize(shape);
    const dtype = dtypeOf(data) as D;
    if (data.length !== size) {
      throw new TensorError(
        "SHAPE_MISMATCH",
        `shape ${formatShape(shape)} needs ${size} elements but the data has ${data.length}`,
      );
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(rowMajorStrides(shape));
    this.size = size;
    this.dtype = dtype;
  }

  static zeros(shape: readonly number[]): Tensor<"float32">;
  static zeros<D extends DType>(shape: readonly number[], dtype: D): Tensor<D>;
  static zeros(shape: readonly number[], dtype: DType = "float32"): Tensor {
    return new Tensor(allocate(dtype, shapeSize(shape)), shape);
  }

  /** Wraps `data` (no copy; a plain number array becomes a Float32Array). */
  static from(data: Float32Array | readonly number[], shape: readonly number[]): Tensor<"float32">;
  static from<D extends DType>(data: DTypeArrays[D], shape: readonly number[]): Tensor<D>;
  static from(data: TensorData | readonly number[], shape: readonly number[]): Tensor {
    return new Tensor(Array.isArray(data) ? Float32Array.from(data) : (data as TensorData), shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Same data, new shape; one dimension may be -1 (inferred). */
  reshape(shape: readonly number[]): Tensor<D> {
    const inferred = shape.indexOf(-1);
    if (inferred !== -1) {
      if (shape.indexOf(-1, inferred + 1) !== -1) {
        throw new TensorError("INVALID_ARGUMENT", `reshape ${formatShape(shape)}: only one -1 allowed`);
      }
      const known = shapeSize(shape.filter((_, i) => i !== inferred));
      if (known === 0 || this.size % known !== 0) {
        throw new TensorError(
          "SHAPE_MISMATCH",
          `cannot reshape ${formatShape(this.shape)} (${this.size} elements) to ${formatShape(shape)}`,
        );
      }
      shape = shape.map((d, i) => (i === inferred ? this.size / known : d));
    }
    if (shapeSize(shape) !== this.size) {
      throw new TensorError(
        "SHAPE_MISMATCH",
        `cannot reshape ${formatShape(this.shape)} (${this.size} elements) to ${formatShape(shape)}`,
      );
    }
    return new Tensor(this.data, shape);
  }

  /** Rows `start` (inclusive) to `end` (exclusive) along axis 0, as a view sharing `data`. */
  slice(start: number, end: number = this.shape[0] ?? 0): Tensor<D> {
    if (this.shape.length === 0) throw new TensorError("INVALID_ARGUMENT", "cannot slice a scalar tensor");
    const rows = this.shape[0]!;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > rows || start > end) {
      throw new TensorError(
        "OUT_OF_BOUNDS",
        `slice(${start}, ${end}) is outside axis 0 of shape ${formatShape(this.shape)}`,
      );
    }
    const rowSize = this.strides[0]!;
    const data = this.data.subarray(start * rowSize, end * rowSize) as DTypeArrays[D];
    return new Tensor(data, [end - start, ...this.shape.slice(1)]);
  }

  /** Flat offset of a multi-index, bounds-checked. */
  offsetOf(...index: number[]): number {
    if (index.length !== this.shape.length) {
      throw new TensorError(
        "SHAPE_MISMATCH",
        `index has ${index.length} coordinates but the tensor has rank ${this.shape.length}`,
      );
    }
    let offset = 0;
    for (let i = 0; i < index.length; i++) {
      const v = index[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= this.shape[i]!) {
        throw new TensorError(
          "OUT_OF_BOUNDS",
          `index ${v} at axis ${i} is outside shape ${formatShape(this.shape)}`,
        );
      }
      offset += v * this.strides[i]!;
    }
    return offset;
  }

  get(...index: number[]): number {
    return this.data[this.offsetOf(...index)]!;
  }

  set(value: number, ...index: number[]): void {
    this.data[this.offsetOf(...index)] = value;
  }

  /** An independent copy. */
  clone(): Tensor<D> {
    return new Tensor(this.data.slice() as DTypeArrays[D], this.shape);
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${formatShape(this.shape)})`;
  }
}
