import { describe, expect, it } from "vitest";
import { comparisonMarkdown, compareAtBudget } from "../src/compare.js";
import type { TrainReport } from "../src/report.js";
import type { EpochRecord } from "../src/trainer.js";

/** A report with the fields the comparison reads; epochs take the given seconds and reach the given accuracies. */
function report(preset: string, seconds: number[], accuracies: number[], packed: number): TrainReport {
  const epochs: EpochRecord[] = seconds.map((s, i) => ({
    epoch: i + 1,
    loss: 1,
    accuracy: 0.5,
    testLoss: 1,
    testAccuracy: accuracies[i]!,
    learningRate: 1e-3,
    seconds: s,
    evalSeconds: 1,
    samplesPerSecond: 60000 / s,
  }));
  const trainSeconds = seconds.reduce((a, b) => a + b, 0);
  return {
    preset,
    config: { width: 1 },
    epochs,
    timing: {
      totalSeconds: trainSeconds + 10,
      trainSeconds,
      samplesPerSecond: (60000 * seconds.length) / trainSeconds,
    },
    test: { packed: { accuracy: packed } },
    provenance: { loadAverageStart: 1.5, loadAverageEnd: 2 },
  } as unknown as TrainReport;
}

describe("compareAtBudget", () => {
  const residual = report("fmnist-bireal", [600, 600, 600], [0.85, 0.89, 0.91], 0.912);
  const baseline = report(
    "fmnist-conv",
    [300, 300, 300, 300, 300, 300],
    [0.8, 0.84, 0.86, 0.87, 0.875, 0.88],
    0.881,
  );

  it("judges every run at the shortest run's training time by default", () => {
    const c = compareAtBudget([residual, baseline]);
    expect(c.budgetSeconds).toBe(1800);
    expect(c.rows.map((r) => [r.preset, r.epochsWithin, r.secondsWithin, r.testAccuracyWithin])).toEqual([
      ["fmnist-bireal", 3, 1800, 0.91],
      ["fmnist-conv", 6, 1800, 0.88],
    ]);
  });

  it("stops at the last epoch that ended within a given budget", () => {
    const c = compareAtBudget([residual, baseline], 1000);
    expect(c.rows.map((r) => [r.epochsWithin, r.testAccuracyWithin])).toEqual([
      [1, 0.85],
      [3, 0.86],
    ]);
    // A budget shorter than any epoch: nothing within, shown as a dash.
    const none = compareAtBudget([residual], 100);
    expect(none.rows[0]!.testAccuracyWithin).toBeNull();
    expect(comparisonMarkdown(none)).toContain("| 0 (0.0 min) | — |");
  });

  it("writes one table row per run with the whole run's packed accuracy", () => {
    const md = comparisonMarkdown(compareAtBudget([residual, baseline]));
    expect(md).toContain("Training-time budget: 30.0 min");
    expect(md.split("\n").filter((l) => l.startsWith("| fmnist-"))).toHaveLength(2);
    expect(md).toContain("| 91.20 % |");
    expect(md).toContain("| 88.10 % |");
  });

  it("rejects an empty list and a non-positive budget", () => {
    expect(() => compareAtBudget([])).toThrow(RangeError);
    expect(() => compareAtBudget([residual], 0)).toThrow(/positive/);
    expect(() => compareAtBudget([residual], Number.NaN)).toThrow(/positive/);
  });
});
