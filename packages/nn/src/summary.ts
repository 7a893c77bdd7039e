import type { Model } from "./model-base.js";
import { formatShape, type Shape } from "./shape.js";

export interface LayerSummary {
  readonly name: string;
  readonly type: string;
  /** Bits of the inputs the kernel multiplies (1 = binarized), null for layers without a kernel. */
  readonly inputPrecision: number | null;
  readonly outputShape: Shape;
  readonly params1bit: number;
  readonly params32bit: number;
  /** Bytes of the layer's parameters as deployed: 1-bit ones packed (1/8 byte), 32-bit ones 4 bytes. */
  readonly memoryBytes: number;
  /** Per-sample multiply-accumulates with 1-bit inputs and weights (XNOR-popcount). */
  readonly macs1bit: number;
  readonly macs32bit: number;
}

export interface SummaryTotals {
  readonly params1bit: number;
  readonly params32bit: number;
  readonly params: number;
  /** Model size with 1-bit parameters packed. */
  readonly binarizedBytes: number;
  /** The same parameters all stored as float32. */
  readonly float32Bytes: number;
  /** float32Bytes / binarizedBytes. */
  readonly compressionRatio: number;
  readonly macs1bit: number;
  readonly macs32bit: number;
  /** macs1bit / all MACs (0 when there are none). */
  readonly binaryMacShare: number;
}

/**
 * The Larq-style summary of a model being trained (its layers, latent parameters counted as deployed).
 * A deployed `.onebit` file is described by @onebit/format's `summarizeGraph` (its `ModelSummary`).
 */
export interface TrainingSummary {
  readonly name: string;
  readonly layers: readonly LayerSummary[];
  readonly totals: SummaryTotals;
  /** The Larq-style table. */
  toString(): string;
}

export function summarize(model: Model): TrainingSummary {
  const layers: LayerSummary[] = [];
  const inputBits = model.layerInputBits();
  for (const [i, layer] of model.layers.entries()) {
    const c = layer.cost(inputBits[i]!);
    layers.push({
      name: layer.name,
      type: layer.type,
      inputPrecision: c.inputPrecision,
      outputShape: layer.outputShape,
      params1bit: c.params1bit,
      params32bit: c.params32bit,
      memoryBytes: c.params1bit / 8 + c.params32bit * 4,
      macs1bit: c.macs1bit,
      macs32bit: c.macs32bit,
    });
  }
  const sum = (f: (l: LayerSummary) => number) => layers.reduce((a, l) => a + f(l), 0);
  const params1bit = sum((l) => l.params1bit);
  const params32bit = sum((l) => l.params32bit);
  const binarizedBytes = sum((l) => l.memoryBytes);
  const float32Bytes = (params1bit + params32bit) * 4;
  const macs1bit = sum((l) => l.macs1bit);
  const macs32bit = sum((l) => l.macs32bit);
  const totals: SummaryTotals = {
    params1bit,
    params32bit,
    params: params1bit + params32bit,
    binarizedBytes,
    float32Bytes,
    compressionRatio: binarizedBytes > 0 ? float32Bytes / binarizedBytes : 1,
    macs1bit,
    macs32bit,
    binaryMacShare: macs1bit + macs32bit > 0 ? macs1bit / (macs1bit + macs32bit) : 0,
  };
  return { name: model.name, layers, totals, toString: () => formatSummary(model.name, layers, totals) };
}

const kib = (bytes: number) => (bytes / 1024).toFixed(2);
const count = (n: number) => (n === 0 ? "0" : n.toLocaleString("en-US"));

function table(rows: string[][], rightAligned: (col: number) => boolean): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r.map((cell, c) => (rightAligned(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join("  "),
  );
}

function formatSummary(name: string, layers: readonly LayerSummary[], t: SummaryTotals): string {
  const header = [
    "Layer",
    "Input prec. (bit)",
    "Outputs",
    "# 1-bit",
    "# 32-bit",
    "Memory (KiB)",
    "1-bit MACs",
    "32-bit MACs",
  ];
  const rows = layers.map((l) => [
    `${l.name} (${l.type})`,
    l.inputPrecision === null ? "-" : String(l.inputPrecision),
    formatShape(l.outputShape),
    count(l.params1bit),
    count(l.params32bit),
    kib(l.memoryBytes),
    count(l.macs1bit),
    count(l.macs32bit),
  ]);
  rows.push([
    "Total",
    "",
    "",
    count(t.params1bit),
    count(t.params32bit),
    kib(t.binarizedBytes),
    count(t.macs1bit),
    count(t.macs32bit),
  ]);
  const lines = table([header, ...rows], (c) => c >= 3);
  const width = Math.max(...lines.map((l) => l.length));
  const rule = "-".repeat(width);
  const out = [`${name} stats`, rule, lines[0]!, rule, ...lines.slice(1, -1), rule, lines.at(-1)!, rule];
  const totals = table(
    [
      ["Total params", count(t.params)],
      ["Parameters by precision", `${count(t.params1bit)} 1-bit, ${count(t.params32bit)} 32-bit`],
      ["Model size (binarized)", `${kib(t.binarizedBytes)} KiB`],
      ["Float-32 equivalent", `${kib(t.float32Bytes)} KiB`],
      ["Compression ratio of memory", t.compressionRatio.toFixed(2)],
      ["Number of MACs", count(t.macs1bit + t.macs32bit)],
      ["Ratio of MACs that are binarized", t.binaryMacShare.toFixed(4)],
    ],
    (c) => c === 1,
  );
  out.push(`${name} summary`, ...totals);
  return out.join("\n");
}
