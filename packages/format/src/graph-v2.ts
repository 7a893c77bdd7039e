import type { ModelMetadata, Normalization } from "./graph.js";
import { asArray, asFiniteNumber, asInteger, asObject, asOneOf, asString, fail, own } from "./json-check.js";
import { LIMITS } from "./limits.js";
import { type RequireTensor, type ValueInfoV2, fmt, value } from "./ops/op.js";
import { type GraphNodeV2, OP_NAMES_V2, opDef } from "./ops/table.js";
import type { Tensor } from "./tensor.js";
import type { TensorInfo } from "./tensor-table.js";

// Version 2 graphs (SPEC.md appendix C): named values, one value per node, topological order fixed
// by the file, every value consumed. Structure and meaning are checked by iterating over the op
// table (ops/table.ts); nothing here knows an op by name.

/** A graph input (SPEC.md C.1). */
export interface GraphInput {
  readonly name: string;
  readonly dtype: "float32" | "uint8";
  readonly shape: readonly number[];
  readonly normalization?: Normalization;
}

export interface GraphV2 {
  readonly inputs: readonly GraphInput[];
  readonly outputs: readonly string[];
  readonly nodes: readonly GraphNodeV2[];
}

/** A version 2 model in memory: what `writeGraphModel` takes and `readGraphModel` returns. */
export interface GraphModel {
  readonly graph: GraphV2;
  readonly tensors: ReadonlyMap<string, Tensor>;
  readonly metadata: ModelMetadata;
}

const MAX_IO = 16;

function nodePath(i: number, name?: string): string {
  return name === undefined ? `graph.nodes[${i}]` : `graph.nodes[${i}] (${JSON.stringify(name)})`;
}

function parseInput(v: unknown, i: number): GraphInput {
  const path = `graph.inputs[${i}]`;
  const o = asObject(v, path, "BAD_GRAPH");
  const name = asString(own(o, "name"), `${path}.name`, "BAD_GRAPH", LIMITS.maxNameLength, 1);
  const dtype = asOneOf(own(o, "dtype"), `${path}.dtype`, "BAD_GRAPH", ["float32", "uint8"] as const);
  const dims = asArray(own(o, "shape"), `${path}.shape`, "BAD_GRAPH", 3);
  if (dims.length !== 1 && dims.length !== 3)
    fail(
      "BAD_GRAPH",
      `${path}.shape`,
      `expected [features] or [height, width, channels], got rank ${dims.length}`,
    );
  const shape = dims.map((d, k) =>
    asInteger(d, `${path}.shape[${k}]`, "BAD_GRAPH", 1, LIMITS.maxValueElements),
  );
  const n = own(o, "normalization");
  if (n === undefined) return { name, dtype, shape };
  const no = asObject(n, `${path}.normalization`, "BAD_GRAPH");
  const scale = asFiniteNumber(own(no, "scale"), `${path}.normalization.scale`, "BAD_GRAPH");
  if (scale === 0) fail("BAD_GRAPH", `${path}.normalization.scale`, "must not be 0");
  const offset = asFiniteNumber(own(no, "offset"), `${path}.normalization.offset`, "BAD_GRAPH");
  return { name, dtype, shape, normalization: { scale, offset } };
}

/**
 * Checks the structure of a version 2 graph from untrusted JSON (or a caller) and returns a copy
 * holding only what SPEC.md appendix C defines: inputs, outputs, nodes with their op's attributes.
 * Names are unique, inputs refer to earlier values. Throws FormatError BAD_GRAPH / TOO_LARGE.
 */
