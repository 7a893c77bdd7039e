import { FormatError } from "./errors.js";
import type { GraphModel } from "./graph-v2.js";
import { type OpReference, type RefValue, elementsOf } from "./ops/op.js";
import { REFERENCES } from "./ops/references.js";

/** A batch of one graph output: `data` holds `batch` samples back to back; `shape` is per sample. */
export interface ReferenceOutput {
  readonly kind: RefValue["kind"];
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | Uint8Array;
}

/**
 * The executable form of SPEC.md appendix C: evaluates a version 2 graph (checked by
 * `checkGraphModel` or read by `readGraphModel`) on `batch` samples with each op's plain reference
 * implementation, in file order. `inputs` maps each graph input's name to its samples back to back
 * (float32 inputs: Float32Array; uint8 inputs: Uint8Array of raw bytes). Bits come back as ±1.
 * Slow on purpose — it is the specification runtimes are tested against.
 */
export function runReference(
  model: GraphModel,
  inputs: Readonly<Record<string, Float32Array | Uint8Array>>,
  batch = 1,
): Record<string, ReferenceOutput> {
  const { graph, tensors } = model;
  if (!Number.isInteger(batch) || batch < 1)
    throw new FormatError("INVALID_ARGUMENT", `batch: expected a positive integer, got ${batch}`);
  for (const input of graph.inputs) {
    const data = inputs[input.name];
    const want = input.dtype === "uint8" ? Uint8Array : Float32Array;
    const size = elementsOf(input.shape);
    if (!(data instanceof want) || data.length !== size * batch) {
      throw new FormatError(
        "INVALID_ARGUMENT",
        `inputs[${JSON.stringify(input.name)}]: expected a ${want.name} of ${batch} × ${size} values`,
      );
    }
  }
  const outputs: RefValue[][] = graph.outputs.map(() => []);
  for (let b = 0; b < batch; b++) {
    const values = new Map<string, RefValue>();
    for (const input of graph.inputs) {
      const size = elementsOf(input.shape);
      const raw = inputs[input.name]!.subarray(b * size, (b + 1) * size);
      // A float32 input is normalized where it enters (SPEC.md §5); a uint8 one where a float op reads it.
      const n = input.normalization;
      const data =
        input.dtype === "float32" && n
          ? Float32Array.from(raw, (x) => Math.fround(Math.fround(x * n.scale) + n.offset))
          : raw;
      values.set(input.name, {
        kind: input.dtype,
        shape: input.shape,
        data,
        ...(n && input.dtype === "uint8" ? { normalization: n } : {}),
      });
    }
    for (const node of graph.nodes) {
      const args = node.inputs.map((name) => values.get(name)!);
      const reference = REFERENCES[node.op] as OpReference;
      values.set(node.name, reference(node, args, tensors));
    }
    graph.outputs.forEach((name, i) => {
      outputs[i]!.push(values.get(name)!);
    });
  }
  const result: Record<string, ReferenceOutput> = {};
  graph.outputs.forEach((name, i) => {
    const samples = outputs[i]!;
    const first = samples[0]!;
    const Type = first.data.constructor as Float32ArrayConstructor;
    const data = new Type(first.data.length * batch);
    samples.forEach((s, b) => {
      data.set(s.data as Float32Array, b * first.data.length);
    });
    result[name] = { kind: first.kind, shape: first.shape, data };
  });
  return result;
}
