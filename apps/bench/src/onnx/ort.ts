import type * as OrtModule from "onnxruntime-node";
import { importOptional } from "../harness/optional-import.js";

/**
 * onnxruntime-node, the peer baseline, loaded lazily: it is an optional dependency of the benchmark, so a
 * machine without it still runs every other section (its rows are skipped with the reason).
 */
export type Ort = typeof OrtModule;
export type OrtSession = OrtModule.InferenceSession;

let loaded: Promise<{ ort?: Ort; reason?: string }> | undefined;

export function loadOrt(): Promise<{ ort?: Ort; reason?: string }> {
  loaded ??= importOptional<Ort>("onnxruntime-node").then((r) =>
    r.ok ? { ort: (r.module as { default?: Ort }).default ?? r.module } : { reason: r.reason },
  );
  return loaded;
}

/** A CPU session on `threads` intra-op threads (1 = the calling thread only). */
export async function createOrtSession(
  ort: Ort,
  model: Uint8Array | string,
  threads: number,
): Promise<OrtSession> {
  const options: OrtModule.InferenceSession.SessionOptions = {
    executionProviders: ["cpu"],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  };
  // A path lets ORT read the file itself, so the process never holds the model's bytes in JavaScript.
  return typeof model === "string"
    ? ort.InferenceSession.create(model, options)
    : ort.InferenceSession.create(model, options);
}

/** Runs a one-input, one-output float32 session and returns the output's data. */
export async function runOrt(
  ort: Ort,
  session: OrtSession,
  data: Float32Array,
  dims: readonly number[],
): Promise<Float32Array> {
  const input = new ort.Tensor("float32", data, dims);
  const out = await session.run({ [session.inputNames[0]!]: input });
  const y = out[session.outputNames[0]!]!;
  return y.data as Float32Array;
}

export async function ortVersion(): Promise<string | undefined> {
  const { ort } = await loadOrt();
  return ort?.env.versions?.common;
}
