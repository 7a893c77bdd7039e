import { isSharedMemory } from "@onebit/bitops";
import type { MemoryViews } from "./memory-views.js";
import type { Step } from "./plan.js";
import type { WasmGlueSteps } from "./wasm-glue-steps.js";

/**
 * The float glue for the WebAssembly backends (assembly/float-glue.ts, ~4 KB, instantiated over the
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

/** What runs a plan's float steps: the native glue, the WebAssembly glue, or the TypeScript steps (same results). */
export type FloatGlueKernels = "native" | "wasm" | "typescript";

/** What runs a session's float steps on the calling thread, and why (`getBackendInfo().floatGlue`). */
export interface FloatGlueInfo {
  readonly kernels: FloatGlueKernels;
  readonly reason: string;
}

type GlueKey = "plain" | "shared";

/**
 * The glue's compiled modules (plain and shared memory) and the steps that call them
 * (wasm-glue-steps.ts), loaded on demand: chunks of their own, which browser bundles fetch only
 * when an engine uses the glue. A module is null where this engine could not compile it.
 */
const modules: { plain?: WebAssembly.Module | null; shared?: WebAssembly.Module | null } = {};
let steps: typeof WasmGlueSteps | undefined;
let loading: Promise<void> | undefined;
/** Why the glue cannot run, once known: its chunks did not load, or a module did not compile. */
const failures: { load?: string; plain?: string; shared?: string } = {};

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Loads the glue's steps and compiles its modules (once; never rejects — without them the
 * TypeScript steps run). The compiles are asynchronous: a browser's main thread refuses synchronous
 * compiles of modules over 4 KB, and the glue is close to that size.
 */
export function loadWasmFloatGlue(): Promise<void> {
  loading ??= Promise.all([
    import("./wasm/float-glue.generated.js"),
    import("./wasm/float-glue-shared.generated.js"),
    import("./wasm-glue-steps.js"),
  ]).then(
    async ([plain, shared, glueSteps]) => {
      await Promise.all([
        compile("plain", plain.FLOAT_GLUE_WASM_BASE64),
        compile("shared", shared.FLOAT_GLUE_SHARED_WASM_BASE64),
      ]);
      steps = glueSteps.WasmGlueSteps;
    },
    (error: unknown) => {
      failures.load = `the glue's code could not be loaded (${describe(error)})`;
    },
  );
  return loading;
}

async function compile(key: GlueKey, base64: string): Promise<void> {
  try {
    modules[key] = await WebAssembly.compile(decode(base64) as BufferSource);
  } catch (error) {
    // E.g. an engine without WebAssembly SIMD (the glue uses v128): its steps stay in TypeScript.
    modules[key] = null;
    failures[key] = `this JavaScript engine cannot compile it (${describe(error)})`;
  }
}

function decode(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

const keyOf = (memory: WebAssembly.Memory): GlueKey => (isSharedMemory(memory) ? "shared" : "plain");

/**
 * Why the glue cannot run over `memory` now, or undefined when it can. While it is not loaded,
 * this call starts loading it (an engine made by `createSync` runs TypeScript steps until then).
 */
export function wasmGlueUnavailable(memory: WebAssembly.Memory): string | undefined {
  if (failures.load) return failures.load;
  if (!steps) {
    void loadWasmFloatGlue();
    return "the WebAssembly glue is still loading (Engine.create waits for it; createSync does not)";
  }
  const key = keyOf(memory);
  return modules[key] ? undefined : failures[key];
}

/** The glue instantiated over `memory` (plain or shared), or undefined where it cannot run now (see wasmGlueUnavailable). */
export function wasmFloatGlue(memory: WebAssembly.Memory): FloatGlueExports | undefined {
  if (wasmGlueUnavailable(memory) !== undefined) return undefined;
  const module = modules[keyOf(memory)]!;
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as FloatGlueExports;
}

/** The glue's steps for a plan over `memory`, or undefined while the glue is not loaded (or cannot run here). */
export function wasmGlueSteps(
  memory: WebAssembly.Memory,
  planSteps: readonly Step[],
  views: MemoryViews,
): WasmGlueSteps | undefined {
  const glue = wasmFloatGlue(memory);
  return glue && new steps!(glue, planSteps, views);
}
