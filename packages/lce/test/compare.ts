import { readGraphModel, runReference, writeGraphModel } from "@onebit/format";
import { expect } from "vitest";
import { importLceModel, type LceGraph, readTflite, toOnebitModel } from "../src/index.js";
import { buildTflite, type ModelSpec } from "./build-tflite.js";
import { interpretTflite } from "./tflite-interpreter.js";

/** LCE's packed int32 words (bit 1 = −1) of a tensor whose last axis is `channels`, as ±1 values. */
export function lceSigns(words: Int32Array, channels: number): number[] {
  const perRow = Math.ceil(channels / 32);
  const rows = words.length / perRow;
  const out: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < channels; c++) out.push((words[r * perRow + (c >> 5)]! >>> (c & 31)) & 1 ? -1 : 1);
  return out;
}

/**
 * Builds `spec` as a .tflite file and checks the whole conversion against the independent test
 * interpreter: import → .onebit v2 bytes → readGraphModel → runReference (@onebit/format's executable
 * SPEC). Float outputs agree within `tolerance` (relative to 1 + |value|), packed outputs sign for sign.
 * Returns the imported graph.
 */
export function expectSameResults(spec: ModelSpec, input: Float32Array, tolerance = 1e-5): LceGraph {
  const model = readTflite(buildTflite(spec));
  const graph = importLceModel(model);
  const onebit = readGraphModel(writeGraphModel(toOnebitModel(graph)));
  const want = interpretTflite(model, input);
  const got = runReference(onebit, { [onebit.graph.inputs[0]!.name]: input });
  model.outputs.forEach((tensorIndex, k) => {
    const expected = want.get(tensorIndex)!;
    const actual = got[onebit.graph.outputs[k]!]!;
    if (actual.kind === "bits") {
      expect(Array.from(actual.data)).toEqual(lceSigns(expected.data as Int32Array, actual.shape.at(-1)!));
      return;
    }
    expect(actual.data.length).toBe(expected.data.length);
    for (let i = 0; i < actual.data.length; i++) {
      const e = expected.data[i]!;
      if (Math.abs(actual.data[i]! - e) > tolerance * (1 + Math.abs(e)))
        expect.fail(
          `output ${k} element ${i}: .onebit reference ${actual.data[i]} vs .tflite interpreter ${e}`,
        );
    }
  });
  return graph;
}
