import { GRAPH_PLANNING } from "./graph-planning.js";
import { GRAPH_STEPS, type GraphSupport } from "./graph-support.js";

// The Node.js build (and the tests): the graph code is part of the entry, so every model plans
// synchronously. Browser builds use graph-loader.browser.ts, which loads it on demand.

const GRAPH_SUPPORT: GraphSupport = { ...GRAPH_STEPS, ...GRAPH_PLANNING };

/** Loads the code version 2 graph models need (here: already loaded). */
export function loadGraphSupport(): Promise<void> {
  return Promise.resolve();
}

/** The graph code, when loaded. */
export function loadedGraphSupport(): GraphSupport | undefined {
  return GRAPH_SUPPORT;
}

/** The graph code, which `what` needs. */
export function requireGraphSupport(_what: string): GraphSupport {
  return GRAPH_SUPPORT;
}
