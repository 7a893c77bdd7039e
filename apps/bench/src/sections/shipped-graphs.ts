import path from "node:path";
import { FormatError, type GraphModel, readGraphModel, readModel, runReference } from "@onebit/format";
import { Rng } from "@onebit/tensor";
import type { CaseSpec, CheckResult } from "../harness/types.js";
import { graphToOnnx } from "../onnx/graph-to-onnx.js";
import { ortGraphCases } from "./ort-graph-case.js";

/**
 * The version 2 (graph) models shipped in models/ (the residual nets apps/train exports). The
 * shipped-models section runs version 1 chains against a float twin built layer by layer; graphs
 * are timed in the residual section instead, against their float twin from graphToOnnx (the same
 * graph in float32, ±1 as floats) in onnxruntime-node, and checked against @onebit/format's
 * reference interpreter on the same input.
 */
export interface ShippedGraph {
  /** models/<name>.onebit */
  readonly file: string;
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly model: GraphModel;
  /** The group the residual section files its rows under. */
  readonly group: string;
  /** One seeded sample in the form the graph's (single) input takes. */
  input(): Float32Array | Uint8Array;
  /** The graph's first output on `input()`, by the reference interpreter (computed once). */
  reference(): Float32Array;
  /** The float twin's ONNX bytes (built once). */
  onnx(): Uint8Array;
}

/** A shipped file as a graph, or undefined when it is a version 1 chain (read by readModel). */
export function shippedGraph(file: string, bytes: Uint8Array): ShippedGraph | undefined {
  try {
    readModel(bytes);
    return undefined;
  } catch (e) {
    if (!(e instanceof FormatError && e.code === "UNSUPPORTED_VERSION")) throw e;
  }
  const model = readGraphModel(bytes);
  const input = model.graph.inputs[0]!;
  const size = input.shape.reduce((n, d) => n * d, 1);
  let sample: Float32Array | Uint8Array | undefined;
  let logits: Float32Array | undefined;
  let onnx: Uint8Array | undefined;
  const name = model.metadata.name || path.basename(file).replace(/\.onebit$/, "");
  const graph: ShippedGraph = {
    file,
    name,
    bytes,
    model,
    group: `${name} ${input.shape.join("x")} batch 1`,
    input() {
      // Pixel values as the model takes them (its normalization is in the file).
      const rng = new Rng(size);
      sample ??= input.dtype === "uint8" ? rng.bytes(size) : Float32Array.from(rng.bytes(size));
      return sample;
    },
    reference() {
      logits ??= Float32Array.from(
        runReference(model, { [input.name]: graph.input() }, 1)[model.graph.outputs[0]!]!.data,
      );
      return logits;
    },
    onnx() {
      onnx ??= graphToOnnx(model, `${name}-float-twin`);
      return onnx;
    },
  };
  return graph;
}

/** Logits within float32 rounding of the reference's (`tolerance` relative, at least absolute). */
export function checkAgainst(
  got: Float32Array,
  want: Float32Array,
  what: string,
  tolerance: number,
): CheckResult {
  if (got.length !== want.length)
    return { ok: false, reason: `${what}: ${got.length} outputs, ${want.length} expected` };
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= tolerance * Math.max(1, Math.abs(want[i]!))))
      return { ok: false, reason: `${what}: output ${i} = ${got[i]}, reference ${want[i]}` };
  }
  return { ok: true };
}

/** The graph's float twin in onnxruntime-node: 1 thread (the group's baseline) and `threads` when more. */
export function shippedGraphOrtCases(g: ShippedGraph, threads: number): CaseSpec<Float32Array>[] {
  return ortGraphCases(
    {
      group: g.group,
      what: `${g.name}'s float twin (the same graph in float32)`,
      onnx: () => g.onnx(),
      input: () => Float32Array.from(g.input()),
      dims: [1, ...g.model.graph.inputs[0]!.shape],
      // The twin sums ±1 products in float32 in another order: exact for the binary parts, float32
      // rounding in the float stem and head.
      check: (y) => checkAgainst(y, g.reference(), `onnxruntime-node ${g.name} twin`, 1e-3),
    },
    threads,
  );
}
