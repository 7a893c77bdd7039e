import { lastWordMask } from "@onebit/bitops";
import type { Graph } from "./graph.js";
import { fail } from "./json-check.js";
import type { BitTensor, Tensor } from "./tensor.js";

// Checks on tensor contents, after the graph has checked names, dtypes and shapes (SPEC.md §4, §5.4).

/** Throws BAD_TENSOR unless every bit past `cols` in each row of `t` is 0. */
export function checkBitPadding(t: BitTensor, name: string): void {
  const { rows, cols, wordsPerRow } = t.layout;
  const used = Math.ceil(cols / 32);
  const mask = cols % 32 === 0 ? 0 : ~lastWordMask(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * wordsPerRow;
    if (mask !== 0 && (t.data[base + used - 1]! & mask) !== 0) {
      fail("BAD_TENSOR", `tensor ${JSON.stringify(name)}`, `row ${r} has bits set past column ${cols}`);
    }
    for (let w = used; w < wordsPerRow; w++) {
      if (t.data[base + w] !== 0)
        fail("BAD_TENSOR", `tensor ${JSON.stringify(name)}`, `row ${r} has bits set in padding word ${w}`);
    }
  }
}

function floatData(tensors: ReadonlyMap<string, Tensor>, ref: string): Float32Array {
  return tensors.get(ref)!.data as Float32Array;
}

function checkFloats(
  tensors: ReadonlyMap<string, Tensor>,
  ref: string,
  path: string,
  allowInfinity: boolean,
): void {
  const data = floatData(tensors, ref);
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (Number.isNaN(x) || (!allowInfinity && !Number.isFinite(x))) {
      fail("BAD_TENSOR", path, `tensor ${JSON.stringify(ref)} holds ${x} at index ${i}`);
    }
  }
}

/**
 * Content rules the graph gives its tensors: flips are 0/1; float thresholds are not NaN; float
 * weights, biases, scales are finite. The graph must already have passed `inferValueInfos`.
 */
export function checkTensorValues(graph: Graph, tensors: ReadonlyMap<string, Tensor>): void {
  graph.nodes.forEach((node, i) => {
    const path = `graph.nodes[${i}] (${JSON.stringify(node.name)})`;
    if (node.op === "denseFloat" || node.op === "conv2dFloat") {
      checkFloats(tensors, node.weights, `${path}.weights`, false);
      if (node.bias !== undefined) checkFloats(tensors, node.bias, `${path}.bias`, false);
    }
    if (!("output" in node)) return;
    const out = node.output;
    if (out.kind === "scaleBias") {
      checkFloats(tensors, out.scale, `${path}.output.scale`, false);
      checkFloats(tensors, out.bias, `${path}.output.bias`, false);
    } else if (out.kind === "bits") {
      const t = tensors.get(out.thresholds)!;
      if (t.dtype === "float32") checkFloats(tensors, out.thresholds, `${path}.output.thresholds`, true);
      if (out.flip !== undefined) {
        const flip = tensors.get(out.flip)!.data as Uint8Array;
        const bad = flip.findIndex((f) => f > 1);
        if (bad >= 0)
          fail(
            "BAD_TENSOR",
            `${path}.output.flip`,
            `tensor ${JSON.stringify(out.flip)} holds ${flip[bad]} at index ${bad}, expected 0 or 1`,
          );
      }
    }
  });
}
