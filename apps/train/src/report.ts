import { execFileSync } from "node:child_process";
import os from "node:os";
import type { TrainingSummary } from "@onebit/nn";
import { getBackendInfo } from "@onebit/tensor";
import type { TrainConfig } from "./config.js";
import type { EpochRecord } from "./trainer.js";

export const REPORT_SCHEMA = "onebit-train-report/1";

/** Where and how a model was trained, so a figure can be checked against its machine and code. */
export interface RunProvenance {
  readonly command: string;
  readonly gitCommit: string | null;
  /** Tracked files differed from the commit when training started. */
  readonly gitDirty: boolean | null;
  readonly node: string;
  readonly platform: string;
  readonly cpu: string;
  readonly cores: number;
  /** Threads of @onebit/tensor's GEMMs while training. */
  readonly gemmThreads: number;
  /** 1-minute load average when training started and when it ended (the machine is shared). */
  readonly loadAverageStart: number;
  readonly loadAverageEnd: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Checkpoints this run resumed from, in order. */
  readonly resumedFrom: readonly string[];
}

export interface TestFigures {
  readonly images: number;
  /** The float training graph in evaluation mode. */
  readonly float: { readonly accuracy: number; readonly loss: number };
  /** The exported, packed inference graph (what a runtime computes from the .onebit file). */
  readonly packed: { readonly accuracy: number; readonly engine: string; readonly seconds: number };
  /** Share of test images on which both graphs predict the same class, and the ones they do not. */
  readonly agreement: number;
  readonly disagreements: readonly number[];
  /** The first test images also run by @onebit/nn's reference interpreter of the packed graph. */
  readonly reference: {
    readonly images: number;
    readonly engine: string;
    /** Share of those images on which it predicts what the runtime predicts. */
    readonly agreementWithPacked: number;
    readonly seconds: number;
  } | null;
}

export interface TrainReport {
  readonly schema: typeof REPORT_SCHEMA;
  readonly preset: string;
  readonly description: string;
  readonly config: TrainConfig;
  readonly data: { readonly dataset: string; readonly trainImages: number; readonly testImages: number };
  readonly model: {
    readonly file: string;
    readonly fileBytes: number;
    readonly sha256: string;
    readonly params1bit: number;
    readonly params32bit: number;
    /** Parameters as deployed (1-bit packed), from the Larq-style summary. */
    readonly binarizedBytes: number;
    readonly float32Bytes: number;
    readonly macs1bit: number;
    readonly macs32bit: number;
    readonly summary: string;
  };
  readonly epochs: readonly EpochRecord[];
  /** BatchNorm moving statistics re-estimated after training (float-graph test accuracy before/after). */
  readonly batchNormRecalibration: {
    readonly batches: number;
    readonly testAccuracyBefore: number;
    readonly testAccuracyAfter: number;
    readonly seconds: number;
  } | null;
  readonly timing: {
    /** Wall time of the whole run across resumes: training, per-epoch tests, checkpoints, export. */
    readonly totalSeconds: number;
    /** Sum of the epochs' training-step time. */
    readonly trainSeconds: number;
    /** Training images per second over all epochs. */
    readonly samplesPerSecond: number;
  };
  readonly test: TestFigures;
  readonly provenance: RunProvenance;
}

function git(args: string[]): string | null {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

/** The machine and code facts known when training starts; `finish` adds the end. */
export function startProvenance(
  command: string,
): Omit<RunProvenance, "loadAverageEnd" | "finishedAt" | "resumedFrom"> {
  const status = git(["status", "--porcelain", "--untracked-files=no"]);
  return {
    command,
    gitCommit: git(["rev-parse", "HEAD"]),
    gitDirty: status === null ? null : status.length > 0,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.availableParallelism?.() ?? os.cpus().length,
    gemmThreads: getBackendInfo().threads,
    loadAverageStart: os.loadavg()[0]!,
    startedAt: new Date().toISOString(),
  };
}

export function finishProvenance(
  start: ReturnType<typeof startProvenance>,
  resumedFrom: readonly string[],
): RunProvenance {
  return { ...start, loadAverageEnd: os.loadavg()[0]!, finishedAt: new Date().toISOString(), resumedFrom };
}

export function summaryFigures(summary: TrainingSummary) {
  const t = summary.totals;
  return {
    params1bit: t.params1bit,
    params32bit: t.params32bit,
    binarizedBytes: t.binarizedBytes,
    float32Bytes: t.float32Bytes,
    macs1bit: t.macs1bit,
    macs32bit: t.macs32bit,
    summary: summary.toString(),
  };
}

export function timingFigures(history: readonly EpochRecord[], totalSeconds: number) {
  const trainSeconds = history.reduce((s, e) => s + e.seconds, 0);
  const samples = history.reduce((s, e) => s + e.samplesPerSecond * e.seconds, 0);
  return { totalSeconds, trainSeconds, samplesPerSecond: trainSeconds > 0 ? samples / trainSeconds : 0 };
}

/** JSON with a trailing newline; numbers as JavaScript prints them. */
export function reportJson(report: TrainReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const pct = (v: number) => `${(100 * v).toFixed(2)} %`;

/** The lines printed at the end of a run. */
export function reportSummaryLines(r: TrainReport): string[] {
  return [
    `${r.preset}: ${r.config.epochs} epochs in ${(r.timing.totalSeconds / 60).toFixed(1)} min (${Math.round(r.timing.samplesPerSecond)} images/s training)`,
    `test accuracy: packed graph ${pct(r.test.packed.accuracy)}, float training graph ${pct(r.test.float.accuracy)} on ${r.test.images} images (agreement ${pct(r.test.agreement)})`,
    `model: ${r.model.file} ${r.model.fileBytes} bytes (${r.model.params1bit} 1-bit + ${r.model.params32bit} 32-bit parameters)`,
  ];
}
