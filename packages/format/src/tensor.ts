import type { Graph, ModelMetadata } from "./graph.js";

/** The element types a .onebit tensor can have (SPEC.md §4). */
export type DType = "float32" | "int32" | "uint8" | "int8" | "bit";

export const DTYPES: readonly DType[] = ["float32", "int32", "uint8", "int8", "bit"];

/**
 * How a `bit` tensor is packed: its logical shape `[d0, …, dn−1]` is a `rows × cols` matrix with
 * `rows = d0·…·dn−2` (1 for rank 1) and `cols = dn−1`; each row takes `wordsPerRow ≥ ceil(cols/32)`
 * little-endian uint32 words, bit i of word w holding column 32·w + i; bits past `cols` are 0.
 * This is `@onebit/bitops`' `BitMatrix` layout.
 */
export interface BitLayout {
  readonly rows: number;
  readonly cols: number;
  readonly wordsPerRow: number;
}

interface TensorBase {
  /** Logical shape (for `bit`, the shape of the ±1 values, not of the words). */
  readonly shape: readonly number[];
}

export interface Float32Tensor extends TensorBase {
  readonly dtype: "float32";
  readonly data: Float32Array;
}
export interface Int32Tensor extends TensorBase {
  readonly dtype: "int32";
  readonly data: Int32Array;
}
export interface Uint8Tensor extends TensorBase {
  readonly dtype: "uint8";
  readonly data: Uint8Array;
}
export interface Int8Tensor extends TensorBase {
  readonly dtype: "int8";
  readonly data: Int8Array;
}
/** Packed ±1 values: +1 → 1, −1 → 0. `data.length = rows·wordsPerRow`. */
export interface BitTensor extends TensorBase {
  readonly dtype: "bit";
  readonly layout: BitLayout;
  readonly data: Uint32Array;
}

export type Tensor = Float32Tensor | Int32Tensor | Uint8Tensor | Int8Tensor | BitTensor;

/** A model in memory: what `writeModel` takes and `readModel` returns. */
export interface OnebitModel {
  readonly graph: Graph;
  /** Tensors by name; the graph refers to them by these names. */
  readonly tensors: ReadonlyMap<string, Tensor>;
  readonly metadata: ModelMetadata;
}

/** The format version a file declares (SPEC.md §2). */
export interface FormatVersion {
  readonly major: number;
  readonly minor: number;
}
