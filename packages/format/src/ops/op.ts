import type { Normalization, Padding, Pair, ValueInfo } from "../graph.js";
import {
  type JsonObject,
  asArray,
  asFiniteNumber,
  asInteger,
  asObject,
  asOneOf,
  asString,
  fail,
  own,
} from "../json-check.js";
import { LIMITS } from "../limits.js";
import type { DType, Tensor } from "../tensor.js";
import { windowAxis } from "../window.js";

// What every op module of a version 2 graph provides (SPEC.md appendix C): attribute parsing with
// bounds, shape/kind inference with tensor checks, its tensor references, a plain reference
// implementation (the executable spec) and its cost. The graph checker, the reference interpreter
// and the cost model iterate over the table of these (ops/table.ts) — no switch over op names.

/** The kinds a version 2 value can have (SPEC.md C.2). */
export type ValueKindV2 = ValueInfo["kind"] | "int32";

export interface ValueInfoV2 {
  readonly kind: ValueKindV2;
  readonly shape: readonly number[];
}

/** Fields every node has; each op adds its attributes and tensor references. */
export interface NodeBase {
  readonly op: string;
  readonly name: string;
  readonly inputs: readonly string[];
}

/**
 * One value of one sample in the reference interpreter: float32 and ±1 bits in a Float32Array,
 * int32 and index in an Int32Array, raw bytes in a Uint8Array (with the normalization a float op
 * applies to them).
 */
export interface RefValue {
  readonly kind: ValueKindV2;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | Uint8Array;
  readonly normalization?: Normalization;
}

/** Work per sample by kind (SPEC.md §5.7). */
export interface OpWork {
  readonly binaryMacs?: number;
  readonly int8Macs?: number;
  readonly floatMacs?: number;
  readonly comparisons?: number;
}

/** Checks a tensor reference (dtype, shape) during inference; returns its shape. */
export type RequireTensor = (
  ref: string,
  path: string,
  dtype: DType,
  expected: readonly number[] | ((shape: readonly number[]) => string | undefined),
) => readonly number[];

export interface OpDef<N extends NodeBase = NodeBase> {
  readonly op: N["op"];
  /** Least and most inputs. */
  readonly arity: readonly [number, number];
  /** The op's attributes and tensor references from untrusted JSON (without op, name, inputs). */
  parse(o: JsonObject, path: string): Omit<N, keyof NodeBase>;
  /** The output's kind and shape; checks inputs and tensors. Throws FormatError BAD_GRAPH / TOO_LARGE. */
  infer(node: N, inputs: readonly ValueInfoV2[], tensor: RequireTensor, path: string): ValueInfoV2;
  /** Names of the tensors it refers to. */
  tensors(node: N): string[];
  cost(node: N, inputs: readonly ValueInfoV2[], output: ValueInfoV2): OpWork;
}

/**
 * An op's reference implementation over one sample (the executable spec). Kept apart from `OpDef`
 * (in the same module) so that a runtime that checks graphs does not ship the interpreter.
 */
export type OpReference<N extends NodeBase = NodeBase> = (
  node: N,
  inputs: readonly RefValue[],
  tensors: ReadonlyMap<string, Tensor>,
) => RefValue;

export const elementsOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);
export const fmt = (shape: readonly number[]) => `[${shape.join(", ")}]`;
export const MAX_WINDOW = 65_535;

export function ref(o: JsonObject, key: string, path: string): string {
  return asString(own(o, key), `${path}.${key}`, "BAD_GRAPH", LIMITS.maxNameLength, 1);
}

export function optionalRef(o: JsonObject, key: string, path: string): string | undefined {
  return own(o, key) === undefined ? undefined : ref(o, key, path);
}

export function pair(o: JsonObject, key: string, path: string, fallback?: Pair): Pair {
  const v = own(o, key);
  if (v === undefined && fallback) return fallback;
  const a = asArray(v, `${path}.${key}`, "BAD_GRAPH", 2);
  if (a.length !== 2)
    fail("BAD_GRAPH", `${path}.${key}`, `expected [height, width], got ${a.length} entries`);
  return [
    asInteger(a[0], `${path}.${key}[0]`, "BAD_GRAPH", 1, MAX_WINDOW),
    asInteger(a[1], `${path}.${key}[1]`, "BAD_GRAPH", 1, MAX_WINDOW),
  ];
}

