import type { KernelBackend } from "@onebit/bitops";
import type { GraphModel, ModelMetadata, OnebitModel } from "@onebit/format";
import {
  type BackendOption,
  Engine,
  type InputInfo,
  type OutputInfo,
  type PassOffloadFactory,
  type RunOptions,
} from "./engine.js";
import { RuntimeError } from "./errors.js";
import type { ModelInput } from "./input.js";
import type { RuntimeLimits } from "./limits.js";
import { type InferenceFeeds, type InferenceOutputs, isFeeds } from "./named-io.js";
import type { RunResult } from "./result.js";
import type { ThreadPoolFactory } from "./threads.js";
import type { FloatGlueInfo } from "./wasm-glue.js";

/** Options every environment's `InferenceSession.create` takes (environments add their own). */
export interface SessionOptionsBase {
  /** Threads for large passes: a count, or "auto" (the default: the environment's choice). 1: no workers. */
  readonly threads?: number | "auto";
  /** Kernel backend (default "auto": the fastest this environment runs). */
  readonly backend?: BackendOption;
  /** Samples per pass; larger batches run in several passes. */
  readonly maxBatch?: number;
  /**
   * Least estimated saving, in nanoseconds, for a pass to be considered for the workers; such
   * passes then run wherever they measured faster (default 50 000; ≤ 0: the workers unmeasured).
   */
  readonly parallelThresholdNs?: number;
  /** Caps on cost, plan memory and result size (see `DEFAULT_LIMITS`); beyond one is "LIMIT_EXCEEDED". */
  readonly limits?: RuntimeLimits;
}

/** How many threads a session runs on, why, and how its workers start. */
export interface ThreadPlan {
  readonly threads: number;
  /** Why this many (shown by `getBackendInfo().reason`). */
  readonly reason: string;
  /** Starts the workers (needed when `threads` > 1). */
  readonly threadPool?: ThreadPoolFactory;
  /**
   * When the workers cannot start ("WORKER_FAILED" while creating), run on one thread instead of
   * failing, with this reason (e.g. a page whose policy forbids workers).
   */
  readonly fallbackReason?: (error: RuntimeError) => string;
  /** Runs the passes elsewhere, e.g. on a GPU (with `threads` 1; see `EngineOptions.offload`). */
  readonly offload?: PassOffloadFactory;
}

/**
 * What differs between environments, as ONNX Runtime's js/common separates it: how a source is
 * loaded, how many threads by default and how workers start, and how a creation error names its source.
 */
export interface SessionEnvironment<Source, Options extends SessionOptionsBase> {
  load(source: Source, options: Options): Promise<Uint8Array | OnebitModel | GraphModel>;
  /** `requested`: the validated `threads` option, undefined for "auto". `countRun` counts threaded passes. */
  planThreads(requested: number | undefined, options: Options, countRun: () => void): Promise<ThreadPlan>;
  nameError?(error: unknown, source: Source, model: Uint8Array | OnebitModel | GraphModel): unknown;
}

/** The threads part of `SessionBackendInfo`, fixed when a session is created. */
export type SessionThreads = Omit<SessionBackendInfo, "threadedRuns" | "backend" | "floatGlue">;

/** What a session runs on. */
export interface SessionBackendInfo {
  /** Kernels of the binary layers. */
  readonly backend: KernelBackend;
  /** Threads a large run uses: workers when > 1, else the calling thread. */
  readonly threads: number;
  /** The `threads` option (or its default). */
  readonly requestedThreads: number;
  /** Why this many threads. */
  readonly reason: string;
  /** Passes the workers have executed so far; small runs stay on the calling thread. */
  readonly threadedRuns: number;
  /**
   * What runs the float steps (convolutions, dense layers, elementwise chains) on the calling
   * thread — "native", "wasm" (the runtime's WebAssembly glue) or "typescript" (same results,
   * slower) — and why.
   */
  readonly floatGlue: FloatGlueInfo;
}

function requestedThreads(v: unknown): number | undefined {
  if (v === undefined || v === "auto") return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
    throw new RuntimeError(
      "INVALID_ARGUMENT",
      `threads: expected a positive integer or "auto", got ${String(v)}`,
    );
  return v;
}

/**
 * A loaded model ready to run (ONNX-Runtime-like), written once for every environment: each
 * environment package makes it with its `SessionEnvironment` and re-exports it. Runs are
 * serialized in call order; `dispose` stops the workers.
 */
