import type {
  FloatLayerOutput,
  Graph,
  GraphNode,
  IntegerLayerOutput,
  LayerOutput,
  MaxPool2dNode,
  Normalization,
  Padding,
  Pair,
  ValueInfo,
  ValueKind,
} from "./graph.js";
import { OP_NAMES } from "./graph.js";
import {
  type JsonObject,
  asArray,
  asFiniteNumber,
  asInteger,
  asObject,
  asOneOf,
  asString,
  checkedProduct,
  fail,
  own,
} from "./json-check.js";
import { LIMITS } from "./limits.js";
import type { DType } from "./tensor.js";
import type { TensorInfo } from "./tensor-table.js";
import { windowAxis } from "./window.js";

// Two passes over a graph (SPEC.md §5): `parseGraph` checks the structure of untrusted JSON and
// rebuilds it as typed nodes holding only defined members; `inferValueInfos` checks the meaning —
// chain order, tensor references (dtype and shape), and that shapes flow consistently.

const MAX_WINDOW = 65_535;

function nodePath(i: number, name?: string): string {
  return name === undefined ? `graph.nodes[${i}]` : `graph.nodes[${i}] (${JSON.stringify(name)})`;
}

function asRef(v: unknown, path: string): string {
  return asString(v, path, "BAD_GRAPH", LIMITS.maxNameLength, 1);
}

function asPair(v: unknown, path: string): Pair {
  const a = asArray(v, path, "BAD_GRAPH", 2);
  if (a.length !== 2) fail("BAD_GRAPH", path, `expected [height, width], got ${a.length} entries`);
  return [
    asInteger(a[0], `${path}[0]`, "BAD_GRAPH", 1, MAX_WINDOW),
    asInteger(a[1], `${path}[1]`, "BAD_GRAPH", 1, MAX_WINDOW),
  ];
}

function parseNormalization(v: unknown, path: string): Normalization {
  const o = asObject(v, path, "BAD_GRAPH");
  const scale = asFiniteNumber(own(o, "scale"), `${path}.scale`, "BAD_GRAPH");
  if (scale === 0) fail("BAD_GRAPH", `${path}.scale`, "must not be 0 (it would erase the input)");
  return { scale, offset: asFiniteNumber(own(o, "offset"), `${path}.offset`, "BAD_GRAPH") };
}

function parseOutput(v: unknown, path: string, allowed: readonly LayerOutput["kind"][]): LayerOutput {
  const o = asObject(v, path, "BAD_GRAPH");
  const kind = asOneOf(own(o, "kind"), `${path}.kind`, "BAD_GRAPH", allowed);
  if (kind === "float32") return { kind };
  if (kind === "scaleBias") {
    return {
      kind,
      scale: asRef(own(o, "scale"), `${path}.scale`),
      bias: asRef(own(o, "bias"), `${path}.bias`),
    };
  }
  const thresholds = asRef(own(o, "thresholds"), `${path}.thresholds`);
  const flip = own(o, "flip");
  return flip === undefined ? { kind, thresholds } : { kind, thresholds, flip: asRef(flip, `${path}.flip`) };
}

function optionalRef(o: JsonObject, key: string, path: string): { [k: string]: string } {
  const v = own(o, key);
  return v === undefined ? {} : { [key]: asRef(v, `${path}.${key}`) };
}

function windowAttrs(o: JsonObject, path: string): { kernel: Pair; stride: Pair; padding: Padding } {
  return {
    kernel: asPair(own(o, "kernel"), `${path}.kernel`),
    stride: asPair(own(o, "stride"), `${path}.stride`),
    padding: asOneOf(own(o, "padding"), `${path}.padding`, "BAD_GRAPH", ["same", "valid"] as const),
  };
}

function parseFloatOutput(v: unknown, path: string): FloatLayerOutput {
  return parseOutput(v, path, ["float32", "bits"]) as FloatLayerOutput;
}

function parseIntegerOutput(v: unknown, path: string): IntegerLayerOutput {
  return parseOutput(v, path, ["bits", "scaleBias"]) as IntegerLayerOutput;
}

