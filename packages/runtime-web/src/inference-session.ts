import {
  type KernelBackend,
  compileKernelModuleAsync,
  getBackendInfo as getKernelInfo,
  initBitops,
} from "@onebit/bitops";
import {
  type BackendOption,
  Engine,
  type InferenceFeeds,
  type InferenceOutputs,
  type InputInfo,
  type ModelInput,
  type OutputInfo,
  type RunOptions,
  type RunResult,
  RuntimeError,
  type RuntimeLimits,
  isFeeds,
} from "@onebit/runtime";
import { type ThreadSupport, defaultThreads, detectThreadSupport } from "./environment.js";
import { type FetchOptions, type ModelSource, loadModelBytes } from "./model-bytes.js";
import { webWorkerPool } from "./web-worker-pool.js";

export interface SessionOptions extends FetchOptions {
  /**
   * Threads for large runs: a count, or "auto" (default): up to 4 (the device's cores) on a
   * cross-origin isolated page, else 1. More than 1 where threads are unavailable (no COOP/COEP)
   * falls back to 1, and `getBackendInfo().reason` says why.
   */
  readonly threads?: number | "auto";
  /** Kernel backend (default "auto": the fastest this browser runs). */
  readonly backend?: BackendOption;
  /** Samples per pass; larger batches run in several passes. */
  readonly maxBatch?: number;
  /**
   * Least estimated saving, in nanoseconds, for a pass to be considered for the workers (posting to
   * workers costs tens of microseconds). Default: @onebit/runtime's (50 000 ns).
   */
  readonly parallelThresholdNs?: number;
  /**
   * Caps on the model's cost, its plan's memory and each run's result (defaults: `DEFAULT_LIMITS`:
   * 2³³ MACs and 2³⁰ comparisons per sample, 1 GiB of plan memory, 256 MiB per result), checked
   * before anything is allocated or a worker started; beyond one is RuntimeError "LIMIT_EXCEEDED".
   */
  readonly limits?: RuntimeLimits;
}

/** What a session runs on. */
export interface SessionBackendInfo {
  /** Kernels of the binary layers. */
  readonly backend: KernelBackend;
  /** Threads a large run uses: Web Workers when > 1, else the calling thread. */
  readonly threads: number;
  /** The `threads` option (or its default). */
  readonly requestedThreads: number;
  readonly crossOriginIsolated: boolean;
  /** Why this many threads. */
  readonly reason: string;
  /** Runs (passes) the workers have executed so far; small runs stay on the calling thread. */
  readonly threadedRuns: number;
}

/**
 * The engine's model errors say "model bytes" (it never sees where they came from); for a URL or a
 * Response, name it, and say so when the server sent a text page (e.g. an HTML fallback for a wrong path).
 */
function nameModelSource(error: unknown, source: ModelSource, bytes: Uint8Array): unknown {
  if (!(error instanceof RuntimeError) || !error.message.startsWith("model bytes")) return error;
  const url =
    typeof source === "string" || source instanceof URL
      ? String(source)
      : typeof Response === "function" && source instanceof Response && source.url
        ? source.url
        : undefined;
  if (url === undefined) return error;
  const text = bytes[0] === 0x3c || bytes[0] === 0x7b; // '<' or '{': an HTML/XML page or JSON
  const hint = text ? " (the server sent a text page, not a .onebit file: is the URL right?)" : "";
  return new RuntimeError(error.code, `model ${url}${error.message.slice("model bytes".length)}${hint}`, {
    cause: error,
  });
}

function threadCount(requested: number | "auto" | undefined): number | undefined {
  if (requested === undefined || requested === "auto") return undefined;
  if (!Number.isInteger(requested) || requested < 1) {
    throw new RuntimeError(
      "INVALID_ARGUMENT",
      `threads: expected a positive integer or "auto", got ${String(requested)}`,
    );
  }
  return requested;
}

/**
 * A loaded model ready to run in a browser (ONNX Runtime Web-like). Create it with
 * `await InferenceSession.create(source, options)`; `run` resolves with logits, probabilities and
 * predictions; `dispose` stops its workers.
 */
export class InferenceSession {
  private threadedRuns = 0;

  private constructor(
    private readonly engine: Engine,
    /** Size of the .onebit file in bytes. */
    readonly modelBytes: number,
    private readonly info: Omit<SessionBackendInfo, "threadedRuns">,
  ) {}

