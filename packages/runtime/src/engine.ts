import {
  BitopsError,
  type BitopsKernels,
  type GemmTile,
  type KernelBackend,
  compileKernelModuleAsync,
  createKernels,
  getBackendInfo,
  initBitops,
  wasmBackendSupported,
} from "@onebit/bitops";
import type { GraphModel, ModelCost, ModelMetadata, Normalization, OnebitModel } from "@onebit/format";
import { type CompiledPlan, compilePlan, createPlanMemory, graphOutputs } from "./compile.js";
import { RuntimeError } from "./errors.js";
import { StepExecutor } from "./executor.js";
import { type ModelInput, resolveBatch, stageInput } from "./input.js";
import {
  type ResolvedLimits,
  type RuntimeLimits,
  costViolations,
  limitError,
  planViolation,
  resolveLimits,
  resultViolation,
} from "./limits.js";
import { loadGraphSupport } from "./graph-loader.js";
import { isGraphSource, loadModel } from "./model-source.js";
import { type InferenceFeeds, type InferenceOutputs, Tensor, feedFor } from "./named-io.js";
import type { PlanData } from "./plan.js";
import { BatchResult, type RunResult } from "./result.js";
import type { ThreadDispatch } from "./thread-dispatch.js";
import type { ThreadPoolFactory } from "./threads.js";
import { type FloatGlueInfo, loadWasmFloatGlue } from "./wasm-glue.js";

/** Which kernels run the binary layers: "auto" picks the fastest this engine supports. */
export type BackendOption = "auto" | KernelBackend;

export interface EngineOptions {
  /** Kernel backend (default "auto": `@onebit/bitops`' measured choice). */
  readonly backend?: BackendOption;
  /** Threads that run a pass (default 1: the calling thread). More needs `threadPool`. */
  readonly threads?: number;
  /** Starts worker threads (provided by an environment package such as @onebit/runtime-node). */
  readonly threadPool?: ThreadPoolFactory;
  /** Samples per pass; larger batches run in several passes (default: fits 64 MiB of activations, ≤ 256). */
  readonly maxBatch?: number;
  /**
   * Least estimated saving, in nanoseconds, for a pass to be considered for the workers (the
   * estimate counts dispatch and barrier costs). With a positive threshold (default 50 000) short
   * passes then run wherever they measured faster; with a threshold ≤ 0 they go to the workers
   * unmeasured (0: every pass the model says gains; −Infinity: every pass). Infinity keeps every
   * pass on the calling thread.
   */
  readonly parallelThresholdNs?: number;
  /**
   * Caps on the model's cost and the memory and output it may take (defaults: `DEFAULT_LIMITS`),
   * checked before anything is allocated; going beyond one is RuntimeError "LIMIT_EXCEEDED".
   */
  readonly limits?: RuntimeLimits;
  /**
   * Runs every pass of `run` elsewhere (e.g. on a GPU) instead of on the kernels or workers: made once
   * over the engine's memory and plan, with the engine's own steps for what it cannot run (single
   * thread only; `runSync` and `profile` stay on the kernels).
   */
  readonly offload?: PassOffloadFactory;
}

/** What an offload gets: the memory (weights filled, input staged before each `run`), the plan, and the kernels' steps. */
export interface OffloadContext {
  readonly memory: WebAssembly.Memory;
  readonly plan: PlanData;
  /** Runs step `index` of a pass over `batch` samples on the engine's kernels, on the calling thread. */
  runStep(index: number, batch: number): void;
}

/** Runs whole passes: reads the staged input from the memory and leaves the plan's output there. */
export interface PassOffload {
  run(batch: number): Promise<void>;
  close(): Promise<void>;
}

export type PassOffloadFactory = (context: OffloadContext) => Promise<PassOffload>;

export interface RunOptions {
  /** `sampleShape` for one sample or `[batch, …sampleShape]`; default: the batch follows from the length. */
  readonly shape?: readonly number[];
  /** This run's cap on the result's size (default: the session's `limits.maxResultBytes`). */
  readonly limits?: Pick<RuntimeLimits, "maxResultBytes">;
}