function parseNode(v: unknown, i: number): GraphNode {
  const o = asObject(v, nodePath(i), "BAD_GRAPH");
  const op = asOneOf(own(o, "op"), `${nodePath(i)}.op`, "BAD_GRAPH", OP_NAMES);
  const name = asString(own(o, "name"), `${nodePath(i)}.name`, "BAD_GRAPH", LIMITS.maxNameLength, 1);
  const path = nodePath(i, name);
  switch (op) {
    case "input": {
      const dtype = asOneOf(own(o, "dtype"), `${path}.dtype`, "BAD_GRAPH", ["float32", "uint8"] as const);
      const dims = asArray(own(o, "shape"), `${path}.shape`, "BAD_GRAPH", 3);
      if (dims.length !== 1 && dims.length !== 3) {
        fail(
          "BAD_GRAPH",
          `${path}.shape`,
          `expected [features] or [height, width, channels], got rank ${dims.length}`,
        );
      }
      const shape = dims.map((d, k) =>
        asInteger(d, `${path}.shape[${k}]`, "BAD_GRAPH", 1, LIMITS.maxValueElements),
      );
      const norm = own(o, "normalization");
      return norm === undefined
        ? { op, name, dtype, shape }
        : { op, name, dtype, shape, normalization: parseNormalization(norm, `${path}.normalization`) };
    }
    case "denseFloat":
      return {
        op,
        name,
        weights: asRef(own(o, "weights"), `${path}.weights`),
        ...optionalRef(o, "bias", path),
        output: parseFloatOutput(own(o, "output"), `${path}.output`),
      };
    case "conv2dFloat": {
      const padValue = own(o, "padValue");
      return {
        op,
        name,
        weights: asRef(own(o, "weights"), `${path}.weights`),
        ...optionalRef(o, "bias", path),
        ...windowAttrs(o, path),
        ...(padValue === undefined
          ? {}
          : { padValue: asFiniteNumber(padValue, `${path}.padValue`, "BAD_GRAPH") }),
        output: parseFloatOutput(own(o, "output"), `${path}.output`),
      };
    }
    case "conv2dBitPlane": {
      const padValue = own(o, "padValue");
      return {
        op,
        name,
        weights: asRef(own(o, "weights"), `${path}.weights`),
        ...windowAttrs(o, path),
        ...(padValue === undefined
          ? {}
          : { padValue: asInteger(padValue, `${path}.padValue`, "BAD_GRAPH", 0, 255) }),
        output: parseIntegerOutput(own(o, "output"), `${path}.output`),
      };
    }
    case "denseBitPlane":
    case "binaryDense":
      return {
        op,
        name,
        weights: asRef(own(o, "weights"), `${path}.weights`),
        output: parseIntegerOutput(own(o, "output"), `${path}.output`),
      };
    case "binaryConv2d":
      return {
        op,
        name,
        weights: asRef(own(o, "weights"), `${path}.weights`),
        ...windowAttrs(o, path),
        output: parseIntegerOutput(own(o, "output"), `${path}.output`),
      };
    case "maxPool2d":
      return { op, name, ...windowAttrs(o, path), ...optionalRef(o, "minMask", path) } as MaxPool2dNode;
    case "flatten":
    case "softmax":
    case "argmax":
      return { op, name };
  }
}

/**
 * Checks the structure of a graph from untrusted JSON (or a caller) and returns a fresh copy
 * holding only the members SPEC.md defines. Throws FormatError BAD_GRAPH / TOO_LARGE.
 */
export function parseGraph(v: unknown): Graph {
  const o = asObject(v, "graph", "BAD_GRAPH");
  const items = asArray(own(o, "nodes"), "graph.nodes", "BAD_GRAPH", LIMITS.maxNodes);
  if (items.length === 0) fail("BAD_GRAPH", "graph.nodes", "a graph needs at least its input node");
  const nodes: GraphNode[] = [];
  const names = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const node = parseNode(items[i], i);
    if (names.has(node.name))
      fail("BAD_GRAPH", `${nodePath(i)}.name`, `duplicate node name ${JSON.stringify(node.name)}`);
    names.add(node.name);
    nodes.push(node);
  }
  return { nodes };
}

type Lookup = (name: string) => TensorInfo | undefined;

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Checks a tensor reference: it must exist with the given dtype and a shape accepted by `check`
 * (which returns a description of the expected shape when it rejects). Returns the shape.
 */
function requireTensor(
  lookup: Lookup,
  ref: string,
  path: string,
  dtype: DType,
  expected: readonly number[] | ((shape: readonly number[]) => string | undefined),
): readonly number[] {
  const info = lookup(ref);
  if (!info) fail("BAD_GRAPH", path, `tensor ${JSON.stringify(ref)} is not in the tensor table`);
  if (info.dtype !== dtype)
    fail("BAD_GRAPH", path, `tensor ${JSON.stringify(ref)} has dtype ${info.dtype}, expected ${dtype}`);
  const problem =
    typeof expected === "function"
      ? expected(info.shape)
      : sameShape(info.shape, expected)
        ? undefined
        : fmt(expected);
  if (problem !== undefined) {
    fail(
      "BAD_GRAPH",
      path,
      `tensor ${JSON.stringify(ref)} has shape ${fmt(info.shape)}, expected ${problem}`,
    );
  }
  return info.shape;
}

