import { RuntimeError } from "./errors.js";
import type { GraphSupport } from "./graph-support.js";

// Browser builds (tsup.config.ts swaps this file for graph-loader.ts): the graph code is a chunk of
// its own, loaded by `Engine.create` for version 2 models only, so pages that run version 1 chains
// never download it. Synchronous calls that plan a version 2 model (`Engine.createSync`,
// `describeCost`) need it loaded first.

let support: GraphSupport | undefined;
let loading: Promise<void> | undefined;

/** Loads the code version 2 graph models need (once; a failed load may be retried). */
export function loadGraphSupport(): Promise<void> {
  // Two chunks: workers' code leaves the planning half out (they never plan).
  loading ??= Promise.all([import("./graph-support.js"), import("./graph-planning.js")]).then(
    ([steps, planning]) => {
      support = { ...steps.GRAPH_STEPS, ...planning.GRAPH_PLANNING };
    },
    (error: unknown) => {
      loading = undefined;
      throw new RuntimeError("IO_ERROR", `the graph code could not be loaded: ${String(error)}`, {
        cause: error,
      });
    },
  );
  return loading;
}

/** The graph code, when loaded. */
export function loadedGraphSupport(): GraphSupport | undefined {
  return support;
}

/** The graph code, which `what` needs: a typed error until `loadGraphSupport` has resolved. */
export function requireGraphSupport(what: string): GraphSupport {
  if (support) return support;
  throw new RuntimeError(
    "INVALID_ARGUMENT",
    `${what}: version 2 graph models need the graph code, which this build loads on demand: await loadGraphSupport() first (Engine.create and InferenceSession.create do)`,
  );
}