/** `options` of `run`/`runSync`/`profile`: undefined or an object (a `null` is a typed error, not a TypeError). */
function checkRunOptions<T extends object>(options: T | undefined | null, what: string): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new RuntimeError(
      "INVALID_ARGUMENT",
      `${what}: options must be an object or omitted, got ${options === null ? "null" : Array.isArray(options) ? "an array" : typeof options}`,
    );
  }
  return options;
}

/** One step of `Engine.profile`: the median time of a whole pass of it on the calling thread. */
export interface StepTiming {
  /** Graph node the step belongs to ("(convert)" for an inserted conversion). */
  readonly node: string;
  /** The step kind: "gemm", "conv", "im2colConv", "encodePlanes", "pool", "denseFloat", … */
  readonly op: string;
  /** Output rows of the pass (samples, or output pixels of a convolution). */
  readonly rows: number;
  readonly batch: number;
  readonly ms: number;
}

/** The model's input, as `run` expects it. */
export interface InputInfo {
  readonly name: string;
  /** "uint8": pass raw bytes (Uint8Array); "float32": pass a Float32Array (or bytes, read as 0..255). */
  readonly dtype: "float32" | "uint8";
  /** Per-sample shape: `[features]` or `[height, width, channels]`. */
  readonly shape: readonly number[];
  /** Elements per sample. */
  readonly size: number;
  /** Applied by the model to every input value: x′ = x·scale + offset. */
  readonly normalization: Normalization;
}

/** What `run` returns per sample. */
export interface OutputInfo {
  /** Name of the graph node whose value `logits` holds. */
  readonly name: string;
  /** "float32" scores or values, "int32" (exact binary dots) or "bits" (returned as ±1); all in `logits`. */
  readonly kind: "float32" | "int32" | "bits";
  /** Per-sample shape of `logits`. */
  readonly shape: readonly number[];
  /** Number of classes when the output is a vector of class scores (then probabilities/predictions exist). */
  readonly classes: number | undefined;
  readonly labels: readonly string[] | undefined;
  /** The graph ends in softmax (and so outputs probabilities) / argmax (predictions). */
  readonly softmax: boolean;
  readonly argmax: boolean;
}

/** Default least estimated saving (ns) for a pass to go to the workers. */
const DEFAULT_PARALLEL_THRESHOLD_NS = 50_000;
/** `profile`'s untimed warm-up: up to this many passes, for at most this long (at least 2 passes). */
const PROFILE_WARMUP_PASSES = 200;
const PROFILE_WARMUP_MS = 20;

function resolveBackend(choice: BackendOption | undefined): KernelBackend {
  const b = choice ?? "auto";
  if (b === "auto") return getBackendInfo().backend;
  if (b === "typescript") return b;
  if (b === "native") {
    // @onebit/native (Node.js) registers the addon with @onebit/bitops; without it, say why.
    const native = getBackendInfo().native;
    if (!native.available) {
      throw new RuntimeError("INVALID_ARGUMENT", `backend: native cannot run here: ${native.reason}`);
    }
    return b;
  }
  if (b !== "wasm-i64" && b !== "wasm-simd") {
    throw new RuntimeError(
      "INVALID_ARGUMENT",
      `backend: expected "auto", "wasm-simd", "wasm-i64", "native" or "typescript", got ${JSON.stringify(b)}`,
    );
  }
  if (!wasmBackendSupported(b)) {
    throw new RuntimeError("INVALID_ARGUMENT", `backend: ${b} cannot run in this JavaScript engine`);
  }
  return b;
}

/**
 * The GEMM tile the main thread's WebAssembly kernels chose (bitops tunes it once per process),
 * handed to the workers so that none reruns the tuning.
 */
function tunedTile(backend: KernelBackend): GemmTile | undefined {
  if (backend !== "wasm-i64" && backend !== "wasm-simd") return undefined;
  return getBackendInfo().gemmTuning?.tiles[backend];
}

function positiveInteger(v: number | undefined, what: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1) {
    throw new RuntimeError("INVALID_ARGUMENT", `${what}: expected a positive integer, got ${String(v)}`);
  }
  return v;
}

/**
 * The inference engine: validates a model, plans it once (prepacked weights and all buffers in one
 * WebAssembly memory, shared when threads are used), then runs batches in passes of up to
 * `plan.capacity` samples without allocating inside the passes. Runs are serialized.
 */
