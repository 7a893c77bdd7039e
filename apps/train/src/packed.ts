import { readModel } from "@onebit/format";
import { runReference } from "@onebit/nn";
import { InferenceSession } from "@onebit/runtime-node";
import { argmaxRows } from "@onebit/tensor";
import type { Split } from "./data.js";

/** Which implementation runs the exported graph. */
export type PackedEngine = "runtime-node" | "reference";

/** Classes predicted by the packed inference graph of an exported model, and which engine ran it. */
export interface PackedPredictions {
  readonly predictions: Int32Array;
  /** The engine that ran the packed graph (with its kernel backend and threads). */
  readonly engine: string;
  readonly seconds: number;
}

/**
 * Runs the exported .onebit bytes on the raw test images (uint8, as a deployed model receives them)
 * through the packed graph: XNOR-popcount over packed bits, the bit-plane first layer, BatchNorm folded
 * into integer thresholds. "runtime-node" is the production engine (@onebit/runtime-node's
 * InferenceSession, WebAssembly kernels, worker threads); "reference" is @onebit/nn's plain interpreter
 * of the same graph (slow, independent of the runtime).
 */
export async function predictPacked(
  bytes: Uint8Array,
  split: Split,
  engine: PackedEngine = "runtime-node",
): Promise<PackedPredictions> {
  const started = performance.now();
  const predictions = new Int32Array(split.count);
  const chunk = 1000;
  if (engine === "runtime-node") {
    const session = await InferenceSession.create(bytes, { threads: "auto" });
    try {
      for (let start = 0; start < split.count; start += chunk) {
        const b = Math.min(chunk, split.count - start);
        const r = await session.run(split.images.subarray(start * split.size, (start + b) * split.size), {
          shape: [b, ...session.inputInfo.shape],
        });
        argmaxRows(r.logits, b, r.logits.length / b, predictions.subarray(start, start + b));
      }
      const name = `@onebit/runtime-node InferenceSession (${session.backend}, ${session.threads} thread${session.threads === 1 ? "" : "s"})`;
      return { predictions, engine: name, seconds: (performance.now() - started) / 1000 };
    } finally {
      await session.dispose();
    }
  }
  const model = readModel(bytes);
  for (let start = 0; start < split.count; start += chunk) {
    const b = Math.min(chunk, split.count - start);
    const r = runReference(model, split.images.subarray(start * split.size, (start + b) * split.size), b);
    if (r.kind === "index") predictions.set(Int32Array.from(r.data), start);
    else argmaxRows(r.data, b, r.size, predictions.subarray(start, start + b));
  }
  return {
    predictions,
    engine: "@onebit/nn runReference (the packed graph's reference interpreter)",
    seconds: (performance.now() - started) / 1000,
  };
}
