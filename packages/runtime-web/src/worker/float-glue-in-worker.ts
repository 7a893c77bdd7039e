import { postedFloatGlue } from "./posted-kernels.js";

// What the runtime's float-glue modules (its wasm/float-glue*.generated.ts, loaded by dynamic
// import) resolve to inside the worker bundle (see scripts/build-worker.mjs): the bytes the page
// posted with "init", so the worker's code carries no copy of them. The runtime loads the glue while
// handling that message, after entry.ts recorded the bytes. Without posted bytes this module throws,
// the runtime's import fails, and the float steps run in TypeScript (the same results).

const glue = postedFloatGlue();
if (glue === null) throw new Error("the page posted no float glue");

/** The glue for a shared memory: every worker's memory is shared. */
export const FLOAT_GLUE_SHARED_WASM_BASE64: string = glue;
/** Only for an unshared memory, which a worker never has; the shared module stands in. */
export const FLOAT_GLUE_WASM_BASE64: string = glue;