  /**
   * Downloads (for a URL) and validates a .onebit model, plans it, and starts Web Workers when the
   * page allows threads. Rejects with `RuntimeError` ("IO_ERROR", "INVALID_MODEL", "INVALID_ARGUMENT"…).
   */
  static async create(source: ModelSource, sessionOptions?: SessionOptions): Promise<InferenceSession> {
    if (sessionOptions !== undefined && (typeof sessionOptions !== "object" || sessionOptions === null)) {
      throw new RuntimeError(
        "INVALID_ARGUMENT",
        `options: expected an object or nothing, got ${sessionOptions === null ? "null" : typeof sessionOptions}`,
      );
    }
    const options: SessionOptions = sessionOptions ?? {};
    const requested = threadCount(options.threads);
    const bytes = await loadModelBytes(source, options);
    // Compile the kernel modules asynchronously: a browser's main thread may refuse to do it synchronously.
    await initBitops();
    const support = detectThreadSupport();
    const wanted = requested ?? defaultThreads(support);
    let threads = wanted;
    let reason = support.reason;
    if (wanted > 1 && !(support.workers && support.sharedMemory)) {
      threads = 1;
      reason = `${wanted} threads requested, running on 1: ${support.reason}`;
    } else if (wanted === 1) {
      reason = requested === 1 ? "1 thread requested" : `1 thread: ${support.reason}`;
    } else reason = `${threads} Web Workers over a shared WebAssembly.Memory (${support.reason})`;

    const base = {
      ...(options.backend ? { backend: options.backend } : {}),
      ...(options.maxBatch !== undefined ? { maxBatch: options.maxBatch } : {}),
      ...(options.limits !== undefined ? { limits: options.limits } : {}),
      ...(options.parallelThresholdNs !== undefined
        ? { parallelThresholdNs: options.parallelThresholdNs }
        : {}),
    };
    let session: InferenceSession | undefined;
    let engine: Engine;
    try {
      if (threads > 1) {
        try {
          const backend =
            options.backend && options.backend !== "auto" ? options.backend : getKernelInfo().backend;
          const module = backend === "typescript" ? null : await compileKernelModuleAsync(backend, true);
          engine = await Engine.create(bytes, {
            ...base,
            threads,
            threadPool: webWorkerPool(module, () => session && session.threadedRuns++),
          });
        } catch (error) {
          if (!(error instanceof RuntimeError && error.code === "WORKER_FAILED")) throw error;
          // Workers could not start (e.g. a Content-Security-Policy without worker-src blob:): one thread still works.
          reason = `${threads} threads requested, running on 1: ${error.message}`;
          threads = 1;
          engine = await Engine.create(bytes, base);
        }
      } else engine = await Engine.create(bytes, base);
    } catch (error) {
      throw nameModelSource(error, source, bytes);
    }
    session = new InferenceSession(engine, bytes.byteLength, {
      backend: engine.backend,
      threads,
      requestedThreads: wanted,
      crossOriginIsolated: support.crossOriginIsolated,
      reason,
    });
    return session;
  }

  /** The model's input: dtype, per-sample shape, size and normalization. */
  get inputInfo(): InputInfo {
    return this.engine.inputInfo;
  }

  /** The model's output: kind, shape, classes and labels. */
  get outputInfo(): OutputInfo {
    return this.engine.outputInfo;
  }

  /** The kernel backend in use. */
  get backend(): KernelBackend {
    return this.engine.backend;
  }

  /** Threads large runs use (1: the calling thread only). */
  get threads(): number {
    return this.info.threads;
  }

  /** Names of the model's inputs (one), for `run({ [inputNames[0]]: tensor })`. */
  get inputNames(): readonly string[] {
    return this.engine.inputNames;
  }

  /** Names of the outputs `run(feeds)` returns: the scores, then softmax and argmax nodes when the graph has them. */
  get outputNames(): readonly string[] {
    return this.engine.outputNames;
  }

  /** The model's name, description, labels and provenance. */
  get metadata(): Engine["metadata"] {
    return this.engine.metadata;
  }

  /**
   * ONNX-Runtime-style: `feeds` maps the input name to a `Tensor` (`dims` the sample shape or
   * `[batch, …sampleShape]`); resolves with a `Tensor` per name of `outputNames`.
   */
  run(feeds: InferenceFeeds, options?: Pick<RunOptions, "limits">): Promise<InferenceOutputs>;
  /**
   * Runs one sample or a batch (`Float32Array`, or bytes for 8-bit images: `Uint8Array`,
   * `Uint8ClampedArray` such as canvas pixels after picking a channel). `options.shape` is the
   * sample shape or `[batch, …sampleShape]`. Runs are serialized in call order.
   */
  run(input: ModelInput, options?: RunOptions): Promise<RunResult>;
  run(input: ModelInput | InferenceFeeds, options?: RunOptions): Promise<RunResult | InferenceOutputs> {
    return isFeeds(input) ? this.engine.runFeeds(input, options) : this.engine.run(input, options);
  }

  /** `run` on the calling thread, synchronously (never uses the workers). */
  runSync(input: ModelInput, options?: RunOptions): RunResult {
    return this.engine.runSync(input, options);
  }

  /** The kernel backend and threads in use, and why. */
  getBackendInfo(): SessionBackendInfo {
    return { ...this.info, threadedRuns: this.threadedRuns };
  }

  /** Stops the workers and releases the session; later runs reject with "DISPOSED". Idempotent. */
  dispose(): Promise<void> {
    return this.engine.dispose();
  }

  get disposed(): boolean {
    return this.engine.disposed;
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
