/**
 * The shapes every benchmark section shares. A section turns its workloads into `CaseSpec`s; the harness
 * checks each case's answer once, then times it, and reports it as one `CaseResult`.
 */

export type Precision = "binary" | "float32";

/** What one run of a case does, for the throughput column (e.g. 2·M·N·K FLOP, M·N·K binary MACs). */
export type WorkUnit = "FLOP" | "bMAC" | "sample";

export interface Work {
  readonly count: number;
  readonly unit: WorkUnit;
}

export type CheckResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** A case after its (untimed) setup: `run` is what gets timed, `check` judges one run's output. */
export interface PreparedCase<T = unknown> {
  run(): T | Promise<T>;
  check(output: T): CheckResult;
  dispose?(): void | Promise<void>;
  /**
   * Timing done elsewhere (a browser page times its own runs, without a round trip each): seconds
   * per run, instead of the harness timing `run`; CPU time only where it reports `cpuSamples`.
   */
  measure?(): Promise<{
    readonly samples: readonly number[];
    readonly runsPerSample: number;
    /** CPU seconds per run, where the workload's own timer can tell them (e.g. a browser renderer's). */
    readonly cpuSamples?: readonly number[];
  }>;
}

export interface CaseSpec<T = unknown> {
  /** Section id, e.g. "gemm". */
  readonly section: string;
  /** What is being computed, shared by the implementations compared against each other, e.g. "256×1024×1024". */
  readonly group: string;
  /** Short stable implementation id used by --filter and JSON, e.g. "ort-1t". */
  readonly impl: string;
  /** Human label, e.g. "onnxruntime-node float32". */
  readonly label: string;
  readonly precision: Precision;
  readonly threads: number;
  /** The group's reference for the speedup and size-ratio columns. */
  readonly baseline?: boolean;
  readonly work?: Work;
  /** Bytes of the weights (or model) this implementation keeps, for the size-ratio column. */
  readonly bytes?: number;
  setup(): PreparedCase<T> | Promise<PreparedCase<T>>;
}

export type CaseStatus = "ok" | "wrong" | "error" | "skipped";

export interface Summary {
  /** Number of samples. */
  readonly n: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
  /** Median absolute deviation from the median (unscaled). */
  readonly mad: number;
}

export interface CaseResult {
  readonly id: string;
  readonly section: string;
  readonly group: string;
  readonly impl: string;
  readonly label: string;
  readonly precision: Precision;
  readonly threads: number;
  readonly baseline: boolean;
  readonly status: CaseStatus;
  /** Why a case is wrong, failed or skipped. */
  readonly note?: string;
  /** Seconds per run (wall clock). */
  readonly time?: Summary;
  /**
   * Process CPU seconds per run (user + system, summed over the process's threads). On a busy
   * machine wall time includes waiting for a core; for a single-threaded case this does not.
   */
  readonly cpuTime?: Summary;
  /** Runs folded into one timed sample (fast kernels are batched to stay above timer resolution). */
  readonly runsPerSample?: number;
  readonly work?: Work;
  /** work.count / median seconds. */
  readonly rate?: number;
  readonly bytes?: number;
  /** Baseline median / this median (> 1: faster than the baseline). */
  readonly speedup?: number;
  /** Baseline CPU time / this CPU time, for single-threaded cases (robust to a busy machine). */
  readonly cpuSpeedup?: number;
  /** Baseline bytes / these bytes (> 1: smaller than the baseline). */
  readonly sizeRatio?: number;
}

export interface SectionResult {
  readonly id: string;
  readonly title: string;
  /** One-line explanation of what is compared and what the speedup is relative to. */
  readonly description: string;
  readonly results: CaseResult[];
  /** Lines such as "binary conv2d: not available yet (@onebit/bitops has no bconv2d export)". */
  readonly notes: string[];
  /** Wall-clock seconds the section took (planning, checks, timing). */
  readonly seconds?: number;
  /** Failures outside the timed cases (e.g. a section file whose own check threw): they fail the run. */
  readonly errors?: string[];
  /** Section-specific figures that are not timings (e.g. memory). */
  readonly extra?: Record<string, unknown>;
}

export interface BenchContext {
  readonly quick: boolean;
  /** Thread count for the "all threads" variants. */
  readonly threads: number;
  readonly filter?: RegExp;
  /** Run the browser section (--browser, --full). */
  readonly browser?: boolean;
  /** Planning only (--list): sections must not run anything while planning. */
  readonly listOnly?: boolean;
}

/**
 * A section of the benchmark. `cases` lists the timed workloads (the harness gates, times and reports
 * them); `notes` and `extra` carry what could not run and any untimed figures.
 */
export interface Section {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  plan(ctx: BenchContext): Promise<SectionPlan>;
}

export interface SectionPlan {
  readonly cases: CaseSpec[];
  readonly notes: string[];
  readonly errors?: string[];
  /** Runs after the cases (e.g. child processes measuring memory); its output lands in `extra`. */
  finish?(results: readonly CaseResult[]): Promise<Record<string, unknown>>;
}

export function caseId(spec: Pick<CaseSpec, "section" | "group" | "impl">): string {
  return `${spec.section}/${spec.group}/${spec.impl}`;
}
