import { linePanel, svgDocument } from "@onebit/bench/svg-chart";
import type { EpochRecord } from "./trainer.js";

/**
 * A self-contained SVG of the training curves: loss (left) and error rate in % on a log axis (right),
 * training (running, training mode) and test (evaluation mode) per epoch. Drawn with the project's
 * one chart writer, apps/bench's svg-chart.
 */
export function trainingCurveSvg(
  history: readonly EpochRecord[],
  options: { title: string; subtitle?: string },
): string {
  const epochs = Math.max(history.length, 1);
  const pct = (a: number) => 100 * (1 - a);
  const series = (train: readonly number[], test: readonly number[]) => [
    { label: "train", color: "#1f77b4", values: train },
    { label: "test", color: "#d62728", dashed: true, values: test },
  ];
  const loss = linePanel(
    {
      title: "loss (cross-entropy)",
      xLabel: "epoch",
      yLabel: "loss",
      log: false,
      series: series(
        history.map((h) => h.loss),
        history.map((h) => h.testLoss),
      ),
    },
    80,
    80,
    340,
    260,
    epochs,
  );
  const error = linePanel(
    {
      title: "error rate (%)",
      xLabel: "epoch",
      yLabel: "error %, log scale",
      log: true,
      series: series(
        history.map((h) => pct(h.accuracy)),
        history.map((h) => pct(h.testAccuracy)),
      ),
    },
    520,
    80,
    340,
    260,
    epochs,
  );
  return svgDocument(
    {
      width: 900,
      height: 400,
      title: `Training curves of ${options.title}${options.subtitle ? `: ${options.subtitle}` : ""}`,
      heading: options.title,
      ...(options.subtitle ? { subtitle: options.subtitle } : {}),
    },
    [loss, error],
  );
}
