import type { ModelCost } from "./cost.js";

// describeCost apart from the file report (describe.ts), which needs the op table: a runtime that
// reports costs of version 1 models keeps that out of its first chunk.

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

export function fmtCount(n: number): string {
  if (n < 1e4) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} K`;
  if (n < 1e9) return `${(n / 1e6).toFixed(2)} M`;
  return `${(n / 1e9).toFixed(2)} G`;
}

/** A model's per-sample cost in a few lines (as `onebit inspect` prints it). */
export function describeCost(cost: ModelCost): string {
  return [
    `  MACs per sample: ${fmtCount(cost.binaryMacs)} binary, ${fmtCount(cost.int8Macs)} 8-bit × 1-bit, ${fmtCount(cost.floatMacs)} float32`,
    `  comparisons per sample: ${fmtCount(cost.comparisons)} (pooling windows, thresholds, softmax)`,
    `  activations per sample: ${fmtBytes(cost.peakActivationBytes)} at the largest node (${fmtBytes(cost.totalActivationBytes)} all values); weights ${fmtBytes(cost.weightBytes)}`,
  ].join("\n");
}
