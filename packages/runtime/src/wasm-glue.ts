import { isSharedMemory } from "@onebit/bitops";
import type { MemoryViews } from "./memory-views.js";
import type { Step } from "./plan.js";
import type { WasmGlueSteps } from "./wasm-glue-steps.js";

/**
 * The float glue for the WebAssembly backends (assembly/float-glue.ts, 3 KB, instantiated over the
 * engine's own memory): float/grouped/depthwise convolutions, dense layers, the fused clamp →
 * affine → add → clamp → prelu → sign chain (standalone batchNorm/mul/prelu/relu/clamp steps as
 * one-part chains) and float max-pool, bit-identical to the TypeScript steps (float64 in
 * their order, f64.max/min = Math.max/min). Steps it does not cover (bit epilogues, other chains)
 * stay in TypeScript; `run` returns false for them.
 */
export interface FloatGlueExports {
  conv(
    x: number,
    w: number,
    bias: number,
    out: number,
    height: number,
    width: number,
    channels: number,
    n: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
    padTop: number,
    padLeft: number,
    outH: number,
    outW: number,
    groups: number,
    pad: number,
    r0: number,
    r1: number,
  ): void;
  affine(
    src: number,
    other: number,
    dst: number,
    positions: number,
    c: number,
    mode: number,
    clamp: number,
    lo: number,
    hi: number,
    after: number,
    lo2: number,
    hi2: number,
    p0: number,
    p1: number,
    p2: number,
    p3: number,
    epsilon: number,
    bits: number,
    wpp: number,
    thresholds: number,
    flip: number,
    prelu: number,
  ): void;
  maxPool(
    x: number,
    out: number,
    height: number,
    width: number,
    depth: number,
    ph: number,
    pw: number,
    sh: number,
    sw: number,
    padTop: number,
    padLeft: number,
    outH: number,
    outW: number,
    r0: number,
    r1: number,
  ): void;
}

/**
 * The module bytes and the steps that call them (wasm-glue-steps.ts), loaded on demand (chunks of
 * their own: browser bundles fetch them only when an engine uses the glue).
 */
let sources: { plain: string; shared: string; steps: typeof WasmGlueSteps } | undefined;
let loading: Promise<void> | undefined;
/** Compiled modules; null where this engine cannot compile the glue (no WebAssembly SIMD). */
const modules: { plain?: WebAssembly.Module | null; shared?: WebAssembly.Module | null } = {};

/** Loads the glue's module bytes and steps (once; never rejects — without them the TypeScript steps run). */
export function loadWasmFloatGlue(): Promise<void> {
  loading ??= Promise.all([
    import("./wasm/float-glue.generated.js"),
    import("./wasm/float-glue-shared.generated.js"),
    import("./wasm-glue-steps.js"),
  ]).then(
    ([plain, shared, steps]) => {
      sources = {
        plain: plain.FLOAT_GLUE_WASM_BASE64,
        shared: shared.FLOAT_GLUE_SHARED_WASM_BASE64,
        steps: steps.WasmGlueSteps,
      };
    },
    () => undefined,
  );
  return loading;
}

function decode(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * The glue instantiated over `memory` (plain or shared; compiled once per process, 3 KB, synchronous),
 * or undefined while its bytes are not loaded yet (this call starts loading them).
 */
export function wasmFloatGlue(memory: WebAssembly.Memory): FloatGlueExports | undefined {
  if (!sources) {
    void loadWasmFloatGlue();
    return undefined;
  }
  const shared = isSharedMemory(memory);
  const key = shared ? "shared" : "plain";
  if (modules[key] === null) return undefined;
  if (modules[key] === undefined) {
    try {
      modules[key] = new WebAssembly.Module(decode(sources[key]) as BufferSource);
    } catch {
      // An engine without WebAssembly SIMD (the glue uses v128): its steps stay in TypeScript.
      modules[key] = null;
      return undefined;
    }
  }
  return new WebAssembly.Instance(modules[key], { env: { memory } }).exports as unknown as FloatGlueExports;
}

/** The glue's steps for a plan over `memory`, or undefined while the glue is not loaded (or cannot run here). */
export function wasmGlueSteps(
  memory: WebAssembly.Memory,
  steps: readonly Step[],
  views: MemoryViews,
): WasmGlueSteps | undefined {
  const glue = wasmFloatGlue(memory);
  return glue && new sources!.steps(glue, steps, views);
}
