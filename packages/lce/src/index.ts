export type { BuiltinOptions } from "./builtin-options.js";
export { type CustomOptions, decodeCustomOptions } from "./custom-options.js";
export { LceError, type LceErrorCode } from "./errors.js";
export { DEFAULT_LIMITS, type ImportLimits } from "./limits.js";
export { readTflite, type TfliteModel, type TfliteOperator, type TfliteTensor } from "./read-tflite.js";
export * as tfliteSchema from "./schema.js";
export type * from "./graph.js";
export { importLceModel } from "./import-graph.js";
export { type ModelCensus, modelCensus } from "./census.js";
export {
  type GraphModelDraft,
  type GraphModelOptions,
  LARQ_ZOO_PREPROCESSING,
  toGraphModel,
} from "./to-graph-model.js";
