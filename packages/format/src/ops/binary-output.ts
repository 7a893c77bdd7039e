import { type JsonObject, asArray, asFiniteNumber, asObject, asOneOf, fail, own } from "../json-check.js";
import { LIMITS } from "../limits.js";
import type { Tensor } from "../tensor.js";
import { type RefValue, type RequireTensor, type ValueKindV2, floatData, optionalRef, ref } from "./op.js";

/** The output of a binary or bit-plane op (SPEC.md C.3): bits through thresholds, int32, or float32 through LCE's transform. */
export type BinaryOutput =
  | { readonly kind: "bits"; readonly thresholds: string; readonly flip?: string }
  | { readonly kind: "int32" }
  | {
      readonly kind: "float32";
      readonly multiplier: string;
      readonly bias: string;
      readonly clamp?: readonly [number, number];
    };

export function parseBinaryOutput(o: JsonObject, path: string): BinaryOutput {
  const p = `${path}.output`;
  const out = asObject(own(o, "output"), p, "BAD_GRAPH");
  const kind = asOneOf(own(out, "kind"), `${p}.kind`, "BAD_GRAPH", ["bits", "int32", "float32"] as const);
  if (kind === "int32") return { kind };
  if (kind === "bits") {
    const flip = optionalRef(out, "flip", p);
    const thresholds = ref(out, "thresholds", p);
    return flip === undefined ? { kind, thresholds } : { kind, thresholds, flip };
  }
  const multiplier = ref(out, "multiplier", p);
  const bias = ref(out, "bias", p);
  const c = own(out, "clamp");
  if (c === undefined) return { kind, multiplier, bias };
  const a = asArray(c, `${p}.clamp`, "BAD_GRAPH", 2);
  if (a.length !== 2) fail("BAD_GRAPH", `${p}.clamp`, "expected [lo, hi]");
  const lo = asFiniteNumber(a[0], `${p}.clamp[0]`, "BAD_GRAPH");
  const hi = asFiniteNumber(a[1], `${p}.clamp[1]`, "BAD_GRAPH");
  if (lo > hi) fail("BAD_GRAPH", `${p}.clamp`, `lo ${lo} > hi ${hi}`);
  return { kind, multiplier, bias, clamp: [lo, hi] };
}

export function binaryOutputTensors(o: BinaryOutput): string[] {
  if (o.kind === "bits") return o.flip ? [o.thresholds, o.flip] : [o.thresholds];
  return o.kind === "float32" ? [o.multiplier, o.bias] : [];
}

/** Checks the output's tensors for `units` channels and the dot range; returns the output kind. */
export function inferBinaryOutput(
  o: BinaryOutput,
  units: number,
  maxAbsDot: number,
  tensor: RequireTensor,
  path: string,
): ValueKindV2 {
  if (maxAbsDot > LIMITS.maxIntegerDot)
    fail("TOO_LARGE", path, `|dot| can reach ${maxAbsDot}, beyond the int32 range`);
  if (o.kind === "bits") {
    tensor(o.thresholds, `${path}.output.thresholds`, "int32", [units]);
    if (o.flip) tensor(o.flip, `${path}.output.flip`, "uint8", [units]);
    return "bits";
  }
  if (o.kind === "float32") {
    tensor(o.multiplier, `${path}.output.multiplier`, "float32", [units]);
    tensor(o.bias, `${path}.output.bias`, "float32", [units]);
    return "float32";
  }
  return "int32";
}

/** Applies the output to integer dots z laid out with `units` channels last. */
export function applyBinaryOutput(
  o: BinaryOutput,
  z: Float64Array,
  units: number,
  shape: readonly number[],
  tensors: ReadonlyMap<string, Tensor>,
): RefValue {
  if (o.kind === "int32") return { kind: "int32", shape, data: Int32Array.from(z) };
  if (o.kind === "bits") {
    const t = tensors.get(o.thresholds)!.data as Int32Array;
    const flip = o.flip ? (tensors.get(o.flip)!.data as Uint8Array) : undefined;
    const data = new Float32Array(z.length);
    for (let i = 0; i < z.length; i++) {
      const c = i % units;
      data[i] = (flip?.[c] ? z[i]! <= t[c]! : z[i]! >= t[c]!) ? 1 : -1;
    }
    return { kind: "bits", shape, data };
  }
  const m = floatData(tensors, o.multiplier);
  const b = floatData(tensors, o.bias);
  const data = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const c = i % units;
    let y = Math.fround(Math.fround(z[i]! * m[c]!) + b[c]!);
    if (o.clamp) y = Math.min(Math.max(y, o.clamp[0]), o.clamp[1]);
    data[i] = y;
  }
  return { kind: "float32", shape, data };
}