export class Engine {
  readonly inputInfo: InputInfo;
  readonly outputInfo: OutputInfo;
  readonly metadata: ModelMetadata;
  /** Names of the model's inputs (its graph's input node), for `runFeeds`. */
  readonly inputNames: readonly string[];
  /**
   * Names of the values `runFeeds` returns: the scores node, then the graph's trailing softmax
   * (probabilities) and argmax (predictions) nodes when it has them.
   */
  readonly outputNames: readonly string[];
  private readonly tailOps: readonly ("softmax" | "argmax")[];
  /** The kernel backend in use. */
  readonly backend: KernelBackend;
  /** Threads a large pass runs on (1: the calling thread only). */
  readonly threads: number;
  readonly plan: PlanData;
  /** What one sample costs (MACs by precision, comparisons, activation and weight bytes), from the model. */
  readonly cost: ModelCost;
  /** The limits in force for this engine. */
  readonly limits: ResolvedLimits;
  /** Bytes of prepacked weights and of activations per sample, and the memory's size. */
  readonly memoryInfo: {
    readonly weightBytes: number;
    readonly activationBytesPerSample: number;
    readonly totalBytes: number;
  };

  private readonly memory: WebAssembly.Memory;
  private readonly executor: StepExecutor;
  private readonly parallelThresholdNs: number;
  private readonly argmaxOfProbabilities: boolean;
  /** Where passes run and the workers, for threads > 1 (thread-dispatch.ts, loaded by `create`). */
  private dispatch: ThreadDispatch | undefined;
  private offload: PassOffload | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private isDisposed = false;

  private constructor(
    source: Uint8Array | OnebitModel | GraphModel,
    options: EngineOptions,
    private readonly threadPool: ThreadPoolFactory | undefined,
  ) {
    checkRunOptions(options, "Engine.create");
    const threads = positiveInteger(options.threads, "threads", 1);
    if (threads > 1 && !threadPool) {
      throw new RuntimeError(
        "INVALID_ARGUMENT",
        "threads > 1 needs a threadPool (use @onebit/runtime-node or @onebit/runtime-web, which provide one)",
      );
    }
    if (threads > 1 && typeof SharedArrayBuffer === "undefined") {
      throw new RuntimeError(
        "INVALID_ARGUMENT",
        "threads > 1 needs SharedArrayBuffer, which this environment lacks",
      );
    }
    const maxBatch =
      options.maxBatch === undefined ? undefined : positiveInteger(options.maxBatch, "maxBatch", 1);
    const threshold = options.parallelThresholdNs;
    if (threshold !== undefined && (typeof threshold !== "number" || Number.isNaN(threshold))) {
      throw new RuntimeError(
        "INVALID_ARGUMENT",
        `parallelThresholdNs: expected a number of nanoseconds (or ±Infinity), got ${String(threshold)}`,
      );
    }
    this.parallelThresholdNs = threshold ?? DEFAULT_PARALLEL_THRESHOLD_NS;
    this.limits = resolveLimits(options.limits);
    this.backend = resolveBackend(options.backend);
    this.threads = threads;
    const loaded = loadModel(source);
    const { graph, graphValues, cost } = loaded;
    // Bounded cost: refuse before planning, allocating or warming anything up.
    const tooCostly = costViolations(cost, this.limits)[0];
    if (tooCostly) throw limitError(tooCostly);
    this.cost = cost;
    const outputs = graphOutputs(graph);
    const compiled: CompiledPlan = compilePlan(graph, graphValues, {
      threadSlots: threads,
      ...(maxBatch ? { capacity: maxBatch } : {}),
    });
    this.plan = compiled.plan;
    const tooLarge = planViolation(this.plan.memoryBytes, this.limits);
    if (tooLarge) throw limitError(tooLarge);
    this.memory = createPlanMemory(this.plan, threads > 1);
    compiled.fill(this.memory);
    this.memoryInfo = {
      weightBytes: compiled.weightBytes,
      activationBytesPerSample: compiled.activationBytesPerSample,
      totalBytes: this.memory.buffer.byteLength,
    };
    let kernels: BitopsKernels;
    try {
      const tile = tunedTile(this.backend);
      kernels = createKernels({ backend: this.backend, memory: this.memory, ...(tile ? { tile } : {}) });
    } catch (error) {
      if (error instanceof BitopsError)
        throw new RuntimeError("INVALID_ARGUMENT", `backend: ${error.message}`, { cause: error });
      throw error;
    }
    this.executor = new StepExecutor(this.plan, kernels);

    const input = graph.graph.inputs[0]!;
    const inputShape = [...input.shape];
    this.inputInfo = {
      name: input.name,
      dtype: input.dtype,
      shape: inputShape,
      size: inputShape.reduce((p, d) => p * d, 1),
      normalization: input.normalization ?? { scale: 1, offset: 0 },
    };
    const tail = outputs.tail.map((n) => n.op);
    const scoreInfo = graphValues.get(outputs.scores)!;
    const isVector = scoreInfo.kind === "float32" && scoreInfo.shape.length === 1;
    const classes = isVector ? scoreInfo.shape[0] : undefined;
    this.outputInfo = {
      name: outputs.scores,
      kind: this.plan.output.kind,
      shape: [...scoreInfo.shape],
      classes,
      labels: classes !== undefined ? loaded.metadata.labels : undefined,
      softmax: tail.includes("softmax"),
      argmax: tail.includes("argmax"),
    };
    const softmaxNode = outputs.tail.find((n) => n.op === "softmax");
    this.argmaxOfProbabilities = outputs.tail.some(
      (n) => n.op === "argmax" && n.inputs[0] === softmaxNode?.name,
    );
    this.inputNames = Object.freeze([input.name]);
    this.outputNames = Object.freeze([outputs.scores, ...outputs.tail.map((n) => n.name)]);
    this.tailOps = tail as ("softmax" | "argmax")[];
    this.metadata = loaded.metadata;
  }

