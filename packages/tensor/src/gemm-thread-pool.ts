import { Worker } from "node:worker_threads";
import { TensorError } from "./errors.js";
import { type GemmBlock, THREAD_MIN_MACS, splitGemm } from "./gemm-split.js";
import { FAILED, Field, GEMM_WORKER_SOURCE, QUIT, SLOT_INTS } from "./gemm-worker-source.js";
import { type ThreadedKernel, installThreadedKernel, threadedKernel } from "./threads-hook.js";
import { type GemmExports, align64, decodeBase64 } from "./wasm-gemm.js";
import { GEMM_SHARED_WASM_BASE64 } from "./wasm/gemm-wasm-shared.generated.js";

const PAGE = 65536;
/** 4 GiB, the most a 32-bit memory addresses (the threaded build declares the same maximum). */
const MAX_PAGES = 65536;
/** A worker that has not started yet (a loaded machine can take seconds) gets this much longer. */
const STARTUP_GRACE_MS = 60_000;

export interface GemmThreadPoolOptions {
  /**
   * Least time the calling thread waits for a worker before declaring it failed; each call adds
   * time in proportion to its work (at a pessimistic 0.2 GFLOP/s per thread). Default 5000 ms.
   */
  minTimeoutMs?: number;
  /** Products with fewer multiply-adds stay on the calling thread (default THREAD_MIN_MACS). */
  minMacs?: number;
}

let sharedModule: WebAssembly.Module | undefined;

/**
 * `threads − 1` worker threads plus the calling thread, all running the shared-memory build of the
 * GEMM module over one `WebAssembly.Memory({ shared: true })`. Operands are copied into that memory
 * on the calling thread (as in the single-threaded path); each thread then computes its own block of
 * C. `kernel` has the single-threaded module's contract, so gemm and the convolutions use it as is.
 */
export class GemmThreadPool implements ThreadedKernel {
  readonly threads: number;
  readonly kernel: GemmExports;
  readonly workers: Worker[] = [];
  private readonly main: GemmExports;
  private readonly control: Int32Array;
  private readonly controlFloats: Float32Array;
  private readonly scratchBase: number;
  private readonly scratchStride: number;
  private readonly minTimeoutMs: number;
  private readonly minMacs: number;
  private generation = 0;
  private broken = false;
  private closed = false;

  constructor(threads: number, options: GemmThreadPoolOptions = {}) {
    this.threads = threads;
    this.minTimeoutMs = options.minTimeoutMs ?? 5000;
    this.minMacs = options.minMacs ?? THREAD_MIN_MACS;
    sharedModule ??= new WebAssembly.Module(decodeBase64(GEMM_SHARED_WASM_BASE64));
    const layoutProbe = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    const probe = new WebAssembly.Instance(sharedModule, { env: { memory: layoutProbe } })
      .exports as unknown as GemmExports;
    const controlOffset = align64(probe.heapBase());
    this.scratchBase = align64(controlOffset + threads * SLOT_INTS * 4);
    this.scratchStride = align64(probe.scratchBytes());
    const end = this.scratchBase + threads * this.scratchStride;
    const memory = new WebAssembly.Memory({
      initial: Math.ceil(end / PAGE),
      maximum: MAX_PAGES,
      shared: true,
    });
    this.main = new WebAssembly.Instance(sharedModule, { env: { memory } }).exports as unknown as GemmExports;
    this.control = new Int32Array(memory.buffer, controlOffset, threads * SLOT_INTS);
    this.controlFloats = new Float32Array(memory.buffer, controlOffset, threads * SLOT_INTS);
    for (let slot = 1; slot < threads; slot++) {
      const worker = new Worker(GEMM_WORKER_SOURCE, {
        eval: true,
        name: `onebit-gemm-${slot}`,
        workerData: { module: sharedModule, memory, control: controlOffset, slot },
      });
      // Idle workers sleep in Atomics.wait; they must not keep the process alive.
      worker.unref();
      worker.on("error", (error) => this.lose(`gemm worker ${slot} crashed: ${error.message}`));
      worker.on("exit", (code) => this.lose(`gemm worker ${slot} exited with code ${code}`));
      this.workers.push(worker);
    }
    const scratchBytes = threads * this.scratchStride;
    this.kernel = {
      memory,
      heapBase: () => this.scratchBase,
      scratchBytes: () => scratchBytes,
      sgemm: (a, b, c, m, n, k, transA, transB, alpha) =>
        this.sgemm(a, b, c, m, n, k, transA, transB, alpha, 0),
      sgemmOverwrite: (a, b, c, m, n, k, transA, transB, alpha) =>
        this.sgemm(a, b, c, m, n, k, transA, transB, alpha, 1),
      sgemmPart: this.main.sgemmPart,
      zeroBlock: this.main.zeroBlock,
      im2col: this.main.im2col,
      col2imAdd: this.main.col2imAdd,
    };
  }

