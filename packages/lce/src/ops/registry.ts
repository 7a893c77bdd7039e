import type { ImportContext } from "../import-context.js";
import type { TfliteOperator } from "../read-tflite.js";

/** Turns one TFLite operator into graph nodes (one module per op family registers its importers). */
export type OpImporter = (ctx: ImportContext, op: TfliteOperator) => void;