export class InferenceSession {
  private threadedRuns = 0;

  /** Counts a pass run by the workers (environments' pools call it through `countRun`). */
  private countThreadedRun(): void {
    this.threadedRuns++;
  }

  protected constructor(
    /** The engine (e.g. for `profile`). */
    readonly engine: Engine,
    /** Size of the .onebit file in bytes (undefined for an in-memory model). */
    readonly modelBytes: number | undefined,
    private readonly info: SessionThreads,
  ) {}

  /** Creates a session in an environment: loads, validates and plans the model, starts workers when asked. */
  protected static async open<Source, Options extends SessionOptionsBase, S extends InferenceSession>(
    environment: SessionEnvironment<Source, Options>,
    source: Source,
    sessionOptions: Options | undefined,
    /** Makes the environment's session class (its constructor is protected too). */
    make: (engine: Engine, modelBytes: number | undefined, info: SessionThreads) => S,
  ): Promise<S> {
    if (sessionOptions !== undefined && (typeof sessionOptions !== "object" || sessionOptions === null)) {
      throw new RuntimeError(
        "INVALID_ARGUMENT",
        `options: expected an object or nothing, got ${sessionOptions === null ? "null" : typeof sessionOptions}`,
      );
    }
    const options = (sessionOptions ?? {}) as Options;
    const requested = requestedThreads(options.threads);
    const model = await environment.load(source, options);
    let session: S | undefined;
    const countRun = () => session?.countThreadedRun();
    const base = {
      ...(options.backend !== undefined ? { backend: options.backend } : {}),
      ...(options.maxBatch !== undefined ? { maxBatch: options.maxBatch } : {}),
      ...(options.parallelThresholdNs !== undefined
        ? { parallelThresholdNs: options.parallelThresholdNs }
        : {}),
      ...(options.limits !== undefined ? { limits: options.limits } : {}),
    };
    let engine: Engine;
    let plan: ThreadPlan;
    try {
      plan = await environment.planThreads(requested, options, countRun);
      if (plan.threads > 1) {
        try {
          engine = await Engine.create(model, {
            ...base,
            threads: plan.threads,
            threadPool: plan.threadPool!,
          });
        } catch (error) {
          if (!(error instanceof RuntimeError && error.code === "WORKER_FAILED" && plan.fallbackReason))
            throw error;
          plan = { threads: 1, reason: plan.fallbackReason(error) };
          engine = await Engine.create(model, base);
        }
      } else engine = await Engine.create(model, plan.offload ? { ...base, offload: plan.offload } : base);
    } catch (error) {
      throw environment.nameError ? environment.nameError(error, source, model) : error;
    }
    session = make(engine, model instanceof Uint8Array ? model.byteLength : undefined, {
      threads: plan.threads,
      requestedThreads: requested ?? plan.threads,
      reason: plan.reason,
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
  /** The model's name, description, labels and provenance. */
  get metadata(): ModelMetadata {
    return this.engine.metadata;
  }
  /** The kernel backend in use. */
  get backend(): KernelBackend {
    return this.engine.backend;
  }
  /** Threads large passes run on (1: the calling thread only). */
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

  /**
   * ONNX-Runtime-style: `feeds` maps the input name to a `Tensor` (`dims` the sample shape or
   * `[batch, …sampleShape]`); resolves with a `Tensor` per name of `outputNames`.
   */
  run(feeds: InferenceFeeds, options?: Pick<RunOptions, "limits">): Promise<InferenceOutputs>;
  /**
   * Runs one sample or a batch: a Float32Array (float models; bytes are read as 0..255) or a
   * Uint8Array/Uint8ClampedArray (8-bit models), with an optional explicit `shape` (`[…sampleShape]`
   * or `[batch, …sampleShape]`). Rejects with RuntimeError (SHAPE_MISMATCH, DTYPE_MISMATCH,
   * NON_FINITE_INPUT, LIMIT_EXCEEDED, DISPOSED, WORKER_FAILED).
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
    return {
      ...this.info,
      backend: this.engine.backend,
      threadedRuns: this.threadedRuns,
      floatGlue: this.engine.floatGlue(),
    };
  }

  /** Stops the workers and releases the session; later runs reject with "DISPOSED". Idempotent. */
  dispose(): Promise<void> {
    return this.engine.dispose();
  }

  get disposed(): boolean {
    return this.engine.disposed;
  }
}