export function padding(o: JsonObject, path: string): Padding {
  return asOneOf(own(o, "padding"), `${path}.padding`, "BAD_GRAPH", ["same", "valid"] as const);
}

export function optionalInteger(
  o: JsonObject,
  key: string,
  path: string,
  min: number,
  max: number,
  fallback: number,
) {
  const v = own(o, key);
  return v === undefined ? fallback : asInteger(v, `${path}.${key}`, "BAD_GRAPH", min, max);
}

export function optionalNumber(o: JsonObject, key: string, path: string, fallback: number): number {
  const v = own(o, key);
  return v === undefined ? fallback : asFiniteNumber(v, `${path}.${key}`, "BAD_GRAPH");
}

/** Drops undefined members, so parsed nodes hold only what the file defines. */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function requireKind(
  input: ValueInfoV2,
  path: string,
  op: string,
  kinds: readonly ValueKindV2[],
  ranks: readonly number[],
): readonly number[] {
  if (!kinds.includes(input.kind))
    fail("BAD_GRAPH", path, `${op} takes ${kinds.join(" or ")} input, got ${input.kind}`);
  if (!ranks.includes(input.shape.length))
    fail("BAD_GRAPH", path, `${op} takes a rank-${ranks.join(" or ")} input, got ${fmt(input.shape)}`);
  return input.shape;
}

export function value(kind: ValueKindV2, shape: number[], path: string): ValueInfoV2 {
  if (shape.some((d) => !(d >= 1))) fail("BAD_GRAPH", path, `the output shape ${fmt(shape)} is empty`);
  if (elementsOf(shape) > LIMITS.maxValueElements)
    fail(
      "TOO_LARGE",
      path,
      `the output shape ${fmt(shape)} has more than ${LIMITS.maxValueElements} elements`,
    );
  return { kind, shape };
}

/** Per-channel tensors: shape [C] for the last dimension of `shape`. */
export function channels(shape: readonly number[]): number {
  return shape[shape.length - 1]!;
}

/** Geometry of one axis of a (dilated) window. */
export function axis(inSize: number, kernel: number, stride: number, dilation: number, pad: Padding) {
  return windowAxis(inSize, (kernel - 1) * dilation + 1, stride, pad);
}

export function windowFits(
  h: number,
  w: number,
  kernel: Pair,
  stride: Pair,
  dilation: Pair,
  pad: Padding,
  path: string,
) {
  const rows = axis(h, kernel[0], stride[0], dilation[0], pad);
  const cols = axis(w, kernel[1], stride[1], dilation[1], pad);
  if (rows.out === 0 || cols.out === 0)
    fail(
      "BAD_GRAPH",
      `${path}.kernel`,
      `a ${kernel[0]}×${kernel[1]} 'valid' window does not fit the ${h}×${w} input`,
    );
  return { rows, cols };
}

export function floatData(tensors: ReadonlyMap<string, Tensor>, name: string): Float32Array {
  return tensors.get(name)!.data as Float32Array;
}

/** ±1 of bit `i` of row `r` of a bit tensor. */
export function bitOf(t: Tensor, r: number, i: number): number {
  if (t.dtype !== "bit") throw new Error("not a bit tensor");
  return (t.data[r * t.layout.wordsPerRow + (i >>> 5)]! >>> (i & 31)) & 1 ? 1 : -1;
}

/** A float view of a value (uint8 normalized, bits ±1) for float ops. */
export function asFloats(v: RefValue): Float32Array {
  if (v.kind === "uint8") {
    const n = v.normalization ?? { scale: 1, offset: 0 };
    return Float32Array.from(v.data, (x) => Math.fround(Math.fround(x * n.scale) + n.offset));
  }
  return v.data instanceof Float32Array ? v.data : Float32Array.from(v.data);
}

export function floatValue(shape: readonly number[], data: Float32Array): RefValue {
  return { kind: "float32", shape, data };
}

/** Parses `asObject` at a path (re-exported for op modules). */
export { asObject, own };
