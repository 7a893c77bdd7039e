// What the runtime's graph planning half (its graph-planning.ts, loaded by dynamic import with the
// graph code) resolves to inside the worker bundle (see scripts/build-worker.mjs): nothing — workers
// run the plan the page made and never lower a model, so their code leaves the lowering and fusion out.

export const GRAPH_PLANNING = {};