export function parseGraphV2(v: unknown): GraphV2 {
  const o = asObject(v, "graph", "BAD_GRAPH");
  const inputs = asArray(own(o, "inputs"), "graph.inputs", "BAD_GRAPH", MAX_IO).map(parseInput);
  if (inputs.length === 0) fail("BAD_GRAPH", "graph.inputs", "a graph needs at least one input");
  const known = new Set<string>();
  inputs.forEach((input, i) => {
    if (known.has(input.name))
      fail("BAD_GRAPH", `graph.inputs[${i}].name`, `duplicate name ${JSON.stringify(input.name)}`);
    known.add(input.name);
  });
  const items = asArray(own(o, "nodes"), "graph.nodes", "BAD_GRAPH", LIMITS.maxNodes);
  const nodes: GraphNodeV2[] = items.map((item, i) => {
    const n = asObject(item, nodePath(i), "BAD_GRAPH");
    const op = asOneOf(own(n, "op"), `${nodePath(i)}.op`, "BAD_GRAPH", OP_NAMES_V2);
    const name = asString(own(n, "name"), `${nodePath(i)}.name`, "BAD_GRAPH", LIMITS.maxNameLength, 1);
    const path = nodePath(i, name);
    const def = opDef(op)!;
    const refs = asArray(own(n, "inputs"), `${path}.inputs`, "BAD_GRAPH", def.arity[1]);
    if (refs.length < def.arity[0])
      fail("BAD_GRAPH", `${path}.inputs`, `${op} takes at least ${def.arity[0]} inputs, got ${refs.length}`);
    const inputNames = refs.map((r, k) => {
      const s = asString(r, `${path}.inputs[${k}]`, "BAD_GRAPH", LIMITS.maxNameLength, 1);
      if (!known.has(s))
        fail(
          "BAD_GRAPH",
          `${path}.inputs[${k}]`,
          `${JSON.stringify(s)} is not a graph input or an earlier node (the file's order must be topological)`,
        );
      return s;
    });
    if (known.has(name)) fail("BAD_GRAPH", `${path}.name`, `duplicate value name ${JSON.stringify(name)}`);
    known.add(name);
    return { op, name, inputs: inputNames, ...def.parse(n, path) } as GraphNodeV2;
  });
  const outs = asArray(own(o, "outputs"), "graph.outputs", "BAD_GRAPH", MAX_IO);
  if (outs.length === 0) fail("BAD_GRAPH", "graph.outputs", "a graph needs at least one output");
  const outputs = outs.map((r, k) => {
    const s = asString(r, `graph.outputs[${k}]`, "BAD_GRAPH", LIMITS.maxNameLength, 1);
    if (!known.has(s))
      fail("BAD_GRAPH", `graph.outputs[${k}]`, `${JSON.stringify(s)} is not a value of the graph`);
    return s;
  });
  if (new Set(outputs).size !== outputs.length)
    fail("BAD_GRAPH", "graph.outputs", "an output is listed twice");
  return { inputs, outputs, nodes };
}

type Lookup = (name: string) => TensorInfo | undefined;

function tensorChecker(lookup: Lookup): RequireTensor {
  return (name, path, dtype, expected) => {
    const info = lookup(name);
    if (!info) fail("BAD_GRAPH", path, `tensor ${JSON.stringify(name)} is not in the tensor table`);
    if (info.dtype !== dtype)
      fail("BAD_GRAPH", path, `tensor ${JSON.stringify(name)} has dtype ${info.dtype}, expected ${dtype}`);
    const problem =
      typeof expected === "function"
        ? expected(info.shape)
        : fmt(info.shape) === fmt(expected)
          ? undefined
          : fmt(expected);
    if (problem !== undefined)
      fail(
        "BAD_GRAPH",
        path,
        `tensor ${JSON.stringify(name)} has shape ${fmt(info.shape)}, expected ${problem}`,
      );
    return info.shape;
  };
}

/**
 * The kind and shape of every value (by name), checking each node with its op's `infer` (input
 * kinds and ranks, tensor references, windows, dot ranges, value caps), that every value is
 * consumed, and that an `index` value is only an output. Throws FormatError BAD_GRAPH / TOO_LARGE.
 */
export function inferGraphValues(graph: GraphV2, lookup: Lookup): Map<string, ValueInfoV2> {
  const values = new Map<string, ValueInfoV2>();
  graph.inputs.forEach((input, i) => {
    values.set(input.name, value(input.dtype, [...input.shape], `graph.inputs[${i}].shape`));
  });
  const tensor = tensorChecker(lookup);
  const consumed = new Set<string>(graph.outputs);
  graph.nodes.forEach((node, i) => {
    const path = nodePath(i, node.name);
    const inputs = node.inputs.map((name) => {
      const v = values.get(name);
      if (!v) fail("BAD_GRAPH", `${path}.inputs`, `${JSON.stringify(name)} is not an earlier value`);
      if (v.kind === "index")
        fail(
          "BAD_GRAPH",
          `${path}.inputs`,
          `${JSON.stringify(name)} is an index (argmax), which ends the graph`,
        );
      consumed.add(name);
      return v;
    });
    const def = opDef(node.op)!;
    values.set(node.name, def.infer(node as never, inputs, tensor, path));
  });
  for (const name of values.keys()) {
    if (!consumed.has(name))
      fail(
        "BAD_GRAPH",
        "graph",
        `value ${JSON.stringify(name)} is neither consumed by a node nor a graph output`,
      );
  }
  return values;
}

/** Tensor names a graph refers to, in node order. */
export function graphTensorRefs(graph: GraphV2): string[] {
  return graph.nodes.flatMap((node) => opDef(node.op)!.tensors(node as never));
}
