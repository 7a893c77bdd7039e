import type { OnebitModel } from "@onebit/format";
import { argmaxRows } from "@onebit/tensor";
import { NnError } from "../errors.js";
import type { Sequential } from "../model.js";
import { runReference } from "./reference.js";

export interface ExportCheck {
  readonly samples: number;
  /** Share of samples whose predicted class is the same in the graph and in the model. */
  readonly agreement: number;
  /** Indices of samples predicted differently. */
  readonly mismatches: number[];
  /** Largest |graph logit − model logit| (NaN when the graph ends in softmax/argmax). */
  readonly maxLogitDifference: number;
}

/**
 * Runs `exported` with the plain reference interpreter and `model.predict` (evaluation mode) on
 * the same inputs — raw values as the graph's input node receives them, normalized for the model
 * exactly as the runtime does — and compares their predictions.
 */
export function verifyExport(
  model: Sequential,
  exported: OnebitModel,
  x: Float32Array | Uint8Array,
): ExportCheck {
  const input = exported.graph.nodes[0];
  if (input?.op !== "input")
    throw new NnError("INVALID_ARGUMENT", "the exported graph does not start with an input node");
  const size = input.shape.reduce((a, b) => a * b, 1);
  const n = x.length / size;
  if (!Number.isInteger(n))
    throw new NnError("SHAPE_MISMATCH", `verifyExport: ${x.length} values are not whole samples of ${size}`);
  const norm = input.normalization;
  const f = Math.fround;
  const modelInput = Float32Array.from(x, (v) => (norm ? f(f(v * norm.scale) + norm.offset) : v));
  const logits = model.predict(modelInput);
  const ref = runReference(exported, x, n);
  const classes = model.classes;
  const mismatches: number[] = [];
  let maxDiff = 0;
  const lastOp = exported.graph.nodes.at(-1)!.op;
  const predicted = argmaxRows(logits, n, classes);
  const graphPredicted = ref.kind === "index" ? ref.data : argmaxRows(ref.data, n, ref.size);
  for (let i = 0; i < n; i++) {
    const mine = predicted[i]!;
    const theirs = graphPredicted[i]!;
    if (mine !== theirs) mismatches.push(i);
    if (lastOp !== "softmax" && lastOp !== "argmax") {
      for (let j = 0; j < classes; j++)
        maxDiff = Math.max(maxDiff, Math.abs(ref.data[i * classes + j]! - logits[i * classes + j]!));
    }
  }
  return {
    samples: n,
    agreement: n > 0 ? 1 - mismatches.length / n : 1,
    mismatches,
    maxLogitDifference: lastOp === "softmax" || lastOp === "argmax" ? Number.NaN : maxDiff,
  };
}
