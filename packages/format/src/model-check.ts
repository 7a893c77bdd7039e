import { type ModelCost, modelCost } from "./cost.js";
import type { Graph, ModelMetadata, ValueInfo } from "./graph.js";
import { inferValueInfos, outputClassCount, parseGraph } from "./graph-check.js";
import { asObject, asOneOf, describe, fail } from "./json-check.js";
import { LIMITS } from "./limits.js";
import { parseMetadata } from "./metadata.js";
import { DTYPES, type OnebitModel, type Tensor } from "./tensor.js";
import { bitLayoutFor, parseShape } from "./tensor-table.js";
import { checkBitPadding, checkTensorValues } from "./tensor-values.js";

const ARRAY_TYPES = {
  float32: Float32Array,
  int32: Int32Array,
  uint8: Uint8Array,
  int8: Int8Array,
  bit: Uint32Array,
} as const;

/** Checks one in-memory tensor (the writer's input): dtype, shape, typed array type and length, bit layout. */
export function checkTensor(name: string, t: unknown): Tensor {
  const path = `tensor ${JSON.stringify(name)}`;
  const o = asObject(t, path, "BAD_TENSOR");
  const dtype = asOneOf(o["dtype"], `${path}.dtype`, "BAD_TENSOR", DTYPES);
  const { shape, elements } = parseShape(o["shape"], `${path}.shape`, "BAD_TENSOR");
  const data = o["data"];
  const ArrayType = ARRAY_TYPES[dtype];
  if (!(data instanceof ArrayType))
    fail(
      "BAD_TENSOR",
      `${path}.data`,
      `expected a ${ArrayType.name} for dtype ${dtype}, got ${describe(data)}`,
    );
  if (dtype !== "bit") {
    if (data.length !== elements)
      fail(
        "BAD_TENSOR",
        `${path}.data`,
        `${data.length} elements for shape [${shape.join(", ")}] (${elements})`,
      );
    return { dtype, shape, data } as Tensor;
  }
  if (shape.length === 0) fail("BAD_TENSOR", `${path}.shape`, "a bit tensor needs rank ≥ 1");
  const expected = bitLayoutFor(shape);
  const layout = asObject(o["layout"], `${path}.layout`, "BAD_TENSOR");
  const { rows, cols, wordsPerRow } = layout as { rows: unknown; cols: unknown; wordsPerRow: unknown };
  if (rows !== expected.rows || cols !== expected.cols) {
    fail(
      "BAD_TENSOR",
      `${path}.layout`,
      `rows × cols = ${String(rows)} × ${String(cols)}, shape packs as ${expected.rows} × ${expected.cols}`,
    );
  }
  if (
    typeof wordsPerRow !== "number" ||
    !Number.isInteger(wordsPerRow) ||
    wordsPerRow < expected.wordsPerRow ||
    wordsPerRow > expected.wordsPerRow + 65_536
  ) {
    fail(
      "BAD_TENSOR",
      `${path}.layout.wordsPerRow`,
      `${String(wordsPerRow)} cannot hold ${expected.cols} columns (or pads too much)`,
    );
  }
  if (data.length !== expected.rows * wordsPerRow) {
    fail(
      "BAD_TENSOR",
      `${path}.data`,
      `${data.length} words, ${expected.rows} rows × ${wordsPerRow} = ${expected.rows * wordsPerRow} expected`,
    );
  }
  const bit = {
    dtype,
    shape,
    layout: { rows: expected.rows, cols: expected.cols, wordsPerRow },
    data: data as Uint32Array,
  } as const;
  checkBitPadding(bit, name);
  return bit;
}

/** A model after every check: canonical graph and metadata, the value info of every node. */
export interface CheckedModel {
  readonly model: OnebitModel;
  readonly values: readonly ValueInfo[];
  /** What one sample costs to run (SPEC.md §5.7). */
  readonly cost: ModelCost;
}

/** Validates a model's `tensors`: a Map of up to LIMITS.maxTensors names (1 to 1024 characters) → tensor. */
export function checkModelTensors(value: unknown): Map<string, Tensor> {
  if (!(value instanceof Map))
    fail("INVALID_ARGUMENT", "model.tensors", `expected a Map of name → tensor, got ${describe(value)}`);
  const source = value as Map<unknown, unknown>;
  if (source.size > LIMITS.maxTensors)
    fail("TOO_LARGE", "model.tensors", `${source.size} tensors exceed the cap of ${LIMITS.maxTensors}`);
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of source) {
    if (typeof name !== "string" || name.length === 0 || name.length > LIMITS.maxNameLength) {
      fail(
        "BAD_TENSOR",
        "model.tensors",
        `tensor names are strings of 1 to 1024 characters, got ${describe(name)}`,
      );
    }
    tensors.set(name, checkTensor(name, t));
  }
  return tensors;
}

/**
 * Validates a whole in-memory model (what `writeModel` does before writing a byte): tensors, graph
 * structure and meaning, tensor contents, metadata. Returns a canonical copy (typed arrays shared).
 */
export function checkModel(model: OnebitModel): CheckedModel {
  const m = asObject(model, "model", "INVALID_ARGUMENT");
  const tensors = checkModelTensors(m["tensors"]);
  const graph: Graph = parseGraph(m["graph"]);
  const values = inferValueInfos(graph, (name) => tensors.get(name));
  checkTensorValues(graph, tensors);
  const metadata: ModelMetadata = parseMetadata(m["metadata"], outputClassCount(graph, values));
  const cost = modelCost(graph, values, (name) => tensors.get(name));
  return { model: { graph, tensors, metadata }, values, cost };
}
