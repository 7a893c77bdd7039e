import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The QuickNet fixture (see fixtures/README.md), read once per test file. */
export const quicknetBytes: Uint8Array = new Uint8Array(
  readFileSync(join(import.meta.dirname, "fixtures", "larq-quicknet.tflite")),
);

/** A small deterministic generator (mulberry32) so every random test is reproducible from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
