import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchContext, Section, SectionPlan } from "../harness/types.js";
import type { MemoryVariant } from "../memory-child.js";
import { loadOrt } from "../onnx/ort.js";
import { MLP_3X1024, MLP_3X4096, type MlpArch, binaryMlpBytes, floatMlpBytes } from "./binary-mlp.js";
import { CIFAR_CONV_LAYERS, convGroup } from "./conv.js";
import { binaryModel, onnxModel } from "./models.js";
import { binaryMlpFileBytes } from "./onebit-model.js";

export interface ModelBytesRow {
  readonly model: string;
  readonly binaryBytes: number;
  readonly float32Bytes: number;
  /** float32 / binary. */
  readonly ratio: number;
  readonly what: string;
}

export interface PeakRssRow {
  readonly variant: MemoryVariant;
  readonly label: string;
  readonly maxRssBytes?: number;
  /** Over the baseline child (Node.js + the benchmark's own modules, no model). */
  readonly overBaselineBytes?: number;
  readonly note?: string;
}

function mlpRow(arch: MlpArch): ModelBytesRow {
  const binaryBytes = binaryMlpBytes(binaryModel(arch));
  const float32Bytes = floatMlpBytes(arch);
  return {
    model: arch.name,
    binaryBytes,
    float32Bytes,
    ratio: float32Bytes / binaryBytes,
    what: "packed weights + int32 thresholds + last-layer scale/bias vs float32 weights + biases",
  };
}

function convRows(): ModelBytesRow[] {
  return CIFAR_CONV_LAYERS.map((l) => {
    const float32Bytes = 9 * l.channels * l.channels * 4;
    // Packed along input channels per tap, plus one int32 threshold per filter.
    const binaryBytes = 9 * l.channels * Math.ceil(l.channels / 32) * 4 + l.channels * 4;
    return {
      model: `conv ${convGroup(l)}`,
      binaryBytes,
      float32Bytes,
      ratio: float32Bytes / binaryBytes,
      what: "one conv layer's weights (+ thresholds)",
    };
  });
}

/** .onebit files shipped in the repository's models/ folder, if any. */
async function shippedModels(root: string): Promise<{ file: string; bytes: number }[]> {
  try {
    const dir = path.join(root, "models");
    const names = (await readdir(dir)).filter((n) => n.endsWith(".onebit")).sort();
    return Promise.all(
      names.map(async (n) => ({ file: `models/${n}`, bytes: (await stat(path.join(dir, n))).size })),
    );
  } catch {
    return [];
  }
}

const CHILD = fileURLToPath(new URL("../memory-child.ts", import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** Runs memory-child.ts for one variant in a fresh process and returns its peak resident set. */
export function measurePeakRss(
  variant: MemoryVariant,
  extra: string[] = [],
): Promise<{ maxRssBytes?: number; note?: string }> {
  return new Promise((resolve) => {
    // tsx's loader lets the child run the TypeScript source, whoever started this process (tsx, vitest).
    const child = spawn(process.execPath, ["--import", TSX_LOADER, CHILD, variant, ...extra], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("close", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      try {
        const parsed = JSON.parse(line) as { maxRssBytes: number };
        resolve({ maxRssBytes: parsed.maxRssBytes });
      } catch {
        const lines = err.trim().split("\n");
        const why = lines.filter((l) => /Error/.test(l)).pop() ?? lines.pop() ?? "";
        resolve({ note: `child exited with ${code}: ${why.trim()}` });
      }
    });
  });
}

export const memorySection: Section = {
  id: "memory",
  title: "5. Memory",
  description:
    "Model bytes binary vs float32, and the peak resident set (maxRSS) of a fresh process that loads the 3×4096 MLP and runs one batch-1 inference.",
  async plan(_ctx: BenchContext): Promise<SectionPlan> {
    return {
      cases: [],
      notes: [],
      async finish() {
        const root = path.resolve(fileURLToPath(new URL("../../../..", import.meta.url)));
        const modelBytes = [mlpRow(MLP_3X4096), mlpRow(MLP_3X1024), ...convRows()];
        const shipped = await shippedModels(root);
        const variants: { variant: MemoryVariant; label: string; extra: string[] }[] = [
          { variant: "baseline", label: "Node.js + benchmark modules, no model", extra: [] },
          { variant: "binary-mlp", label: `onebit binary ${MLP_3X4096.name}`, extra: [] },
          { variant: "float-mlp-onebit", label: `onebit float32 ${MLP_3X4096.name}`, extra: [] },
        ];
        const tmp = await mkdtemp(path.join(os.tmpdir(), "onebit-bench-"));
        const onebitFile = path.join(tmp, `${MLP_3X4096.name}.onebit`);
        const onebitBytes = binaryMlpFileBytes(binaryModel(MLP_3X4096));
        await writeFile(onebitFile, onebitBytes);
        variants.splice(2, 0, {
          variant: "binary-mlp-runtime",
          label: `@onebit/runtime binary ${MLP_3X4096.name} (from a .onebit file)`,
          extra: [onebitFile],
        });
        const onnxBytes = onnxModel(MLP_3X4096);
        modelBytes.splice(1, 0, {
          model: `${MLP_3X4096.name} files`,
          binaryBytes: onebitBytes.length,
          float32Bytes: onnxBytes.length,
          ratio: onnxBytes.length / onebitBytes.length,
          what: ".onebit file (@onebit/format) vs .onnx file (float32 initializers)",
        });
        const { ort } = await loadOrt();
        if (ort) {
          const file = path.join(tmp, `${MLP_3X4096.name}.onnx`);
          await writeFile(file, onnxBytes);
          variants.push({
            variant: "float-mlp-ort",
            label: `onnxruntime-node float32 ${MLP_3X4096.name} (from an .onnx file)`,
            extra: [file],
          });
        }
        const peak: PeakRssRow[] = [];
        try {
          // One at a time: concurrent children would compete for the same 2 cores and memory bandwidth.
          for (const v of variants)
            peak.push({ variant: v.variant, label: v.label, ...(await measurePeakRss(v.variant, v.extra)) });
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
        const base = peak.find((p) => p.variant === "baseline")?.maxRssBytes;
        const peakRss = peak.map((p) =>
          base !== undefined && p.maxRssBytes !== undefined && p.variant !== "baseline"
            ? { ...p, overBaselineBytes: p.maxRssBytes - base }
            : p,
        );
        return {
          modelBytes,
          shippedModels: shipped,
          peakRss,
          benchProcessMaxRssBytes: process.resourceUsage().maxRSS * 1024,
        };
      },
    };
  },
};
