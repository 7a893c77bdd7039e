// Per-machine choice of the WebAssembly binary GEMM tile: which tile is fastest depends on the core
// (one POPCNT port on Intel, several on AMD Zen; load ports; how V8 schedules the loop), so the
// candidates are timed once per thread on a small problem and the fastest is kept. Every tile gives
// the same results bit for bit, so the choice only ever changes speed.
import { kernelRowWords } from "../kernel-layout.js";
import type { GemmArgs } from "./kernel-args.js";
import {
  DEFAULT_GEMM_TILE,
  GEMM_TILES,
  type GemmTile,
  type WasmBackend,
  gemmTileInfo,
} from "./gemm-tiles.js";
import { createWasmKernels, wasmBackendSupported, wasmModuleLoaded } from "./wasm-kernels.js";

export interface GemmTuning {
  /** The tile each backend runs. */
  readonly tiles: Readonly<Record<WasmBackend, GemmTile>>;
  /** G binary-MAC/s of each measured candidate, keyed "backend/tile" (best of several rounds). */
  readonly measured: Readonly<Record<string, number>>;
  /** Why these tiles: measured, or forced with setGemmTile. */
  readonly reason: string;
}

let measuredTuning: GemmTuning | undefined;
const forced: Partial<Record<WasmBackend, GemmTile>> = {};

/**
 * The tile each WebAssembly backend runs: the fastest candidate of a short measurement (about
 * 10–30 ms, once per thread, on first use), unless forced with `setGemmTile`.
 */
export function gemmTuning(): GemmTuning {
  measuredTuning ??= measureTiles();
  const tiles = { ...measuredTuning.tiles, ...forced };
  const reason =
    Object.keys(forced).length > 0
      ? `forced with setGemmTile (${Object.entries(forced)
          .map(([b, t]) => `${b} ${t}`)
          .join(", ")})`
      : measuredTuning.reason;
  return { tiles, measured: measuredTuning.measured, reason };
}

/** Measures again on next use (after a module that was not loaded before has loaded). */
export function forgetMeasuredTiles(): void {
  measuredTuning = undefined;
}

/** The tile `backend` runs (measuring the candidates on first use). */
export function gemmTileFor(backend: WasmBackend): GemmTile {
  return forced[backend] ?? gemmTuning().tiles[backend];
}

/**
 * Forces the binary GEMM tile of a WebAssembly backend for kernels created afterwards (`"auto"`:
 * the measured choice again). E.g. `setGemmTile("wasm-i64", "1x4")` keeps the tile that is fastest
 * on AMD Zen. Throws `BitopsError` "INVALID_ARGUMENT" for a tile the backend lacks.
 */
export function setGemmTile(backend: WasmBackend, tile: GemmTile | "auto"): void {
  if (tile === "auto") {
    delete forced[backend];
    return;
  }
  gemmTileInfo(backend, tile);
  forced[backend] = tile;
}

/** Times every candidate tile interleaved on a 16×2048×256 GEMM over a memory of its own. */
function measureTiles(): GemmTuning {
  const tiles: Record<WasmBackend, GemmTile> = { ...DEFAULT_GEMM_TILE };
  const candidates = GEMM_TILES.filter((t) => wasmModuleLoaded(t.backend) && wasmBackendSupported(t.backend));
  if (candidates.length <= 1) {
    return { tiles, measured: {}, reason: "default tiles (nothing to compare)" };
  }
  const m = 16;
  const k = 2048;
  const n = 256;
  const kWords = kernelRowWords(k);
  const memory = new WebAssembly.Memory({ initial: 2 });
  const a = 0;
  const w = a + m * kWords * 4;
  const out = w + n * kWords * 4;
  const words = new Uint32Array(memory.buffer, 0, out / 4);
  let x = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  const args: GemmArgs = {
    mode: "dot",
    a,
    aStride: kWords * 4,
    w,
    n,
    k,
    kWords,
    out,
    outStride: n * 4,
    p0: 0,
    p1: 0,
  };
  const kernels = candidates.map((c) => createWasmKernels(c.backend, memory, c.tile));
  const best = kernels.map(() => Number.POSITIVE_INFINITY);
  // Interleaved rounds: every candidate sees the same share of the machine's noise and the same
  // chance to reach V8's optimizing tier; the best reading of each is its speed.
  for (let round = 0; round < 8; round++) {
    kernels.forEach((kern, i) => {
      // Several calls per reading: browsers coarsen performance.now() to 5–100 µs.
      const t0 = performance.now();
      for (let rep = 0; rep < 4; rep++) kern.gemmRows(args, 0, m);
      best[i] = Math.min(best[i]!, (performance.now() - t0) / 4);
    });
  }
  const measured: Record<string, number> = {};
  const fastest: Partial<Record<WasmBackend, number>> = {};
  candidates.forEach((c, i) => {
    const g = (m * n * k) / Math.max(best[i]!, 1e-4) / 1e6;
    measured[`${c.backend}/${c.tile}`] = g;
    if (g > (fastest[c.backend] ?? -1)) {
      fastest[c.backend] = g;
      tiles[c.backend] = c.tile;
    }
  });
  const reason = `measured fastest: ${Object.entries(tiles)
    .filter(([b]) => fastest[b as WasmBackend] !== undefined)
    .map(([b, t]) => `${b} ${t}`)
    .join(", ")}`;
  return { tiles, measured, reason };
}