  /** Validates and plans a model (from .onebit bytes or an `OnebitModel`); starts worker threads if asked. */
  static async create(
    source: Uint8Array | OnebitModel | GraphModel,
    engineOptions?: EngineOptions,
  ): Promise<Engine> {
    const options = checkRunOptions(engineOptions, "Engine.create");
    // Compile the kernel modules asynchronously first: browsers refuse synchronous compiles of
    // modules over 4 KB on their main thread (the engine then finds them in bitops' cache).
    await initBitops();
    const backend = resolveBackend(options.backend);
    if (backend === "wasm-i64" || backend === "wasm-simd") {
      await compileKernelModuleAsync(backend, (options.threads ?? 1) > 1);
    }
    // The float glue's module bytes (chunks of their own), for float steps, and a version 2 model's
    // graph code (browser builds load it on demand: version 1 chains never need it).
    // Thread dispatch is a chunk of its own too: pages that run on one thread never need it.
    const [, , threaded] = await Promise.all([
      backend !== "typescript" ? loadWasmFloatGlue() : undefined,
      isGraphSource(source) ? loadGraphSupport() : undefined,
      (options.threads ?? 1) > 1 ? import("./thread-dispatch.js") : undefined,
    ]);
    const engine = new Engine(source, options, options.threadPool);
    if (engine.threads > 1) {
      engine.dispatch = new threaded!.ThreadDispatch({
        plan: engine.plan,
        memory: engine.memory,
        backend: engine.backend,
        threads: engine.threads,
        tile: tunedTile(engine.backend),
        parallelThresholdNs: engine.parallelThresholdNs,
        threadPool: engine.threadPool!,
      });
    }
    if (options.offload) {
      if (engine.threads > 1)
        throw new RuntimeError("INVALID_ARGUMENT", "offload: runs on one thread; leave threads at 1");
      const { executor } = engine;
      engine.offload = await options.offload({
        memory: engine.memory,
        plan: engine.plan,
        runStep: (i, batch) => executor.runRows(i, 0, StepExecutor.rows(engine.plan.steps[i]!, batch), 0),
      });
    }
    if (engine.threads > 1) {
      try {
        await engine.dispatch!.ensurePool();
      } catch (error) {
        await engine.dispose();
        throw error;
      }
    }
    return engine;
  }

  /**
   * Like `create`, without threads (runs on the calling thread only). In browser builds a version 2
   * model needs `await loadGraphSupport()` first (RuntimeError "INVALID_ARGUMENT" otherwise).
   */
  static createSync(
    source: Uint8Array | OnebitModel | GraphModel,
    options?: Omit<EngineOptions, "threads" | "threadPool">,
  ): Engine {
    return new Engine(source, { ...checkRunOptions(options, "Engine.createSync"), threads: 1 }, undefined);
  }

