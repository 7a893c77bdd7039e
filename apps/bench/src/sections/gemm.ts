import { bitops, tensor, tensorBackendName, tensorTooSlowForQuick } from "./onebit-packages.js";
import { cached } from "../harness/cached.js";
import { loadTensorNode, withTensorThreads } from "./tensor-threads.js";
import { Rng } from "@onebit/tensor";
import type { BenchContext, CaseSpec, Section, SectionPlan } from "../harness/types.js";
import { matmulModel } from "../onnx/model.js";
import { createOrtSession, loadOrt, runOrt } from "../onnx/ort.js";
import { checkExact, checkFloatProduct } from "./checks.js";
import { type ExternalOutcome, loadExternalSection } from "./external.js";
import { fastBitops } from "./fast-bitops.js";

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

interface FloatOperands {
  readonly a: Float32Array;
  /** K×N row-major. */
  readonly b: Float32Array;
}

interface BinaryOperands {
  readonly aSigns: Float32Array;
  /** N×K: one row of weights per output. */
  readonly wSigns: Float32Array;
  readonly a: bitops.BitMatrix;
  readonly w: bitops.BitMatrix;
}

// Operands are shared by every implementation of a shape (and B by every M), built on first use.
const floatB = new Map<string, Float32Array>();
const floatA = new Map<string, Float32Array>();

function floatOperands(s: GemmShape): FloatOperands {
  return {
    a: cached(floatA, `${s.m}x${s.k}`, () => new Rng(s.m * 17 + s.k).uniformArray(s.m * s.k, -1, 1)),
    b: cached(floatB, `${s.k}x${s.n}`, () => new Rng(s.k * 31 + s.n).uniformArray(s.k * s.n, -1, 1)),
  };
}

