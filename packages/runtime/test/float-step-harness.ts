import { expect } from "vitest";
import { MemoryViews } from "../src/memory-views.js";
import type { Rng } from "./random-models.js";

// Shared by the float step tests: a random memory, a fast step run against its reference on two
// copies (rows split in two ranges), and random convolution/pool windows.

export const OUT = 320 * 1024;

export interface Layout {
  readonly memory: WebAssembly.Memory;
  readonly views: MemoryViews;
}

export function memory(rng: Rng, floats: number): Layout {
  const memory = new WebAssembly.Memory({ initial: Math.ceil((OUT + 4 * floats) / 65536) + 1 });
  const views = new MemoryViews(memory);
  views.f32.set(rng.uniform(OUT / 4, -2, 2));
  // Some exact zeros and negative zeros in the inputs (sign-of-zero behaviour must match too).
  for (let i = 0; i < 64; i++) views.f32[rng.int(0, OUT / 4 - 1)] = rng.next() < 0.5 ? 0 : -0;
  return { memory, views };
}

/** Runs `fast` and `reference` on copies of one random memory over rows split in two ranges. */
export function agree<S>(
  rng: Rng,
  floats: number,
  rows: number,
  step: S,
  fast: (v: MemoryViews, s: S, r0: number, r1: number) => void,
  reference: (v: MemoryViews, s: S, r0: number, r1: number) => void,
  label: string,
): void {
  const a = memory(rng, floats);
  const b = new MemoryViews(new WebAssembly.Memory({ initial: a.memory.buffer.byteLength / 65536 }));
  b.u8.set(a.views.u8);
  const split = rng.int(0, rows);
  fast(a.views, step, 0, split);
  fast(a.views, step, split, rows);
  reference(b, step, 0, rows);
  // Every word equal, except that any two NaNs are equal (their payloads are not specified).
  let first = -1;
  for (let i = 0; i < a.views.u32.length && first < 0; i++)
    if (a.views.u32[i] !== b.u32[i] && !(Number.isNaN(a.views.f32[i]) && Number.isNaN(b.f32[i]))) first = i;
  expect(first, `${label}: first differing word`).toBe(-1);
}

export function window(rng: Rng) {
  const height = rng.int(1, 9);
  const width = rng.int(1, 9);
  const kernelH = rng.int(1, 4);
  const kernelW = rng.int(1, 4);
  const strideH = rng.int(1, 3);
  const strideW = rng.int(1, 3);
  const same = rng.next() < 0.6;
  const outH = same ? Math.ceil(height / strideH) : Math.floor((height - kernelH) / strideH) + 1;
  const outW = same ? Math.ceil(width / strideW) : Math.floor((width - kernelW) / strideW) + 1;
  const padTop = same ? Math.floor(Math.max((outH - 1) * strideH + kernelH - height, 0) / 2) : 0;
  const padLeft = same ? Math.floor(Math.max((outW - 1) * strideW + kernelW - width, 0) / 2) : 0;
  return { height, width, kernelH, kernelW, strideH, strideW, outH, outW, padTop, padLeft };
}