  /** What runs the float steps (convolutions, dense layers, elementwise chains) on the calling thread, and why. */
  floatGlue(): FloatGlueInfo {
    return this.executor.floatGlue();
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  private checkAlive(): void {
    if (this.isDisposed)
      throw new RuntimeError("DISPOSED", "this session was disposed; create a new one to run the model");
  }

  /** Runs one sample or a batch. Resolves with logits, probabilities and predictions; never blocks other runs' order. */
  run(input: ModelInput, options?: RunOptions): Promise<RunResult> {
    try {
      this.checkAlive();
      const batch = this.acceptBatch(input, checkRunOptions(options, "run"));
      const result = this.queue.then(() => this.runBatch(input, batch));
      this.queue = result.catch(() => undefined);
      return result;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * ONNX-Runtime-style run: `feeds` maps the input name to a `Tensor` whose `dims` are the sample
   * shape or `[batch, …sampleShape]`; resolves with a `Tensor` per name of `outputNames`.
   */
  async runFeeds(feeds: InferenceFeeds, options?: Pick<RunOptions, "limits">): Promise<InferenceOutputs> {
    const tensor = feedFor(feeds, this.inputNames[0]!);
    if (tensor.type === "int32") {
      throw new RuntimeError(
        "DTYPE_MISMATCH",
        `feeds[${JSON.stringify(this.inputNames[0])}]: an int32 tensor; this model takes ${this.inputInfo.dtype}`,
      );
    }
    const result = await this.run(tensor.data as ModelInput, {
      ...checkRunOptions(options, "run"),
      shape: tensor.dims,
    });
    return this.namedOutputs(result);
  }

  /** A run's result as named tensors (see `outputNames`). */
  namedOutputs(result: RunResult): InferenceOutputs {
    const out: Record<string, Tensor> = {};
    out[this.outputNames[0]!] = new Tensor("float32", result.logits, result.shape);
    this.tailOps.forEach((op, i) => {
      const name = this.outputNames[i + 1]!;
      out[name] =
        op === "softmax"
          ? new Tensor("float32", result.probabilities, result.shape)
          : new Tensor("int32", result.predictions, [result.batch]);
    });
    return out;
  }

  /**
   * Times each step of the plan on the calling thread: `input` holds `batch` samples (as for
   * `runSync`); each step runs `repeats` times over the whole pass and reports its median. Steps are
   * the plan's, so a layer may show as several (e.g. bit-plane encoding, then the GEMM).
   */
  profile(input: ModelInput, runOptions?: RunOptions & { repeats?: number }): StepTiming[] {
    this.checkAlive();
    const options = checkRunOptions(runOptions, "profile");
    if (this.busy)
      throw new RuntimeError("INVALID_ARGUMENT", "profile: a run is in progress on this session");
    const batch = resolveBatch(input, this.inputInfo.dtype, this.inputInfo.shape, options.shape);
    const repeats = positiveInteger(options.repeats, "repeats", 9);
    const count = Math.min(batch, this.plan.capacity);
    stageInput(this.executor.views, this.plan.input, input, 0, count);
    // Untimed passes first, so that the TypeScript steps are timed as optimized code (at batch 1 a
    // handful of cold passes timed the 8-bit im2col 5× slower than a whole warm run).
    const warmUntil = performance.now() + PROFILE_WARMUP_MS;
    for (let r = 0; r < PROFILE_WARMUP_PASSES && (r < 2 || performance.now() < warmUntil); r++)
      this.executor.runAll(count);
    const times = this.plan.steps.map(() => [] as number[]);
    for (let r = 0; r < repeats; r++) {
      this.plan.steps.forEach((step, i) => {
        const t0 = performance.now();
        this.executor.runRows(i, 0, StepExecutor.rows(step, count), 0);
        times[i]!.push(performance.now() - t0);
      });
    }
    return this.plan.steps.map((step, i) => {
      const sorted = times[i]!.sort((a, b) => a - b);
      const ms = sorted[Math.floor(sorted.length / 2)]!;
      return { node: step.node, op: step.op, rows: StepExecutor.rows(step, count), batch: count, ms };
    });
  }

  /** `run` on the calling thread, synchronously (no workers); throws if a threaded run is in flight. */
  runSync(input: ModelInput, options?: RunOptions): RunResult {
    this.checkAlive();
    if (this.busy)
      throw new RuntimeError("INVALID_ARGUMENT", "runSync: another run is in progress on this session");
    const batch = this.acceptBatch(input, checkRunOptions(options, "runSync"));
    const out = this.newOutput(batch);
    for (let first = 0; first < batch; first += this.plan.capacity) {
      const count = Math.min(this.plan.capacity, batch - first);
      stageInput(this.executor.views, this.plan.input, input, first, count);
      this.executor.runAll(count);
      this.readOutput(out, first, count);
    }
    return this.result(out, batch);
  }

  private busy = false;

  /** Bytes of a run's result for `batch` samples: logits, and for classifiers probabilities and predictions. */
  resultBytes(batch: number): number {
    const values = batch * this.plan.output.elements * 4;
    return this.outputInfo.classes === undefined ? values : 2 * values + 4 * batch;
  }

  /** The batch size of an input, after checking it and the result size against the limits. */
  private acceptBatch(input: ModelInput, options: Partial<RunOptions>): number {
    const limits = resolveLimits(options.limits, this.limits, ["maxResultBytes"], "run options.limits");
    const batch = resolveBatch(input, this.inputInfo.dtype, this.inputInfo.shape, options.shape);
    const tooLarge = resultViolation(this.resultBytes(batch), batch, limits);
    if (tooLarge) throw limitError(tooLarge);
    return batch;
  }

  /** Runs an accepted batch (runs accepted before `dispose` still complete). */
  private async runBatch(input: ModelInput, batch: number): Promise<RunResult> {
    this.busy = true;
    try {
      const out = this.newOutput(batch);
      for (let first = 0; first < batch; first += this.plan.capacity) {
        const count = Math.min(this.plan.capacity, batch - first);
        const dispatch = this.offload ? undefined : this.dispatch;
        const mode = dispatch ? dispatch.mode(count) : "calling";
        // Start (and warm) the workers before staging: warm-up passes overwrite the activation buffers.
        const pool = mode === "workers" ? await dispatch!.ensurePool() : undefined;
        stageInput(this.executor.views, this.plan.input, input, first, count);
        const t0 = performance.now();
        if (pool) {
          try {
            await pool.run(count);
          } catch (error) {
            dispatch!.forget(pool);
            throw error;
          }
        } else if (this.offload) await this.offload.run(count);
        else this.executor.runAll(count);
        dispatch?.record(count, mode, (performance.now() - t0) * 1e6);
        this.readOutput(out, first, count);
      }
      return this.result(out, batch);
    } finally {
      this.busy = false;
    }
  }

  private newOutput(batch: number): Float32Array {
    return new Float32Array(batch * this.plan.output.elements);
  }

  /** Copies the output of a pass (samples first … first + count) out of the memory. */
  private readOutput(out: Float32Array, first: number, count: number): void {
    const o = this.plan.output;
    const v = this.executor.views;
    const e = o.elements;
    if (o.kind === "float32") {
      out.set(v.f32.subarray(o.ptr >>> 2, (o.ptr >>> 2) + count * e), first * e);
      return;
    }
    if (o.kind === "int32") {
      out.set(v.i32.subarray(o.ptr >>> 2, (o.ptr >>> 2) + count * e), first * e);
      return;
    }
    const l = o.layout;
    let at = first * e;
    for (let m = 0; m < count; m++) {
      const src = (o.ptr >>> 2) + m * l.sampleWords;
      for (let p = 0; p < l.pixels; p++) {
        for (let c = 0; c < l.channels; c++) {
          out[at++] = (v.u32[src + p * l.wpp + (c >>> 5)]! >>> (c & 31)) & 1 ? 1 : -1;
        }
      }
    }
  }

  private result(out: Float32Array, batch: number): RunResult {
    return new BatchResult(
      batch,
      [batch, ...this.outputInfo.shape],
      out,
      this.outputInfo.classes,
      this.outputInfo.labels,
      this.argmaxOfProbabilities,
    );
  }

  /** Stops the workers and releases the engine; later runs reject with "DISPOSED". Idempotent. */
  async dispose(): Promise<void> {
    if (this.isDisposed) return;
    this.isDisposed = true;
    await this.queue;
    await this.dispatch?.close();
    await this.offload?.close();
  }
}