  failed(): boolean {
    return this.broken;
  }

  /** Asks the workers to exit and resolves once they have; later calls run on one thread. */
  close(): Promise<void> {
    this.closed = true;
    if (threadedKernel() === this) installThreadedKernel(null);
    for (let slot = 1; slot < this.threads; slot++) {
      Atomics.store(this.control, slot * SLOT_INTS + Field.seq, QUIT);
      Atomics.notify(this.control, slot * SLOT_INTS + Field.seq);
    }
    return Promise.all(this.workers.map((w) => w.terminate())).then(() => undefined);
  }

  /** A worker died outside a call (or during one): stop using the pool. */
  private lose(reason: string): void {
    if (this.closed) return;
    this.broken = true;
    void this.close();
    process.emitWarning(`${reason}; @onebit/tensor continues on one thread`, {
      code: "ONEBIT_TENSOR_THREADS",
    });
  }

  private sgemm(
    a: number,
    b: number,
    c: number,
    m: number,
    n: number,
    k: number,
    transA: number,
    transB: number,
    alpha: number,
    overwrite: 0 | 1,
  ): void {
    const blocks = this.closed ? [] : splitGemm(m, n, k, this.threads, this.minMacs);
    if (blocks.length < 2) {
      if (overwrite) this.main.zeroBlock(c, n, 0, m, 0, n);
      this.main.sgemm(a, b, c, m, n, k, transA, transB, alpha, this.scratchBase);
      return;
    }
    this.generation = this.generation >= 0x7fffffff ? 1 : this.generation + 1;
    const generation = this.generation;
    for (let t = 1; t < blocks.length; t++) {
      const slot = t * SLOT_INTS;
      const block = blocks[t] as GemmBlock;
      const ints = this.control;
      ints[slot + Field.a] = a;
      ints[slot + Field.b] = b;
      ints[slot + Field.c] = c;
      ints[slot + Field.m] = m;
      ints[slot + Field.n] = n;
      ints[slot + Field.k] = k;
      ints[slot + Field.transA] = transA;
      ints[slot + Field.transB] = transB;
      this.controlFloats[slot + Field.alpha] = alpha;
      ints[slot + Field.scratch] = this.scratchBase + t * this.scratchStride;
      ints[slot + Field.i0] = block.i0;
      ints[slot + Field.i1] = block.i1;
      ints[slot + Field.j0] = block.j0;
      ints[slot + Field.j1] = block.j1;
      ints[slot + Field.overwrite] = overwrite;
      // The seq store is sequentially consistent, so the plain field writes above are visible first.
      Atomics.store(ints, slot + Field.seq, generation);
      Atomics.notify(ints, slot + Field.seq);
    }
    const own = blocks[0] as GemmBlock;
    if (overwrite) this.main.zeroBlock(c, n, own.i0, own.i1, own.j0, own.j1);
    this.main.sgemmPart(
      a,
      b,
      c,
      m,
      n,
      k,
      transA,
      transB,
      alpha,
      this.scratchBase,
      own.i0,
      own.i1,
      own.j0,
      own.j1,
    );
    const budgetMs = this.minTimeoutMs + (m * n * k) / blocks.length / 1e5;
    const deadline = performance.now() + budgetMs;
    for (let t = 1; t < blocks.length; t++) this.awaitWorker(t, generation, deadline, budgetMs);
  }

  private awaitWorker(slot: number, generation: number, deadline: number, budgetMs: number): void {
    const base = slot * SLOT_INTS;
    const index = base + Field.done;
    for (;;) {
      const done = Atomics.load(this.control, index);
      if (done === generation) return;
      if (done === FAILED) this.fail(`gemm worker ${slot} failed while computing its block`);
      const starting = Atomics.load(this.control, base + Field.ready) === 0;
      const left = deadline + (starting ? STARTUP_GRACE_MS : 0) - performance.now();
      if (left <= 0) {
        this.fail(
          `gemm worker ${slot} ${starting ? "did not start" : `did not finish within ${Math.round(budgetMs)} ms`}`,
        );
      }
      // Wake at least every 100 ms while the worker is starting, to notice when it is up.
      Atomics.wait(this.control, index, done, starting ? Math.min(left, 100) : left);
    }
  }

  private fail(reason: string): never {
    this.lose(reason);
    throw new TensorError("WORKER_FAILED", `${reason}; threads are now disabled`);
  }
}
