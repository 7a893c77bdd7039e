import { afterEach, describe, expect, it } from "vitest";
import {
  BitopsError,
  BitopsHeap,
  GEMM_TILES,
  type GemmArgs,
  bconv2d,
  bconv2dRef,
  bgemmRef,
  createKernels,
  getBackendInfo,
  kernelRowWords,
  packConvWeights,
  packImages,
  packSignsMatrix,
  prepackConvWeights,
  prepackWeights,
  scaleBiasRef,
  setBackend,
  setGemmTile,
  thresholdRef,
  wasmBackendSupported,
} from "../src/index.js";
import { randomValues } from "./backends.js";

const TILES = GEMM_TILES.filter((t) => wasmBackendSupported(t.backend));

afterEach(() => {
  setGemmTile("wasm-i64", "auto");
  setGemmTile("wasm-simd", "auto");
  setBackend("auto");
});

// Shapes around every tile's edges: M = 1 and odd M (2×2's single last row), N = 1 and N not a
// multiple of 4, K not a multiple of 64 or 128, K words below, at and past the carry-save blocks
// of eight, and past its 31-block byte-counter flush (K > 15 872).
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 5, 63],
  [2, 1, 65],
  [3, 7, 129],
  [5, 9, 500],
  [1, 37, 520],
  [7, 4, 1000],
  [33, 6, 777],
  [2, 3, 16_447],
  [3, 5, 33_000],
];

/** Runs one GEMM of `tile` in every output mode over a fresh memory; compares with the references. */
function checkTile(
  t: (typeof TILES)[number],
  m: number,
  n: number,
  k: number,
  A: Float32Array,
  W: Float32Array,
) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const heap = new BitopsHeap(memory);
  const kernels = createKernels({ backend: t.backend, memory, tile: t.tile });
  const a = packSignsMatrix(A, m, k, { wordMultiple: 4 });
  const wm = packSignsMatrix(W, n, k);
  const pw = prepackWeights(wm);
  const expected = bgemmRef(a, wm);
  const kWords = kernelRowWords(k);
  const aPtr = heap.alloc(a.data.byteLength);
  const wPtr = heap.alloc(pw.data.byteLength);
  heap.u32(aPtr, a.data.length).set(a.data);
  heap.u32(wPtr, pw.data.length).set(pw.data);
  const out = heap.alloc(m * n * 4);
  heap.i32(out, m * n).fill(0x55555555);
  const args: GemmArgs = {
    mode: "dot",
    a: aPtr,
    aStride: kWords * 4,
    w: wPtr,
    n,
    k,
    kWords,
    out,
    outStride: n * 4,
    p0: 0,
    p1: 0,
  };
  kernels.gemmRows(args, 0, m);
  expect(heap.i32(out, m * n)).toEqual(expected);

  const thresholds = Int32Array.from({ length: n }, (_, j) => expected[j % expected.length]! + (j % 3) - 1);
  const flip = Uint8Array.from({ length: n }, (_, j) => j & 1);
  const words = kernelRowWords(n);
  const p0 = heap.alloc(n * 4);
  const p1 = heap.alloc(n);
  heap.i32(p0, n).set(thresholds);
  heap.u8(p1, n).set(flip);
  const bits = heap.alloc(m * words * 4);
  heap.u32(bits, m * words).fill(0xffffffff);
  kernels.gemmRows({ ...args, mode: "threshold", out: bits, outStride: words * 4, p0, p1 }, 0, m);
  expect(heap.u32(bits, m * words)).toEqual(thresholdRef(expected, m, n, thresholds, flip).data);

  const scale = Float32Array.from({ length: n }, (_, j) => 0.25 + j / 7);
  const bias = Float32Array.from({ length: n }, (_, j) => j - 3.5);
  const s0 = heap.alloc(n * 4);
  const s1 = heap.alloc(n * 4);
  heap.f32(s0, n).set(scale);
  heap.f32(s1, n).set(bias);
  const floats = heap.alloc(m * n * 4);
  kernels.gemmRows({ ...args, mode: "scaleBias", out: floats, p0: s0, p1: s1 }, 0, m);
  expect(heap.f32(floats, m * n)).toEqual(scaleBiasRef(expected, m, n, scale, bias));
}

describe.each(TILES.map((t) => [`${t.backend} ${t.tile}`, t] as const))("GEMM tile %s", (_, t) => {
  it("is bit-exact against the reference on random shapes, in every output mode", () => {
    SHAPES.forEach(([m, n, k], i) => {
      checkTile(t, m, n, k, randomValues(m * k, 100 + i), randomValues(n * k, 200 + i));
    });
  });

  it("counts every bit where all of them differ (no carry-save counter overflows)", () => {
    const [m, n, k] = [2, 4, 31 * 8 * 64 * 2 + 192];
    checkTile(t, m, n, k, new Float32Array(m * k).fill(1), new Float32Array(n * k).fill(-1));
  });

  it("runs the convolutions through the same tile", () => {
    setBackend(t.backend);
    setGemmTile(t.backend, t.tile);
    expect(getBackendInfo().gemmTile).toBe(t.tile);
    const x = packImages(randomValues(2 * 6 * 5 * 70, 7), 2, 6, 5, 70);
    const w = packConvWeights(randomValues(9 * 3 * 3 * 70, 8), 9, 3, 3, 70);
    const options = { stride: 1, padding: "same" as const };
    expect(bconv2d(x, prepackConvWeights(w), options)).toEqual(bconv2dRef(x, w, options));
  });
});

describe("GEMM tile tuning", () => {
  it("measures every candidate and shows the choice in getBackendInfo", () => {
    setBackend("wasm-i64");
    const info = getBackendInfo();
    const tuning = info.gemmTuning!;
    expect(Object.keys(tuning.measured).sort()).toEqual(TILES.map((t) => `${t.backend}/${t.tile}`).sort());
    for (const g of Object.values(tuning.measured)) expect(g).toBeGreaterThan(0);
    expect(TILES.some((t) => t.backend === "wasm-i64" && t.tile === info.gemmTile)).toBe(true);
    expect(info.gemmTile).toBe(tuning.tiles["wasm-i64"]);
    // The choice is the fastest measured candidate of its backend.
    const i64 = TILES.filter((t) => t.backend === "wasm-i64").map(
      (t) => tuning.measured[`wasm-i64/${t.tile}`]!,
    );
    expect(tuning.measured[`wasm-i64/${info.gemmTile}`]).toBe(Math.max(...i64));
  });

  it("setGemmTile forces a tile (the old 1×4 stays selectable) and rejects one the backend lacks", () => {
    setBackend("wasm-i64");
    expect(setGemmTile("wasm-i64", "1x4").gemmTile).toBe("1x4");
    expect(getBackendInfo().gemmTuning!.reason).toMatch(/forced with setGemmTile \(wasm-i64 1x4\)/);
    const memory = new WebAssembly.Memory({ initial: 1 });
    expect((createKernels({ backend: "wasm-i64", memory }) as { tile?: string }).tile).toBe("1x4");
    expect(() => setGemmTile("wasm-i64", "2x4")).toThrowError(BitopsError);
    expect(() => setGemmTile("wasm-i64", "2x4")).toThrowError(/wasm-i64 has no GEMM tile "2x4".*"1x4"/);
    expect(() => createKernels({ backend: "wasm-simd", memory, tile: "2x2" })).toThrowError(/option tile/);
  });
});
