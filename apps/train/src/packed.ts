import { type OnebitModel, readModel } from "@onebit/format";
import { runReference } from "@onebit/nn";
import type { Split } from "./data.js";

/** Classes predicted by the packed inference graph of an exported model, and which engine ran it. */
export interface PackedPredictions {
  readonly predictions: Int32Array;
  /** The engine that ran the packed graph. */
  readonly engine: string;
  readonly seconds: number;
}

function argmaxRows(data: Float32Array, rows: number, size: number, out: Int32Array, offset: number): void {
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 1; j < size; j++) if (data[r * size + j]! > data[r * size + best]!) best = j;
    out[offset + r] = best;
  }
}

/**
 * Runs the exported .onebit bytes on the raw test images (uint8, as the deployed model receives them)
 * through @onebit/nn's reference interpreter of the packed graph: XNOR-popcount over packed bits,
 * bit-plane first layer, BatchNorm folded into integer thresholds.
 */
export async function predictPacked(bytes: Uint8Array, split: Split): Promise<PackedPredictions> {
  const started = performance.now();
  const model: OnebitModel = readModel(bytes);
  const predictions = new Int32Array(split.count);
  const chunk = 256;
  for (let start = 0; start < split.count; start += chunk) {
    const b = Math.min(chunk, split.count - start);
    const r = runReference(model, split.images.subarray(start * split.size, (start + b) * split.size), b);
    if (r.kind === "index") predictions.set(Int32Array.from(r.data), start);
    else argmaxRows(r.data, b, r.size, predictions, start);
    // Let the event loop breathe (progress, signals) between chunks.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return {
    predictions,
    engine: "@onebit/nn runReference (packed graph reference interpreter)",
    seconds: (performance.now() - started) / 1000,
  };
}
