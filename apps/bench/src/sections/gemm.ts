import { binaryGemmCases, packCases } from "../binary-gemm.js";
import { floatGemmCases, smallGemmCases } from "../float-gemm.js";
import { comparedBackends } from "../harness/native.js";
import type { BenchContext, CaseSpec, Section, SectionPlan } from "../harness/types.js";
import { matmulModel } from "../onnx/model.js";
import { createOrtSession, loadOrt, runOrt } from "../onnx/ort.js";
import { checkFloatProduct } from "./checks.js";
import {
  FULL_GEMM_SHAPES,
  floatOperands,
  type GemmShape,
  gemmGroup,
  QUICK_GEMM_SHAPES,
} from "./gemm-operands.js";
import { tensorTooSlowForQuick } from "./onebit-packages.js";
import { loadTensorNode } from "./tensor-threads.js";

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
    const cases: CaseSpec[] = [];
    const { reason } = await loadOrt();
    if (reason)
      notes.push(
        `onnxruntime-node not available (${reason}): its rows are left out and speedups are relative to the first float32 case`,
      );
    if (!reason) for (const s of shapes) cases.push(...ortCases(s, threadCounts));

    // The onebit kernels: float32 on the backend @onebit/tensor selects (and its fallback, and
    // threads), binary on native, wasm-i64 and wasm-simd side by side (--full: TypeScript too),
    // packing at K = 4096.
    const backends = comparedBackends(ctx.quick);
    for (const s of shapes) {
      if (tensorTooSlowForQuick(ctx.quick, 2 * s.m * s.n * s.k)) {
        notes.push(
          `${gemmGroup(s)}: @onebit/tensor gemm left out of --quick (slow on this backend); --full runs it`,
        );
      } else cases.push(...floatGemmCases(s, { quick: ctx.quick, threads: tensorThreads ? ctx.threads : 1 }));
      cases.push(...binaryGemmCases(s, backends, ctx.threads));
      if (s.k === 4096) cases.push(...packCases(s, backends));
    }
    cases.push(...smallGemmCases(ctx.quick));
    return { cases, notes };
  },
};
