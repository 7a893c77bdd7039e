import {
  type KernelBackend,
  compileKernelModuleAsync,
  getBackendInfo as getKernelInfo,
  initBitops,
} from "@onebit/bitops";
import {
  type BackendOption,
  type Engine,
  InferenceSession as RuntimeSession,
  RuntimeError,
  type SessionBackendInfo as RuntimeBackendInfo,
  type SessionEnvironment,
  type SessionOptionsBase,
  type SessionThreads,
} from "@onebit/runtime";
import type { WorkerFloatGlue } from "@onebit/runtime/workers";
import { type ThreadSupport, defaultThreads, detectThreadSupport } from "./environment.js";
import { type FetchOptions, type ModelSource, loadModelBytes } from "./model-bytes.js";
import type { WebGpuPlacement } from "./webgpu/index.js";

/**
 * Options of `InferenceSession.create` in a browser: @onebit/runtime's (`threads` — "auto", the
 * default, is up to 4 (the device's cores) on a cross-origin isolated page, else 1; more than 1
 * where threads are unavailable falls back to 1 and `getBackendInfo().reason` says why —,
 * `backend`, `maxBatch`, `parallelThresholdNs`, `limits`) and `signal`/`fetchOptions` for URLs.
 */
export interface SessionOptions extends Omit<SessionOptionsBase, "backend">, FetchOptions {
  /**
   * The WebAssembly kernels ("auto", "wasm-simd", …), or "webgpu" (opt-in): `run`'s passes on the
   * GPU, steps without a GPU kernel on the WebAssembly kernels (`getBackendInfo().webgpu` lists
   * them and why). Rejects with RuntimeError "INVALID_ARGUMENT" where WebGPU or an adapter is missing.
   */
  readonly backend?: BackendOption | "webgpu";
}

/** Where a "webgpu" session runs: the adapter, and the steps left to the WebAssembly kernels and why. */
export type WebGpuInfo = WebGpuPlacement;

/** What a session runs on. */
export interface SessionBackendInfo extends RuntimeBackendInfo {
  readonly crossOriginIsolated: boolean;
  /** Set for `backend: "webgpu"` sessions (`backend` is then the kernels of the steps left to WebAssembly). */
  readonly webgpu?: WebGpuInfo;
  /**
   * Once workers started: per worker, what runs the graph's float steps there ("wasm": the
   * runtime's WebAssembly float glue, posted to them; "typescript" on the TypeScript backend).
   */
  readonly workerFloatGlue?: readonly WorkerFloatGlue[];
}

/**
 * The engine's model errors say "model bytes" (it never sees where they came from); for a URL or a
 * Response, name it, and say so when the server sent a text page (e.g. an HTML fallback for a wrong path).
 */
function nameModelSource(error: unknown, source: ModelSource, model: unknown): unknown {
  if (!(error instanceof RuntimeError) || !error.message.startsWith("model bytes")) return error;
  const url =
    typeof source === "string" || source instanceof URL
      ? String(source)
      : typeof Response === "function" && source instanceof Response && source.url
        ? source.url
        : undefined;
  if (url === undefined || !(model instanceof Uint8Array)) return error;
  const text = model[0] === 0x3c || model[0] === 0x7b; // '<' or '{': an HTML/XML page or JSON
  const hint = text ? " (the server sent a text page, not a .onebit file: is the URL right?)" : "";
  return new RuntimeError(error.code, `model ${url}${error.message.slice("model bytes".length)}${hint}`, {
    cause: error,
  });
}

/** What one session's workers reported when they started (the latest pool). */
interface StartedWorkers {
  floatGlue?: readonly WorkerFloatGlue[];
}

/** The browser environment: fetched or given bytes, Web Workers on cross-origin isolated pages. */
const browserEnvironment = (
  started: StartedWorkers,
): SessionEnvironment<ModelSource, SessionOptionsBase & FetchOptions> => ({
  load: (source, options) => loadModelBytes(source, options),
  async planThreads(requested, options, countRun) {
    // Compile the kernel modules asynchronously: a browser's main thread may refuse to do it synchronously.
    await initBitops();
    const support = detectThreadSupport();
    const wanted = requested ?? defaultThreads(support);
    if (wanted > 1 && !(support.workers && support.sharedMemory))
      return { threads: 1, reason: `${wanted} threads requested, running on 1: ${support.reason}` };
    if (wanted === 1)
      return { threads: 1, reason: requested === 1 ? "1 thread requested" : `1 thread: ${support.reason}` };
    const backend = options.backend && options.backend !== "auto" ? options.backend : getKernelInfo().backend;
    // Only the WebAssembly backends post a module (the engine refuses "native" here, naming why).
    const wasm = backend === "wasm-i64" || backend === "wasm-simd";
    const module = wasm ? await compileKernelModuleAsync(backend, true) : null;
    return {
      threads: wanted,
      reason: `${wanted} Web Workers over a shared WebAssembly.Memory (${support.reason})`,
      // The pool and the worker code load here, on demand: pages that never start workers never download them.
      threadPool: async (inits) => {
        const { webWorkerPool } = await import("./web-worker-pool.js").catch((error: unknown) => {
          throw new RuntimeError("WORKER_FAILED", `the worker code could not be loaded: ${String(error)}`, {
            cause: error,
          });
        });
        return webWorkerPool(module, countRun, (pool) => {
          started.floatGlue = pool.floatGlue;
        })(inits);
      },
      // Workers could not start (e.g. a Content-Security-Policy without worker-src blob:): one thread still works.
      fallbackReason: (error) => `${wanted} threads requested, running on 1: ${error.message}`,
    };
  },
  nameError: nameModelSource,
});

