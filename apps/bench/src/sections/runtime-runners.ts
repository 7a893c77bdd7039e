import type { KernelBackend } from "@onebit/bitops";
import * as runtime from "@onebit/runtime";
import { importOptional } from "../harness/optional-import.js";

/**
 * The two ways the benchmark runs a .onebit file: @onebit/runtime's Engine on the calling thread
 * (synchronous), and @onebit/runtime-node's InferenceSession with worker threads (loaded when that
 * package is installed; it arrived after the runtime).
 */
export interface ModelRunner {
  readonly label: string;
  readonly threads: number;
  run(x: Uint8Array | Float32Array): Float32Array | Promise<Float32Array>;
  dispose(): void | Promise<void>;
  /** The planned activation memory per sample (Engine only). */
  readonly activationBytesPerSample?: number;
}

/**
 * @onebit/runtime's Engine on one kernel backend (default: the auto-selected one). The runtime takes
 * "native" through "auto" (which prefers it once @onebit/native is registered); an engine that ends
 * up on another backend than asked is refused, so no row is mislabelled.
 */
export function engineRunner(file: Uint8Array, batch: number, backend?: KernelBackend): ModelRunner {
  const option = backend === undefined || backend === "native" ? "auto" : backend;
  const engine = runtime.Engine.createSync(file, { maxBatch: batch, backend: option });
  if (backend !== undefined && engine.backend !== backend) {
    void engine.dispose();
    throw new Error(`@onebit/runtime Engine: asked for backend ${backend}, got ${engine.backend}`);
  }
  return {
    label: `@onebit/runtime Engine (${engine.backend})`,
    activationBytesPerSample: engine.memoryInfo.activationBytesPerSample,
    threads: 1,
    run: (x) => engine.runSync(x).logits,
    dispose: () => engine.dispose(),
  };
}

interface NodeSession {
  run(x: Uint8Array | Float32Array): Promise<{ logits: Float32Array }>;
  dispose(): Promise<void> | void;
  readonly threads: number;
}

interface RuntimeNodeModule {
  InferenceSession: {
    create(source: Uint8Array, options: { threads?: number; maxBatch?: number }): Promise<NodeSession>;
  };
}

let loaded: Promise<RuntimeNodeModule | string> | undefined;

/** @onebit/runtime-node, or why it cannot be loaded. */
export function loadRuntimeNode(): Promise<RuntimeNodeModule | string> {
  loaded ??= importOptional<RuntimeNodeModule>("@onebit/runtime-node").then((r) => {
    if (!r.ok) return r.reason;
    return typeof r.module.InferenceSession?.create === "function"
      ? r.module
      : "@onebit/runtime-node has no InferenceSession.create";
  });
  return loaded;
}

export async function sessionRunner(file: Uint8Array, batch: number, threads: number): Promise<ModelRunner> {
  const m = await loadRuntimeNode();
  if (typeof m === "string") throw new Error(`@onebit/runtime-node unavailable: ${m}`);
  const session = await m.InferenceSession.create(file, { threads, maxBatch: batch });
  return {
    label: "@onebit/runtime-node InferenceSession",
    threads: session.threads,
    run: async (x) => (await session.run(x)).logits,
    dispose: () => session.dispose(),
  };
}

/** One plan step's median time, as @onebit/runtime's `Engine.profile` reports it. */
export interface StepTiming {
  readonly node: string;
  readonly op: string;
  readonly rows: number;
  readonly batch: number;
  readonly ms: number;
}

export interface LayerProfile {
  readonly model: string;
  readonly batch: number;
  readonly repeats: number;
  readonly steps: StepTiming[];
}

/**
 * Per-layer times of a .onebit model from the runtime's own profiler (each step's median over
 * `repeats` passes on the calling thread), or undefined where this @onebit/runtime has no profile().
 */
export function profileModel(
  model: string,
  file: Uint8Array,
  x: Uint8Array | Float32Array,
  batch: number,
  repeats: number,
  backend?: KernelBackend,
): LayerProfile | undefined {
  const option = backend === undefined || backend === "native" ? "auto" : backend;
  const engine = runtime.Engine.createSync(file, { maxBatch: batch, backend: option });
  try {
    const profile = (engine as unknown as { profile?: (x: unknown, o: { repeats: number }) => StepTiming[] })
      .profile;
    if (typeof profile !== "function") return undefined;
    return { model, batch, repeats, steps: profile.call(engine, x, { repeats }) };
  } finally {
    void engine.dispose();
  }
}

/** A runtime row's impl id: `onebit-runtime` (auto backend), `onebit-runtime-wasm-i64`, `onebit-runtime-2t`. */
export function runtimeImpl(threads: number, backend?: KernelBackend): string {
  if (threads > 1) return `onebit-runtime-${threads}t`;
  return backend === undefined ? "onebit-runtime" : `onebit-runtime-${backend}`;
}
