import { writeGraphModel } from "@onebit/format";
import { type ModelCensus, modelCensus } from "./census.js";
import type { LceGraph } from "./graph.js";
import { importLceModel } from "./import-graph.js";
import type { ImportLimits } from "./limits.js";
import { readTflite } from "./read-tflite.js";
import { type GraphModelOptions, toOnebitModel } from "./to-graph-model.js";

export interface ConvertOptions extends GraphModelOptions {
  /** Caps applied while reading the .tflite file. */
  readonly limits?: Partial<ImportLimits>;
}

export interface ConvertResult {
  /** The .onebit version 2 file. */
  readonly bytes: Uint8Array;
  readonly graph: LceGraph;
  /** Operators, parameters by precision and MACs, for the converter's report. */
  readonly census: ModelCensus;
}

/** Converts an LCE `.tflite` file to a `.onebit` version 2 file in one call (what `onebit convert` does). */
export function convertLceModel(tflite: Uint8Array, options: ConvertOptions = {}): ConvertResult {
  const model = readTflite(tflite, options.limits);
  const graph = importLceModel(model);
  const bytes = writeGraphModel(toOnebitModel(graph, options));
  return { bytes, graph, census: modelCensus(model, graph) };
}