/**
 * A loaded model ready to run in a browser (ONNX Runtime Web-like): @onebit/runtime's
 * `InferenceSession` with the browser environment. `await InferenceSession.create(source, options)`;
 * `run` resolves with logits, probabilities and predictions (or named tensors); `dispose` stops its workers.
 */
export class InferenceSession extends RuntimeSession {
  /** Size of the .onebit file in bytes (a browser session always loads bytes). */
  declare readonly modelBytes: number;

  /**
   * Downloads (for a URL) and validates a .onebit model, plans it, and starts Web Workers when the
   * page allows threads. Rejects with `RuntimeError` ("IO_ERROR", "INVALID_MODEL", "INVALID_ARGUMENT"…).
   */
  static async create(source: ModelSource, options?: SessionOptions): Promise<InferenceSession> {
    const started: StartedWorkers = {};
    const make = (engine: Engine, modelBytes: number | undefined, info: SessionThreads) => {
      const session = new InferenceSession(engine, modelBytes, info);
      session.started = started;
      return session;
    };
    const browser = browserEnvironment(started);
    if (options?.backend !== "webgpu")
      return RuntimeSession.open(browser, source, options as SessionOptionsBase, make);
    // Loaded only here, so that pages without WebGPU sessions never download the kernels.
    const { planWebGpu } = await import("./webgpu/index.js");
    const { backend: _, ...rest } = options;
    let gpu: Awaited<ReturnType<typeof planWebGpu>> | undefined;
    const environment: typeof browser = {
      ...browser,
      async planThreads(requested) {
        gpu = await planWebGpu(requested, (code, message, cause) =>
          cause === undefined ? new RuntimeError(code, message) : new RuntimeError(code, message, { cause }),
        );
        return gpu.threadPlan;
      },
    };
    const session = await RuntimeSession.open(environment, source, rest, make);
    session.webgpu = gpu?.placement();
    return session;
  }

  /** Set for "webgpu" sessions. */
  private webgpu: WebGpuInfo | undefined;
  /** What this session's workers reported. */
  private started: StartedWorkers = {};

  /** The kernel backend and threads in use, and why (for "webgpu": the adapter and the steps off the GPU). */
  override getBackendInfo(): SessionBackendInfo {
    const glue = this.started.floatGlue;
    const info = {
      ...super.getBackendInfo(),
      crossOriginIsolated: detectThreadSupport().crossOriginIsolated,
      ...(glue ? { workerFloatGlue: [...glue] } : {}),
    };
    const gpu = this.webgpu;
    if (!gpu) return info;
    const off = gpu.cpuSteps.map((s) => `${s.op} (${s.node}): ${s.reason}`);
    const where = `${gpu.gpuSteps} of ${gpu.gpuSteps + gpu.cpuSteps.length} steps on the GPU`;
    return {
      ...info,
      reason: `${info.reason}: ${where}${off.length ? `; on WebAssembly: ${off.join("; ")}` : ""}`,
      webgpu: gpu,
    };
  }
}

/** What a new session would run on here: kernels, thread support, default thread count. */
export interface WebBackendInfo extends ThreadSupport {
  readonly backend: KernelBackend;
  readonly wasm: boolean;
  readonly simd: boolean;
  /** Threads a session gets when `threads` is not given. */
  readonly defaultThreads: number;
}

/**
 * The kernel backend and the threads available in this page. Threads need cross-origin isolation
 * (COOP/COEP headers); without it sessions run on one thread.
 */
export function getBackendInfo(): WebBackendInfo {
  const kernels = getKernelInfo();
  const support = detectThreadSupport();
  return {
    ...support,
    backend: kernels.backend,
    wasm: kernels.wasm,
    simd: kernels.simd,
    defaultThreads: defaultThreads(support),
  };
}