function binaryOperands(s: GemmShape): BinaryOperands {
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

function ortCases(s: GemmShape, threads: number[]): CaseSpec[] {
  const group = gemmGroup(s);
  return threads.map(
    (t, i): CaseSpec<Float32Array> => ({
      section: "gemm",
      group,
      impl: t === 1 ? "ort-1t" : `ort-${t}t`,
      label: `onnxruntime-node MatMul float32, ${t} thread${t === 1 ? "" : "s"}`,
      precision: "float32",
      threads: t,
      baseline: i === 0,
      work: { count: 2 * s.m * s.n * s.k, unit: "FLOP" },
      bytes: s.k * s.n * 4,
      async setup() {
        const { ort, reason } = await loadOrt();
        if (!ort) throw new Error(`onnxruntime-node unavailable: ${reason}`);
        const { a, b } = floatOperands(s);
        const session = await createOrtSession(ort, matmulModel(s.k, s.n, b), t);
        return {
          run: () => runOrt(ort, session, a, [s.m, s.k]),
          check: (c) => checkFloatProduct(c, a, (kk, col) => b[kk * s.n + col]!, s.m, s.n, s.k, "ORT MatMul"),
          dispose: () => session.release(),
        };
      },
    }),
  );
}

/** The onebit float32 GEMM (whatever backend @onebit/tensor selected), until float-gemm.ts takes over. */
function tensorGemmCase(s: GemmShape): CaseSpec<Float32Array> {
  return {
    section: "gemm",
    group: gemmGroup(s),
    impl: "tensor-gemm",
    label: `@onebit/tensor gemm float32 (${tensorBackendName()})`,
    precision: "float32",
    threads: 1,
    work: { count: 2 * s.m * s.n * s.k, unit: "FLOP" },
    bytes: s.k * s.n * 4,
    setup() {
      const { a, b } = floatOperands(s);
      const c = new Float32Array(s.m * s.n);
      return {
        run: () => {
          tensor.gemm(a, b, c, s.m, s.n, s.k);
          return c;
        },
        check: (out) =>
          checkFloatProduct(out, a, (kk, col) => b[kk * s.n + col]!, s.m, s.n, s.k, "tensor gemm"),
      };
    },
  };
}

/**
 * The binary GEMM of @onebit/bitops until binary-gemm.ts takes over: its prepacked `bgemm` (on the
 * backend it selected) where this build has it, else the TypeScript reference `bgemmRef`.
 */
function bgemmCase(s: GemmShape, backend?: string): CaseSpec<Int32Array> {
  const fb = fastBitops();
  // A forced backend is process-wide: set in setup, back to "auto" in dispose.
  const forced = fb && backend && backend !== fb.backend() ? backend : undefined;
  return {
    section: "gemm",
    group: gemmGroup(s),
    impl: fb ? (forced ? `bgemm-${forced}` : "bgemm") : "bgemm-ref",
    label: fb
      ? `@onebit/bitops bgemm binary (${forced ?? `${fb.backend()}, auto`})`
      : "@onebit/bitops bgemmRef binary (TypeScript reference)",
    precision: "binary",
    threads: 1,
    work: { count: s.m * s.n * s.k, unit: "bMAC" },
    bytes: s.n * Math.ceil(s.k / 32) * 4,
    setup() {
      const op = binaryOperands(s);
      const check = (c: Int32Array) =>
        checkExact(c, s.m, s.n, binaryExpected(op, s.k), fb ? "bgemm" : "bgemmRef");
      if (!fb) return { run: () => bitops.bgemmRef(op.a, op.w), check };
      if (forced) fb.setBackend(forced);
      // Weights are prepacked once, as at model load; activations arrive packed from the previous layer.
      const w = fb.prepackWeights(op.w);
      const a = bitops.packSignsMatrix(op.aSigns, s.m, s.k, { wordMultiple: fb.wordMultiple });
      const out = new Int32Array(s.m * s.n);
      return {
        run: () => fb.bgemm(a, w, out),
        check,
        dispose: () => {
          if (forced) fb.setBackend("auto");
        },
      };
    },
  };
}

export const gemmSection: Section = {
  id: "gemm",
  title: "1. GEMM kernels",
  description:
    "C = A·B at M×K×N (M = batch rows, K = N = layer width); speedup vs onnxruntime-node float32 on 1 thread, size ratio = float32 weight bytes / these weight bytes.",
  async plan(ctx: BenchContext): Promise<SectionPlan> {
    const shapes = ctx.quick ? QUICK_GEMM_SHAPES : FULL_GEMM_SHAPES;
    const threadCounts = ctx.threads > 1 ? [1, ctx.threads] : [1];
    const notes: string[] = [];
    const tensorNode = await loadTensorNode();
    const tensorThreads = ctx.threads > 1 && typeof tensorNode !== "string";
    if (ctx.threads > 1 && typeof tensorNode === "string")
      notes.push(`@onebit/tensor threads: not available (${tensorNode})`);
    const errors: string[] = [];
    const cases: CaseSpec[] = [];
    const { reason } = await loadOrt();
    if (reason)
      notes.push(
        `onnxruntime-node not available (${reason}): its rows are left out and speedups are relative to the first float32 case`,
      );
    if (!reason) for (const s of shapes) cases.push(...ortCases(s, threadCounts));

    // The onebit kernels on the backends they select, in this table's format (speedup vs ORT)...
    for (const s of shapes) {
      if (tensorTooSlowForQuick(ctx.quick, 2 * s.m * s.n * s.k)) {
        notes.push(
          `${gemmGroup(s)}: @onebit/tensor gemm left out of --quick (slow on this backend); --full runs it`,
        );
      } else {
        cases.push(tensorGemmCase(s));
        if (tensorThreads) cases.push(withTensorThreads(tensorGemmCase(s), ctx.threads));
      }
      const fb = fastBitops();
      // --quick: the auto-selected backend (binary-gemm.ts tables every backend); --full: all of them here too.
      const backends = fb ? (ctx.quick ? fb.backends().slice(0, 1) : fb.backends()) : [undefined];
      for (const backend of backends) cases.push(bgemmCase(s, backend));
    }
    // ...and the kernel engineers' own tables (every backend, naive loops, packing cost) from their files.
    const external: ExternalOutcome[] = [];
    for (const [file, fn] of [
      ["../float-gemm.js", "runFloatGemmBench"],
      ["../binary-gemm.js", "runBinaryGemmBench"],
    ] as const) {
      const e = await loadExternalSection(new URL(file, import.meta.url), fn, "gemm", ctx);
      if ("missing" in e) (e.failed ? errors : notes).push(e.missing);
      else {
        external.push(e);
        cases.push(...e.cases);
        notes.push(...e.notes);
      }
    }
    const tables = external.filter((e) => e.rows.length > 0).map((e) => ({ source: e.source, rows: e.rows }));
    return {
      cases,
      notes,
      errors,
      ...(tables.length > 0 ? { finish: async () => ({ externalTables: tables }) } : {}),
    };
  },
};
