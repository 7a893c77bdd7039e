import { constants } from "node:buffer";
import { performance } from "node:perf_hooks";
import { type Engine, RuntimeError } from "@onebit/runtime";
import type { InferenceSession } from "./session.js";

export interface BenchOptions {
  /** Samples per run (default 1). */
  readonly batch?: number;
  /** Untimed runs first (default 20). */
  readonly warmup?: number;
  /** Timed runs: at least this many (default 50)… */
  readonly iterations?: number;
  /** …and for at least this long (default 2000 ms). */
  readonly minTimeMs?: number;
  /**
   * Refuse a batch whose random input would take more than this many bytes, before allocating it.
   * Default 256 MiB (CLI `--max-input-bytes`); the runtime bounds the result on its side.
   */
  readonly maxInputBytes?: number;
}

/** Default cap on one benchmark batch's input: 256 MiB (≈ 340 000 MNIST images of 784 bytes). */
export const DEFAULT_MAX_BENCH_INPUT_BYTES = 2 ** 28;

/**
 * Throws unless `batch` samples of the model's input fit in `maxInputBytes`: a RuntimeError naming
 * the limit, the value and the option, thrown before anything is allocated.
 */
export function checkBenchBatch(
  info: { size: number; dtype: "float32" | "uint8" },
  batch: number,
  maxInputBytes = DEFAULT_MAX_BENCH_INPUT_BYTES,
): void {
  for (const [v, what] of [
    [batch, "batch"],
    [maxInputBytes, "maxInputBytes"],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new RuntimeError("INVALID_ARGUMENT", `${what}: expected a positive integer, got ${v}`);
  }
  const bytes = batch * info.size * (info.dtype === "uint8" ? 1 : 4);
  if (bytes > maxInputBytes) {
    throw new RuntimeError(
      "LIMIT_EXCEEDED",
      `batch ${batch}: its input takes ${bytes} bytes (${info.size} ${info.dtype} values per sample), more than the limit of ${maxInputBytes} bytes (raise it with --max-input-bytes, or the maxInputBytes option)`,
      { limit: { name: "maxInputBytes", value: bytes, max: maxInputBytes } },
    );
  }
  if (bytes > constants.MAX_LENGTH) {
    throw new RuntimeError(
      "INVALID_ARGUMENT",
      `batch ${batch}: its input would take ${bytes} bytes, more than one typed array can hold here (${constants.MAX_LENGTH})`,
    );
  }
}

export interface BenchReport {
  readonly batch: number;
  readonly threads: number;
  readonly backend: string;
  readonly iterations: number;
  /** Wall time of one `run` of `batch` samples, in milliseconds. */
  readonly latencyMs: {
    readonly min: number;
    readonly mean: number;
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
  };
  /** Samples per second at the median latency. */
  readonly samplesPerSecond: number;
}

function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Random inputs of the model's dtype (deterministic, so runs are comparable). */
export function randomInput(
  size: number,
  dtype: "float32" | "uint8",
  batch: number,
): Float32Array | Uint8Array {
  let s = 0x9e3779b9;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const n = size * batch;
  return dtype === "uint8"
    ? Uint8Array.from({ length: n }, () => Math.floor(next() * 256))
    : Float32Array.from({ length: n }, () => next() * 2 - 1);
}

/** Times `run` on random inputs: latency percentiles of whole runs and throughput. */
export async function benchmark(
  target: InferenceSession | Engine,
  options: BenchOptions = {},
): Promise<BenchReport> {
  const batch = options.batch ?? 1;
  const warmup = options.warmup ?? 20;
  const iterations = options.iterations ?? 50;
  const minTimeMs = options.minTimeMs ?? 2000;
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new RuntimeError("INVALID_ARGUMENT", `iterations: expected a positive integer, got ${iterations}`);
  const info = target.inputInfo;
  checkBenchBatch(info, batch, options.maxInputBytes);
  const input = randomInput(info.size, info.dtype, batch);
  for (let i = 0; i < warmup; i++) await target.run(input);
  const times: number[] = [];
  const start = performance.now();
  while (times.length < iterations || performance.now() - start < minTimeMs) {
    const t0 = performance.now();
    await target.run(input);
    times.push(performance.now() - t0);
    if (times.length >= 100_000) break;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  return {
    batch,
    threads: target.threads,
    backend: target.backend,
    iterations: times.length,
    latencyMs: {
      min: sorted[0]!,
      mean: times.reduce((a, b) => a + b, 0) / times.length,
      p50,
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1]!,
    },
    samplesPerSecond: (batch * 1000) / p50,
  };
}
