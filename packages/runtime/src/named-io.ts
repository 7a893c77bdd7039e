import { RuntimeError } from "./errors.js";

/** Element types of a `Tensor` (ONNX Runtime's names). */
export type TensorType = "float32" | "uint8" | "int32";

export type TensorData<T extends TensorType = TensorType> = T extends "float32"
  ? Float32Array
  : T extends "uint8"
    ? Uint8Array | Uint8ClampedArray
    : Int32Array;

function typeOf(data: unknown): TensorType | undefined {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return "uint8";
  if (data instanceof Int32Array) return "int32";
  return undefined;
}

function dimsOf(dims: unknown, length: number, what: string): readonly number[] {
  if (dims === undefined) return [length];
  if (!Array.isArray(dims) || dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new RuntimeError("INVALID_ARGUMENT", `${what}: dims must be an array of non-negative integers`);
  }
  const size = dims.reduce((p: number, d: number) => p * d, 1);
  if (size !== length) {
    throw new RuntimeError(
      "SHAPE_MISMATCH",
      `${what}: dims [${dims.join(", ")}] hold ${size} elements, the data ${length}`,
    );
  }
  return Object.freeze([...dims]);
}

/**
 * A typed array with its dimensions, as ONNX Runtime's `Tensor`: `new Tensor("float32", data, [1, 28,
 * 28, 1])` or `new Tensor(data, dims)` (type from the array). The feed and the outputs of
 * `session.run({ [session.inputNames[0]]: tensor })`.
 */
export class Tensor<T extends TensorType = TensorType> {
  readonly type: T;
  readonly data: TensorData<T>;
  readonly dims: readonly number[];

  constructor(type: T, data: TensorData<T>, dims?: readonly number[]);
  constructor(data: TensorData<T>, dims?: readonly number[]);
  constructor(a: T | TensorData<T>, b?: TensorData<T> | readonly number[], c?: readonly number[]) {
    const explicit = typeof a === "string";
    const data = (explicit ? b : a) as TensorData<T>;
    const dims = (explicit ? c : b) as readonly number[] | undefined;
    const actual = typeOf(data);
    if (actual === undefined) {
      throw new RuntimeError(
        "INVALID_ARGUMENT",
        "Tensor: data must be a Float32Array, Uint8Array, Uint8ClampedArray or Int32Array",
      );
    }
    if (explicit && a !== actual) {
      throw new RuntimeError("DTYPE_MISMATCH", `Tensor: type ${JSON.stringify(a)} but the data is ${actual}`);
    }
    this.type = actual as T;
    this.data = data;
    this.dims = dimsOf(dims, data.length, "Tensor");
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }
}

/** Inputs by name: `{ [session.inputNames[0]]: tensor }`. */
export type InferenceFeeds = Readonly<Record<string, Tensor>>;

/**
 * Outputs by name: the scores (logits) node's value, and for graphs that end in them the softmax
 * node's probabilities and the argmax node's predictions (int32 `[batch]`).
 */
export type InferenceOutputs = Readonly<Record<string, Tensor>>;

/** Whether `run`'s first argument is a map of named tensors rather than a typed array. */
export function isFeeds(input: unknown): input is InferenceFeeds {
  return typeof input === "object" && input !== null && !ArrayBuffer.isView(input) && !Array.isArray(input);
}

/** The one tensor of `feeds` for the model's input `name`, checked (an unknown or missing name is typed). */
export function feedFor(feeds: InferenceFeeds, name: string): Tensor {
  const names = Object.keys(feeds);
  const extra = names.filter((n) => n !== name);
  if (extra.length > 0 || !Object.hasOwn(feeds, name)) {
    throw new RuntimeError(
      "INVALID_ARGUMENT",
      `feeds: expected exactly the input ${JSON.stringify(name)}, got ${names.length ? names.map((n) => JSON.stringify(n)).join(", ") : "no inputs"}`,
    );
  }
  const t = feeds[name] as unknown;
  if (typeof t !== "object" || t === null || !("data" in t)) {
    throw new RuntimeError(
      "INVALID_ARGUMENT",
      `feeds[${JSON.stringify(name)}]: expected a Tensor (data, dims, type)`,
    );
  }
  // Accept ONNX-Runtime-shaped objects too, re-checked as a Tensor.
  const like = t as { data: TensorData; dims?: readonly number[] };
  return t instanceof Tensor ? t : new Tensor(like.data, like.dims);
}
