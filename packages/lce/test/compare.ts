import { expect } from "vitest";
import { importLceModel, readTflite } from "../src/index.js";
import { buildTflite, type ModelSpec } from "./build-tflite.js";
import { runGraphReference } from "./graph-reference.js";
import { interpretTflite } from "./tflite-interpreter.js";

/** LCE's packed int32 words (bit 1 = −1) of a tensor whose last axis is `channels`, as ±1 values. */
export function lceSigns(words: Int32Array, channels: number): Int8Array {
  const perRow = Math.ceil(channels / 32);
  const rows = words.length / perRow;
  const out = new Int8Array(rows * channels);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < channels; c++)
      out[r * channels + c] = (words[r * perRow + (c >> 5)]! >>> (c & 31)) & 1 ? -1 : 1;
  return out;
}

/**
 * Builds `spec`, runs it with the .tflite test interpreter and, imported, with the graph reference, and
 * checks that every graph output agrees: float values within `tolerance` (relative to 1 + |value|), packed
 * values sign for sign. Returns the imported graph.
 */
export function expectSameResults(spec: ModelSpec, input: Float32Array, tolerance = 1e-5) {
  const model = readTflite(buildTflite(spec));
  const graph = importLceModel(model);
  const want = interpretTflite(model, input);
  const got = runGraphReference(graph, input);
  model.outputs.forEach((tensorIndex, k) => {
    const expected = want.get(tensorIndex)!;
    const actual = got.get(graph.outputs[k]!)!;
    if (actual.kind === "bits") {
      const channels = actual.shape.at(-1)!;
      const signs = Array.from({ length: (actual.bits.length / actual.words) * channels }, (_, i) => {
        const r = Math.floor(i / channels);
        const c = i % channels;
        return (actual.bits[r * actual.words + (c >> 5)]! >>> (c & 31)) & 1 ? 1 : -1;
      });
      expect(signs).toEqual(Array.from(lceSigns(expected.data as Int32Array, channels)));
    } else {
      expect(actual.data.length).toBe(expected.data.length);
      for (let i = 0; i < actual.data.length; i++) {
        const e = expected.data[i]!;
        if (Math.abs(actual.data[i]! - e) > tolerance * (1 + Math.abs(e)))
          expect.fail(`output ${k} element ${i}: graph reference ${actual.data[i]} vs interpreter ${e}`);
      }
    }
  });
  return graph;
}
