import type { CaseSpec, CheckResult } from "../harness/types.js";
import { createOrtSession, loadOrt, runOrt } from "../onnx/ort.js";

/** A graph's float32 version as the residual section runs it in onnxruntime-node, batch 1. */
export interface OrtGraph {
  readonly group: string;
  /** What the ONNX graph is, for the row's label ("the same graph in float32", …). */
  readonly what: string;
  onnx(): Uint8Array;
  input(): Float32Array;
  readonly dims: readonly number[];
  check(y: Float32Array): CheckResult;
}

/** The graph in onnxruntime-node on `threads` threads (1 thread: the group's baseline). */
export function ortGraphCase(g: OrtGraph, threads: number): CaseSpec<Float32Array> {
  return {
    section: "residual",
    group: g.group,
    impl: `ort-${threads}t`,
    label: `onnxruntime-node, ${g.what}, ${threads} thread${threads === 1 ? "" : "s"}`,
    precision: "float32",
    threads,
    baseline: threads === 1,
    work: { count: 1, unit: "sample" },
    async setup() {
      const { ort, reason } = await loadOrt();
      if (!ort) throw new Error(`onnxruntime-node unavailable: ${reason}`);
      const session = await createOrtSession(ort, g.onnx(), threads);
      const x = g.input();
      return {
        run: () => runOrt(ort, session, x, [...g.dims]),
        check: (y) => g.check(y),
        dispose: () => session.release(),
      };
    },
  };
}

/** 1 thread (the baseline) and `threads` when that is more. */
export function ortGraphCases(g: OrtGraph, threads: number): CaseSpec<Float32Array>[] {
  return threads > 1 ? [ortGraphCase(g, 1), ortGraphCase(g, threads)] : [ortGraphCase(g, 1)];
}
