import type { TrainReport } from "./report.js";

/** One run's standing at a shared training-time budget. */
export interface BudgetRow {
  readonly preset: string;
  readonly width: number;
  /** Epochs finished within the budget (0: not even one). */
  readonly epochsWithin: number;
  /** Training seconds those epochs took. */
  readonly secondsWithin: number;
  /** Float graph's test accuracy after the last epoch within the budget (null when none fits). */
  readonly testAccuracyWithin: number | null;
  /** The whole run: epochs, training seconds, packed-runtime test accuracy at its end. */
  readonly epochs: number;
  readonly trainSeconds: number;
  readonly packedAccuracy: number;
  readonly imagesPerSecond: number;
  readonly loadAverage: readonly [number, number];
}

export interface BudgetComparison {
  /** Training seconds every run is judged at: the given budget, or the shortest run's training time. */
  readonly budgetSeconds: number;
  readonly rows: readonly BudgetRow[];
}

/**
 * Compares training runs at the same training-time budget, so an architecture's gain is measured
 * and not assumed: for each run, the test accuracy after the last epoch that ended within the
 * budget (epochs are the unit a report records). Time is the sum of training-step seconds, which
 * excludes per-epoch tests and export; runs on a loaded machine are slower, so each row keeps the
 * load averages its run saw.
 */
export function compareAtBudget(reports: readonly TrainReport[], budgetSeconds?: number): BudgetComparison {
  if (reports.length === 0) throw new RangeError("compareAtBudget needs at least one report");
  const budget = budgetSeconds ?? Math.min(...reports.map((r) => r.timing.trainSeconds));
  if (!(budget > 0)) throw new RangeError(`the time budget must be positive, got ${budget} s`);
  const rows = reports.map((r): BudgetRow => {
    let elapsed = 0;
    let within: TrainReport["epochs"][number] | undefined;
    for (const epoch of r.epochs) {
      // A 0.5 % margin: an epoch that ends at the budget (the shortest run's own last) counts.
      if (elapsed + epoch.seconds > budget * 1.005) break;
      elapsed += epoch.seconds;
      within = epoch;
    }
    return {
      preset: r.preset,
      width: r.config.width,
      epochsWithin: within?.epoch ?? 0,
      secondsWithin: elapsed,
      testAccuracyWithin: within?.testAccuracy ?? null,
      epochs: r.epochs.length,
      trainSeconds: r.timing.trainSeconds,
      packedAccuracy: r.test.packed.accuracy,
      imagesPerSecond: r.timing.samplesPerSecond,
      loadAverage: [r.provenance.loadAverageStart, r.provenance.loadAverageEnd],
    };
  });
  return { budgetSeconds: budget, rows };
}

const pct = (v: number | null) => (v === null ? "—" : `${(100 * v).toFixed(2)} %`);
const minutes = (s: number) => `${(s / 60).toFixed(1)} min`;

/** A Markdown table of a comparison. */
export function comparisonMarkdown(c: BudgetComparison): string {
  const lines = [
    `Training-time budget: ${minutes(c.budgetSeconds)} of training steps.`,
    "",
    "| run | width | epochs within budget | test accuracy within budget (float graph) | whole run | packed test accuracy (whole run) | images/s | load average start → end |",
    "| --- | ---: | ---: | ---: | --- | ---: | ---: | --- |",
  ];
  for (const r of c.rows) {
    lines.push(
      `| ${r.preset} | ${r.width} | ${r.epochsWithin} (${minutes(r.secondsWithin)}) | ${pct(r.testAccuracyWithin)} | ${r.epochs} epochs, ${minutes(r.trainSeconds)} | ${pct(r.packedAccuracy)} | ${Math.round(r.imagesPerSecond)} | ${r.loadAverage[0].toFixed(1)} → ${r.loadAverage[1].toFixed(1)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}
