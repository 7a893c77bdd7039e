import * as bitops from "@onebit/bitops";
import { Rng } from "@onebit/tensor";
import { cached } from "../harness/cached.js";

/** Dense GEMM C[M×N] = A[M×K]·B[K×N]: the shape of a fully connected layer at batch M. */
export interface GemmShape {
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

export const FULL_GEMM_SHAPES: readonly GemmShape[] = [1, 16, 64, 256].flatMap((m) =>
  [1024, 4096].map((k) => ({ m, k, n: k })),
);

export const QUICK_GEMM_SHAPES: readonly GemmShape[] = [
  { m: 1, k: 4096, n: 4096 },
  { m: 64, k: 4096, n: 4096 },
  { m: 256, k: 1024, n: 1024 },
];

export function gemmGroup(s: GemmShape): string {
  return `${s.m}x${s.k}x${s.n}`;
}

export interface FloatOperands {
  readonly a: Float32Array;
  /** K×N row-major. */
  readonly b: Float32Array;
}

export interface BinaryOperands {
  readonly aSigns: Float32Array;
  /** N×K: one row of weights per output. */
  readonly wSigns: Float32Array;
  readonly a: bitops.BitMatrix;
  readonly w: bitops.BitMatrix;
}

// Operands are shared by every implementation of a shape (and B by every M), built on first use.
const floatB = new Map<string, Float32Array>();
const floatA = new Map<string, Float32Array>();

export function floatOperands(s: GemmShape): FloatOperands {
  return {
    a: cached(floatA, `${s.m}x${s.k}`, () => new Rng(s.m * 17 + s.k).uniformArray(s.m * s.k, -1, 1)),
    b: cached(floatB, `${s.k}x${s.n}`, () => new Rng(s.k * 31 + s.n).uniformArray(s.k * s.n, -1, 1)),
  };
}

export function binaryOperands(s: GemmShape): BinaryOperands {
  const rng = new Rng(s.m * 131 + s.k * 7 + s.n);
  const aSigns = rng.signs(s.m * s.k);
  const wSigns = rng.signs(s.n * s.k);
  return {
    aSigns,
    wSigns,
    a: bitops.packSignsMatrix(aSigns, s.m, s.k),
    w: bitops.packSignsMatrix(wSigns, s.n, s.k),
  };
}

/** Exact ±1 dot products from the unpacked signs: the reference every binary GEMM answer must equal. */
export function binaryExpected(op: BinaryOperands, k: number): (row: number, col: number) => number {
  return (row, col) => {
    let s = 0;
    for (let kk = 0; kk < k; kk++) s += op.aSigns[row * k + kk]! * op.wSigns[col * k + kk]!;
    return s;
  };
}