function requireInput(
  input: ValueInfo,
  path: string,
  kinds: readonly ValueKind[],
  rank: number,
  op: string,
): readonly number[] {
  if (!kinds.includes(input.kind)) {
    fail(
      "BAD_GRAPH",
      path,
      `${op} takes ${kinds.join(" or ")} input, but the previous node produces ${input.kind}`,
    );
  }
  if (input.shape.length !== rank) {
    fail(
      "BAD_GRAPH",
      path,
      `${op} takes a rank-${rank} input, but the previous node produces ${fmt(input.shape)}`,
    );
  }
  return input.shape;
}

function valueInfo(kind: ValueKind, shape: number[], path: string): ValueInfo {
  checkedProduct(shape, LIMITS.maxValueElements, path);
  if (shape.some((d) => d === 0)) fail("BAD_GRAPH", path, `the output shape ${fmt(shape)} is empty`);
  return { kind, shape };
}

/** Checks a layer's `output` tensors for `units` output channels; returns the output kind. */
function checkOutput(
  lookup: Lookup,
  output: LayerOutput,
  units: number,
  path: string,
  integerLayer: boolean,
): ValueKind {
  if (output.kind === "float32") return "float32";
  if (output.kind === "scaleBias") {
    requireTensor(lookup, output.scale, `${path}.output.scale`, "float32", [units]);
    requireTensor(lookup, output.bias, `${path}.output.bias`, "float32", [units]);
    return "float32";
  }
  requireTensor(lookup, output.thresholds, `${path}.output.thresholds`, integerLayer ? "int32" : "float32", [
    units,
  ]);
  if (output.flip !== undefined) requireTensor(lookup, output.flip, `${path}.output.flip`, "uint8", [units]);
  return "bits";
}

function checkDot(maxAbs: number, path: string): void {
  if (maxAbs > LIMITS.maxIntegerDot) {
    fail(
      "TOO_LARGE",
      path,
      `|dot| can reach ${maxAbs}, beyond the int32 range the thresholds compare against`,
    );
  }
}

function convOutput(
  lookup: Lookup,
  node: { weights: string; kernel: Pair; stride: Pair; padding: Padding },
  inShape: readonly number[],
  path: string,
  weightDtype: DType,
): { units: number; spatial: [number, number] } {
  const [h, w, c] = inShape as [number, number, number];
  const [kh, kw] = node.kernel;
  const wShape = requireTensor(lookup, node.weights, `${path}.weights`, weightDtype, (s) =>
    s.length === 4 && s[0]! >= 1 && s[1] === kh && s[2] === kw && s[3] === c
      ? undefined
      : `[outChannels, ${kh}, ${kw}, ${c}]`,
  );
  const rows = windowAxis(h, kh, node.stride[0], node.padding);
  const cols = windowAxis(w, kw, node.stride[1], node.padding);
  if (rows.out === 0 || cols.out === 0) {
    fail("BAD_GRAPH", `${path}.kernel`, `a ${kh}×${kw} 'valid' window does not fit the ${h}×${w} input`);
  }
  return { units: wShape[0]!, spatial: [rows.out, cols.out] };
}

/**
 * The kind and shape of every node's output (`result[i]` for `graph.nodes[i]`), checking the chain:
 * one leading `input`, each op's input kind and rank, tensor references with their dtypes and
 * shapes, window sizes, integer-dot ranges and value-size caps. Throws FormatError BAD_GRAPH / TOO_LARGE.
 */
