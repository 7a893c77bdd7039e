import { availableParallelism } from "node:os";
import type { ModelMetadata } from "@onebit/format";
import {
  type BackendOption,
  Engine,
  type InferenceFeeds,
  type InferenceOutputs,
  type InputInfo,
  isFeeds,
  type ModelInput,
  type OutputInfo,
  type RunOptions,
  type RunResult,
  RuntimeError,
  type RuntimeLimits,
  type WorkerInit,
} from "@onebit/runtime";
import { type ModelSource, readModelSource } from "./load.js";
import { NodeThreadPool } from "./node-pool.js";

export interface SessionOptions {
  /** Threads for large passes: a count, or "auto" (default) for `os.availableParallelism()`. 1: no workers. */
  readonly threads?: number | "auto";
  /** Kernel backend: "auto" (default, the fastest measured), "wasm-simd", "wasm-i64" or "typescript". */
  readonly backend?: BackendOption;
  /** Samples per pass; larger batches run in several passes. */
  readonly maxBatch?: number;
  /**
   * Least estimated saving (ns) for a pass to be considered for the workers; such passes then run
   * wherever they measured faster (default 50 000; ≤ 0: the workers unmeasured; -Infinity: every pass).
   */
  readonly parallelThresholdNs?: number;
  /**
   * Called when a worker dies between runs (the next run starts fresh workers). A death during a run
   * rejects that run with RuntimeError "WORKER_FAILED" instead. Default: `process.emitWarning`.
   */
  readonly onWorkerError?: (error: RuntimeError) => void;
  /**
   * Caps on the model's cost, its plan's memory and each run's result (defaults: `DEFAULT_LIMITS`:
   * 2³³ MACs and 2³⁰ comparisons per sample, 1 GiB of plan memory, 256 MiB per result), checked
   * before anything is allocated or a worker started; beyond one is RuntimeError "LIMIT_EXCEEDED".
   */
  readonly limits?: RuntimeLimits;
}

const pools = new WeakMap<InferenceSession, NodeThreadPool[]>();

/**
 * Runs a .onebit model in Node.js: `await InferenceSession.create(path | bytes, options)`, then
 * `await session.run(input)` for one sample or a batch. Large passes are split over worker threads
 * sharing the engine's WebAssembly memory; small ones run on the main thread.
 */
export class InferenceSession {
  private constructor(readonly engine: Engine) {}

  static async create(source: ModelSource, sessionOptions?: SessionOptions): Promise<InferenceSession> {
    if (sessionOptions !== undefined && (typeof sessionOptions !== "object" || sessionOptions === null)) {
      throw new RuntimeError(
        "INVALID_ARGUMENT",
        `options: expected an object or nothing, got ${sessionOptions === null ? "null" : typeof sessionOptions}`,
      );
    }
    const options: SessionOptions = sessionOptions ?? {};
    const bytes = await readModelSource(source);
    const requested = options.threads ?? "auto";
    if (requested !== "auto" && (!Number.isInteger(requested) || requested < 1)) {
      throw new RuntimeError(
        "INVALID_ARGUMENT",
        `threads: expected a positive integer or "auto", got ${String(requested)}`,
      );
    }
    const threads = requested === "auto" ? Math.max(1, availableParallelism()) : requested;
    const onWorkerError =
      options.onWorkerError ??
      ((error: RuntimeError) =>
        process.emitWarning(error.message, { type: "OnebitWorkerWarning", code: error.code }));
    const started: NodeThreadPool[] = [];
    const engine = await Engine.create(bytes, {
      threads,
      ...(options.backend !== undefined ? { backend: options.backend } : {}),
      ...(options.maxBatch !== undefined ? { maxBatch: options.maxBatch } : {}),
      ...(options.limits !== undefined ? { limits: options.limits } : {}),
      ...(options.parallelThresholdNs !== undefined
        ? { parallelThresholdNs: options.parallelThresholdNs }
        : {}),
      threadPool: async (inits: readonly WorkerInit[]) => {
        const pool = await NodeThreadPool.start(inits, { onWorkerError });
        started.push(pool);
        return pool;
      },
    });
    const session = new InferenceSession(engine);
    pools.set(session, started);
    return session;
  }

  get inputInfo(): InputInfo {
    return this.engine.inputInfo;
  }
  get outputInfo(): OutputInfo {
    return this.engine.outputInfo;
  }
  get metadata(): ModelMetadata {
    return this.engine.metadata;
  }
  /** The kernel backend in use. */
  get backend(): string {
    return this.engine.backend;
  }
  /** Threads large passes run on (1: main thread only). */
  get threads(): number {
    return this.engine.threads;
  }
  /** Names of the model's inputs (one), for `run({ [inputNames[0]]: tensor })`. */
  get inputNames(): readonly string[] {
    return this.engine.inputNames;
  }
  /** Names of the outputs `run(feeds)` returns: the scores, then softmax and argmax nodes when the graph has them. */
  get outputNames(): readonly string[] {
    return this.engine.outputNames;
  }

  /**
   * ONNX-Runtime-style: `feeds` maps the input name to a `Tensor` (`dims` the sample shape or
   * `[batch, …sampleShape]`); resolves with a `Tensor` per name of `outputNames`.
   */
  run(feeds: InferenceFeeds, options?: Pick<RunOptions, "limits">): Promise<InferenceOutputs>;
  /**
   * Runs one sample or a batch: a Float32Array (float models; a Uint8Array of bytes is read as 0..255)
   * or a Uint8Array (8-bit models), with an optional explicit `shape` (`[…sampleShape]` or
   * `[batch, …sampleShape]`). Rejects with RuntimeError (SHAPE_MISMATCH, DTYPE_MISMATCH,
   * NON_FINITE_INPUT, DISPOSED, WORKER_FAILED).
   */
  run(input: ModelInput, options?: RunOptions): Promise<RunResult>;
  run(input: ModelInput | InferenceFeeds, options?: RunOptions): Promise<RunResult | InferenceOutputs> {
    return isFeeds(input) ? this.engine.runFeeds(input, options) : this.engine.run(input, options);
  }

  /** Stops the worker threads; later runs reject with "DISPOSED". */
  dispose(): Promise<void> {
    return this.engine.dispose();
  }
}

/** The worker pools a session started, latest last (for tests and diagnostics). */
export function sessionPools(session: InferenceSession): readonly NodeThreadPool[] {
  return pools.get(session) ?? [];
}
