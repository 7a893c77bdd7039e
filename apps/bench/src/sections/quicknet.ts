import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type GraphModel, readGraphModel, runReference } from "@onebit/format";
import { convertLceModel } from "@onebit/lce";
import { Rng } from "@onebit/tensor";

/**
 * QuickNet from Larq Zoo, as Larq Compute Engine converted it (@onebit/lce's test fixture, with its
 * attribution there), converted to a .onebit version 2 graph by @onebit/lce when the bench runs.
 */
export const QUICKNET_TFLITE = fileURLToPath(
  new URL("../../../../packages/lce/test/fixtures/larq-quicknet.tflite", import.meta.url),
);

/**
 * The reference probabilities of QuickNet for `quicknetInput()`, from @onebit/format's reference
 * interpreter (`runReference`, about two minutes, so computed once and kept here). Regenerate after a
 * change to the converter or the fixture with `pnpm --filter @onebit/bench exec tsx src/sections/quicknet.ts`.
 */
export const QUICKNET_REFERENCE = fileURLToPath(new URL("./quicknet-reference.json", import.meta.url));

export interface Quicknet {
  readonly bytes: Uint8Array;
  readonly model: GraphModel;
}

let cached: Quicknet | undefined;

export function loadQuicknet(): Quicknet {
  if (!cached) {
    const { bytes } = convertLceModel(readFileSync(QUICKNET_TFLITE), { name: "quicknet" });
    cached = { bytes, model: readGraphModel(bytes) };
  }
  return cached;
}

/** One 224×224×3 image of values in the range Larq Zoo's preprocessing produces (seeded). */
export function quicknetInput(): Float32Array {
  return new Rng(224).uniformArray(224 * 224 * 3, -2, 2);
}

export interface QuicknetReference {
  readonly input: string;
  readonly probabilities: number[];
}

export function readQuicknetReference(): QuicknetReference | undefined {
  try {
    return JSON.parse(readFileSync(QUICKNET_REFERENCE, "utf8")) as QuicknetReference;
  } catch {
    return undefined;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { model } = loadQuicknet();
  const out = runReference(model, { [model.graph.inputs[0]!.name]: quicknetInput() }, 1);
  const probabilities = Array.from(out[model.graph.outputs[0]!]!.data as Float32Array);
  const doc: QuicknetReference = { input: "new Rng(224).uniformArray(224 * 224 * 3, -2, 2)", probabilities };
  writeFileSync(QUICKNET_REFERENCE, `${JSON.stringify(doc)}\n`);
  console.log(`wrote ${QUICKNET_REFERENCE}`);
}
