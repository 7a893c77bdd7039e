import { readGraphModel, runReference } from "@onebit/format";
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
 * The test images as a user hands them to the model: the raw bytes (as floats for a float32 input,
 * which the model's input normalization maps to training's [−1, 1] where it enters).
 */
function inputFor(dtype: string, images: Uint8Array): Uint8Array | Float32Array {
  return dtype === "uint8" ? images : Float32Array.from(images);
}

/**
 * Runs the exported .onebit bytes (a version 1 chain or a version 2 graph) on the test images through
 * the packed graph: XNOR-popcount over packed bits, BatchNorm folded where the exporter folded it.
 * Every model gets the raw pixel values, as a deployed model receives them, so a model whose input
 * normalization is missing or wrong fails here. "runtime-node" is the production engine (@onebit/runtime-node's
 * InferenceSession, WebAssembly or native kernels, worker threads); "reference" is @onebit/format's
 * plain interpreter of the same graph (slow, independent of the runtime).
 */
export async function predictPacked(
  bytes: Uint8Array,
  split: Split,
  engine: PackedEngine = "runtime-node",
): Promise<PackedPredictions> {
  const started = performance.now();
  const predictions = new Int32Array(split.count);
  const chunk = 1000;
  const images = (start: number, b: number) =>
    split.images.subarray(start * split.size, (start + b) * split.size);
  if (engine === "runtime-node") {
    const session = await InferenceSession.create(bytes, { threads: "auto" });
    try {
      for (let start = 0; start < split.count; start += chunk) {
        const b = Math.min(chunk, split.count - start);
        const r = await session.run(inputFor(session.inputInfo.dtype, images(start, b)), {
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
  const model = readGraphModel(bytes);
  const [input] = model.graph.inputs;
  for (let start = 0; start < split.count; start += chunk) {
    const b = Math.min(chunk, split.count - start);
    const out = Object.values(
      runReference(model, { [input!.name]: inputFor(input!.dtype, images(start, b)) }, b),
    )[0]!;
    if (out.kind === "int32" && out.data.length === b) predictions.set(out.data, start);
    else argmaxRows(out.data, b, out.data.length / b, predictions.subarray(start, start + b));
  }
  return {
    predictions,
    engine: "@onebit/format runReference (the packed graph's reference interpreter)",
    seconds: (performance.now() - started) / 1000,
  };
}