export function inferValueInfos(graph: Graph, lookup: Lookup): ValueInfo[] {
  const values: ValueInfo[] = [];
  const nodes = graph.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const path = nodePath(i, node.name);
    if ((i === 0) !== (node.op === "input")) {
      fail(
        "BAD_GRAPH",
        `${path}.op`,
        i === 0 ? `the first node must be "input", got "${node.op}"` : `only the first node may be "input"`,
      );
    }
    if (i > 0 && nodes[i - 1]!.op === "argmax")
      fail("BAD_GRAPH", path, `nothing may follow "argmax" (it ends the graph)`);
    const input = values[i - 1]!;
    switch (node.op) {
      case "input":
        values.push(valueInfo(node.dtype, [...node.shape], `${path}.shape`));
        break;
      case "denseFloat": {
        const [k] = requireInput(input, path, ["float32", "uint8", "bits"], 1, node.op) as [number];
        const [units] = requireTensor(lookup, node.weights, `${path}.weights`, "float32", (s) =>
          s.length === 2 && s[0]! >= 1 && s[1] === k ? undefined : `[units, ${k}]`,
        ) as [number];
        if (node.bias !== undefined) requireTensor(lookup, node.bias, `${path}.bias`, "float32", [units]);
        values.push(valueInfo(checkOutput(lookup, node.output, units, path, false), [units], path));
        break;
      }
      case "conv2dFloat": {
        const shape = requireInput(input, path, ["float32", "uint8"], 3, node.op);
        const { units, spatial } = convOutput(lookup, node, shape, path, "float32");
        if (node.bias !== undefined) requireTensor(lookup, node.bias, `${path}.bias`, "float32", [units]);
        values.push(
          valueInfo(checkOutput(lookup, node.output, units, path, false), [...spatial, units], path),
        );
        break;
      }
      case "denseBitPlane":
      case "binaryDense": {
        const bitPlane = node.op === "denseBitPlane";
        const [k] = requireInput(input, path, [bitPlane ? "uint8" : "bits"], 1, node.op) as [number];
        const [units] = requireTensor(lookup, node.weights, `${path}.weights`, "bit", (s) =>
          s.length === 2 && s[0]! >= 1 && s[1] === k ? undefined : `[units, ${k}]`,
        ) as [number];
        checkDot(bitPlane ? 255 * k : k, path);
        values.push(valueInfo(checkOutput(lookup, node.output, units, path, true), [units], path));
        break;
      }
      case "conv2dBitPlane":
      case "binaryConv2d": {
        const bitPlane = node.op === "conv2dBitPlane";
        const shape = requireInput(input, path, [bitPlane ? "uint8" : "bits"], 3, node.op);
        const { units, spatial } = convOutput(lookup, node, shape, path, "bit");
        const k = node.kernel[0] * node.kernel[1] * shape[2]!;
        checkDot(bitPlane ? 255 * k : k, path);
        values.push(
          valueInfo(checkOutput(lookup, node.output, units, path, true), [...spatial, units], path),
        );
        break;
      }
      case "maxPool2d": {
        const [h, w, c] = requireInput(input, path, ["float32", "bits"], 3, node.op) as [
          number,
          number,
          number,
        ];
        if (node.minMask !== undefined) {
          if (input.kind !== "bits")
            fail("BAD_GRAPH", `${path}.minMask`, "only a pool over bits can have a minMask");
          requireTensor(lookup, node.minMask, `${path}.minMask`, "bit", [c]);
        }
        const rows = windowAxis(h, node.kernel[0], node.stride[0], node.padding);
        const cols = windowAxis(w, node.kernel[1], node.stride[1], node.padding);
        if (rows.out === 0 || cols.out === 0) {
          fail(
            "BAD_GRAPH",
            `${path}.kernel`,
            `a ${node.kernel[0]}×${node.kernel[1]} 'valid' window does not fit the ${h}×${w} input`,
          );
        }
        values.push(valueInfo(input.kind, [rows.out, cols.out, c], path));
        break;
      }
      case "flatten":
        if (input.kind === "index") fail("BAD_GRAPH", path, "cannot flatten an index");
        values.push(valueInfo(input.kind, [input.shape.reduce((a, b) => a * b, 1)], path));
        break;
      case "softmax":
        values.push(valueInfo("float32", [...requireInput(input, path, ["float32"], 1, node.op)], path));
        break;
      case "argmax":
        requireInput(input, path, ["float32"], 1, node.op);
        values.push({ kind: "index", shape: [] });
        break;
    }
  }
  return values;
}

/**
 * Number of classes the graph outputs — the length of the final float vector (before `argmax`,
 * if any) — or undefined when the output is not a vector of scores (e.g. a feature map).
 */
export function outputClassCount(graph: Graph, values: readonly ValueInfo[]): number | undefined {
  const last = graph.nodes.length - 1;
  const scores = graph.nodes[last]?.op === "argmax" ? values[last - 1] : values[last];
  return scores && scores.kind === "float32" && scores.shape.length === 1 ? scores.shape[0] : undefined;
}
