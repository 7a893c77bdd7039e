import { BitopsError } from "../errors.js";
import { gemmEntries } from "../wasm/kernels.generated.js";

/** The WebAssembly kernel modules: scalar i64.popcnt and SIMD (i8x16.popcnt). */
export type WasmBackend = "wasm-i64" | "wasm-simd";

/**
 * The binary GEMM tiles of the WebAssembly modules (rows × columns; all read the same prepacked
 * 4-column panels and give the same results bit for bit):
 * - wasm-i64 `"1x4"`: one A word against four weight words per step, two K words per iteration (the
 *   default, fastest on AMD Zen); `"1x4-k4"`: four K words per iteration; `"2x2"`: two rows × two
 *   columns (one load per popcount).
 * - wasm-simd `"2x4"`: `i8x16.popcnt` per vector (the default); `"1x4-hs"`: two columns by scalar
 *   `i64.popcnt` beside two by a carry-save (Harley–Seal) adder over v128, for cores with one
 *   POPCNT port.
 */
export type GemmTile = "1x4" | "1x4-k4" | "2x2" | "2x4" | "1x4-hs";

/** The module export each tile runs. */
export type GemmEntry = "gemm" | "gemm1x4k4" | "gemm2x2" | "gemmMixed";

export interface GemmTileInfo {
  readonly tile: GemmTile;
  readonly backend: WasmBackend;
  readonly entry: GemmEntry;
}

const ALL_TILES: readonly GemmTileInfo[] = [
  { tile: "1x4", backend: "wasm-i64", entry: "gemm" },
  { tile: "1x4-k4", backend: "wasm-i64", entry: "gemm1x4k4" },
  { tile: "2x2", backend: "wasm-i64", entry: "gemm2x2" },
  { tile: "2x4", backend: "wasm-simd", entry: "gemm" },
  { tile: "1x4-hs", backend: "wasm-simd", entry: "gemmMixed" },
];

/**
 * The tiles this build's modules have: all of them in Node.js; the browser build embeds each
 * backend's default tile only (see tsup.config.ts), so there the tuner has nothing to compare.
 */
export const GEMM_TILES: readonly GemmTileInfo[] = ALL_TILES.filter((t) =>
  gemmEntries[t.backend === "wasm-i64" ? "i64" : "simd"].includes(t.entry),
);

/** The tile each backend runs when nothing was measured or chosen. */
export const DEFAULT_GEMM_TILE: Readonly<Record<WasmBackend, GemmTile>> = {
  "wasm-i64": "1x4",
  "wasm-simd": "2x4",
};

/** The tiles a backend's module has. */
export function gemmTilesOf(backend: WasmBackend): GemmTileInfo[] {
  return GEMM_TILES.filter((t) => t.backend === backend);
}

/** A backend's tile by name; `BitopsError` "INVALID_ARGUMENT" for a tile the module lacks. */
export function gemmTileInfo(backend: WasmBackend, tile: GemmTile): GemmTileInfo {
  const info = GEMM_TILES.find((t) => t.backend === backend && t.tile === tile);
  if (!info) {
    const names = gemmTilesOf(backend)
      .map((t) => `"${t.tile}"`)
      .join(", ");
    throw new BitopsError(
      "INVALID_ARGUMENT",
      `${backend} has no GEMM tile ${JSON.stringify(tile)} (option tile; it has ${names})`,
    );
  }
  return info;
}
