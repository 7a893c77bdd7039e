import { isDepthwise } from "./depthwise-steps.js";
import { asFusedStep, bounds, fusedElementwiseRows, singlePass } from "./fused-steps.js";
import {
  addRows,
  avgPoolRows,
  bconvGenericRows,
  channelwiseRows,
  concatRows,
  conv2dGenericRows,
  padRows,
  signRows,
} from "./graph-steps.js";
import type { GraphPlanning } from "./graph-planning.js";
import type { MemoryViews } from "./memory-views.js";
import type { GRAPH_STEP_OPS, Step } from "./plan.js";

// The graph code: what only version 2 graphs need to plan and run — the lowering of the ops a
// version 1 chain never has and elementwise fusion (graph-planning.ts), and here the TypeScript steps
// of those ops (workers run them too). The Node.js build has it in its entry; browser builds load it on
// demand (graph-loader.browser.ts), so pages that run version 1 chains never download it. (Reading
// and checking a version 2 file is @onebit/format's, whose version 2 code shares files with what
// version 1 chains use, so bundlers keep it with that anyway; workers never read models.)

export type GraphStep = Extract<Step, { op: (typeof GRAPH_STEP_OPS)[number] }>;

/** Rows [rowStart, rowEnd) of a step only graphs have, in TypeScript. */
export function runGraphStep(v: MemoryViews, s: GraphStep, rowStart: number, rowEnd: number): void {
  switch (s.op) {
    case "channelwise":
      channelwiseRows(v, s, rowStart, rowEnd);
      return;
    case "add":
      addRows(v, s, rowStart, rowEnd);
      return;
    case "concat":
      concatRows(v, s, rowStart, rowEnd);
      return;
    case "sign":
      signRows(v, s, rowStart, rowEnd);
      return;
    case "avgPool":
      avgPoolRows(v, s, rowStart, rowEnd);
      return;
    case "pad":
      padRows(v, s, rowStart, rowEnd);
      return;
    case "bconvGeneric":
      bconvGenericRows(v, s, rowStart, rowEnd);
      return;
    case "conv2dGeneric":
      conv2dGenericRows(v, s, rowStart, rowEnd);
      return;
    case "fusedElementwise":
      fusedElementwiseRows(v, s, rowStart, rowEnd);
      return;
  }
}

/** The running half of the graph code (graph-planning.ts has the planning half). */
export const GRAPH_STEPS = {
  runGraphStep,
  // For the WebAssembly glue's calls of graph steps (wasm-glue-steps.ts, which v1 chains load too).
  asFusedStep,
  singlePass,
  bounds,
  isDepthwise,
};

/** The graph code, both halves. */
export type GraphSupport = typeof GRAPH_STEPS & GraphPlanning;
