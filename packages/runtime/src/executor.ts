import type { BitopsKernels, GemmArgs, PlaneConvArgs } from "@onebit/bitops";
import { copyWordsRows, encodePlanesRows, genericPoolRows, im2colRows, xorMaskRows } from "./bit-steps.js";
import { conv2dFloatRows, denseFloatRows, softmaxRows, toFloatRows } from "./float-steps.js";
import { requireGraphSupport } from "./graph-loader.js";
import type { GraphSupport } from "./graph-support.js";
import { MemoryViews } from "./memory-views.js";
import { nativeGlueSteps } from "./native-glue.js";
import { GRAPH_STEP_OPS, type Im2colConvStep, type PlanData, type Step } from "./plan.js";
import { type FloatGlueInfo, wasmGlueSteps, wasmGlueUnavailable } from "./wasm-glue.js";

/** Float steps run by a glue (native-glue.ts, wasm-glue-steps.ts): `run` returns false for the ones it leaves to TypeScript. */
interface GlueSteps {
  run(index: number, rowStart: number, rowEnd: number): boolean;
}

/**
 * Runs row ranges of a plan's steps on one thread: the `@onebit/bitops` pointer kernels for the
 * binary parts, TypeScript for the rest. Everything it needs per batch is made here, once.
 */
export class StepExecutor {
  readonly views: MemoryViews;
  /** Per step, per slot: the mutable GEMM args of binary im2col convolutions (their `out` moves per chunk). */
  private readonly chunkArgs: (GemmArgs[] | undefined)[];
  /** Per step, per slot: the kernel arguments of bit-plane (8-bit input) convolutions. */
  private readonly planeConvs: (PlaneConvArgs[] | undefined)[];
  /**
   * Kernels for the float steps: the native glue on the native backend (where @onebit/native
   * published it in this thread), else the WebAssembly glue (all but the TypeScript backend).
   */
  private glue: GlueSteps | undefined;
  /** Whether `glue` is the native one. */
  private readonly nativeGlue: boolean;
  /** The graph code's steps (graph-support.ts), where the plan has any. */
  private readonly graphSteps: GraphSupport["runGraphStep"] | undefined;

  constructor(
    readonly plan: PlanData,
    readonly kernels: BitopsKernels,
  ) {
    this.views = new MemoryViews(kernels.memory);
    this.chunkArgs = plan.steps.map((s) =>
      s.op === "im2colConv" && s.source === "bits" ? s.slots.map((g) => ({ ...g })) : undefined,
    );
    this.planeConvs = plan.steps.map((s) =>
      s.op === "im2colConv" && s.source === "uint8" ? s.slots.map((g) => planeConvArgs(s, g)) : undefined,
    );
    if (kernels.backend === "native") this.glue = nativeGlueSteps(plan.steps, this.views);
    this.nativeGlue = this.glue !== undefined;
    if (!this.glue) this.wasmGlue();
    const graph = plan.steps.find((s) => GRAPH_STEPS.has(s.op));
    this.graphSteps = graph && requireGraphSupport(`step ${graph.op} of ${graph.node}`).runGraphStep;
  }

  /**
   * The WebAssembly glue once its bytes are loaded (Engine.create awaits them; until then — the
   * first passes of a createSync engine — the TypeScript steps run, with the same results).
   */
  private wasmGlue(): GlueSteps | undefined {
    if (this.kernels.backend === "typescript") return undefined;
    this.glue = wasmGlueSteps(this.kernels.memory, this.plan.steps, this.views);
    return this.glue;
  }

  /** What runs the float steps now, and why (an engine made by createSync may switch to the WebAssembly glue once it loads). */
  floatGlue(): FloatGlueInfo {
    if (this.nativeGlue)
      return { kernels: "native", reason: "@onebit/native's glue (C, this CPU's vector ISA)" };
    const { backend, memory } = this.kernels;
    if (backend === "typescript") return { kernels: "typescript", reason: "the TypeScript backend" };
    const glue = this.glue ?? this.wasmGlue();
    return glue
      ? { kernels: "wasm", reason: "the runtime's WebAssembly float glue" }
      : {
          kernels: "typescript",
          reason: wasmGlueUnavailable(memory) ?? "the WebAssembly glue is not loaded",
        };
  }

  /** Output rows of `step` for a batch. */
  static rows(step: Step, batch: number): number {
    return step.rowsPerSample * batch;
  }

  /** Runs rows [rowStart, rowEnd) of step `index`, using scratch slot `slot`. */
  runRows(index: number, rowStart: number, rowEnd: number, slot: number): void {
    if (rowEnd <= rowStart) return;
    const s = this.plan.steps[index]!;
    const v = this.views;
    if (FLOAT_GLUE_OPS.has(s.op)) {
      const glue = this.glue ?? this.wasmGlue();
      if (glue?.run(index, rowStart, rowEnd)) return;
    }
    switch (s.op) {
      case "gemm":
        if (s.bitPlane) this.kernels.bitPlaneGemmRows(s.args, rowStart, rowEnd);
        else this.kernels.gemmRows(s.args, rowStart, rowEnd);
        return;
      case "conv":
        this.kernels.conv2dRows(s.slots[slot]!, rowStart, rowEnd);
        return;
      case "im2colConv":
        if (s.source === "uint8")
          this.kernels.bitPlaneConv2dRows(this.planeConvs[index]![slot]!, rowStart, rowEnd);
        else this.im2colConv(s, this.chunkArgs[index]![slot]!, rowStart, rowEnd);
        return;
      case "pool":
        this.kernels.maxPool2dRows(s.args, rowStart, rowEnd);
        return;
      case "genericPool":
        genericPoolRows(v, s, rowStart, rowEnd);
        return;
      case "xorMask":
        xorMaskRows(v, s, rowStart, rowEnd);
        return;
      case "copyWords":
        copyWordsRows(v, s, rowStart, rowEnd);
        return;
      case "encodePlanes":
        encodePlanesRows(v, s, rowStart, rowEnd);
        return;
      case "toFloat":
        toFloatRows(v, s, rowStart, rowEnd);
        return;
      case "denseFloat":
        denseFloatRows(v, s, rowStart, rowEnd);
        return;
      case "conv2dFloat":
        conv2dFloatRows(v, s, rowStart, rowEnd);
        return;
      case "softmax":
        softmaxRows(v, s, rowStart, rowEnd);
        return;
      default:
        // Only the graph code makes the other kinds (the constructor found it loaded).
        this.graphSteps!(v, s, rowStart, rowEnd);
    }
  }

  /** A binary convolution with unequal strides: im2col here, then the kernels' GEMM, chunk by chunk. */
  private im2colConv(s: Im2colConvStep, g: GemmArgs, rowStart: number, rowEnd: number): void {
    const base = s.slots[0]!.out;
    for (let r0 = rowStart; r0 < rowEnd; r0 += s.scratchRows) {
      const r1 = Math.min(r0 + s.scratchRows, rowEnd);
      im2colRows(this.views, s, g.a, g.aStride >>> 2, r0, r1);
      g.out = base + r0 * g.outStride;
      this.kernels.gemmRows(g, 0, r1 - r0);
    }
  }

  /** Runs every step of a pass over `batch` samples on this thread alone. */
  runAll(batch: number): void {
    for (let i = 0; i < this.plan.steps.length; i++) {
      this.runRows(i, 0, StepExecutor.rows(this.plan.steps[i]!, batch), 0);
    }
  }
}

/**
 * Step kinds the executor offers the float glue (native-glue.ts and wasm-glue.ts decide per step):
 * a kind the glue runs but that is missing here silently stays in TypeScript.
 */
export const FLOAT_GLUE_OPS = new Set<Step["op"]>([
  "conv2dFloat",
  "conv2dGeneric",
  "denseFloat",
  "genericPool",
  "fusedElementwise",
  "channelwise",
  "sign",
]);

/** Step kinds the graph code runs (`GraphSupport.runGraphStep`). */
const GRAPH_STEPS = new Set<Step["op"]>(GRAPH_STEP_OPS);

/** The kernel arguments of a bit-plane convolution step on one scratch slot. */
function planeConvArgs(s: Im2colConvStep, gemm: GemmArgs): PlaneConvArgs {
  return {
    input: s.input,
    height: s.height,
    width: s.width,
    channels: s.channels,
    kernelH: s.kernelH,
    kernelW: s.kernelW,
    strideH: s.strideH,
    strideW: s.strideW,
    padTop: s.padTop,
    padLeft: s.padLeft,
    outH: s.outH,
    outW: s.outW,
    padValue: s.padValue,
    gemm,
    scratchRows: s.scratchRows,
  };
}

/** How many column slices a step was planned with (0: it splits by rows only). */
export function columnSlices(step: Step): number {
  if (step.op === "gemm") return step.columns?.length ?? 0;
  if (step.op === "denseFloat") return step.columns ? step.columns.length - 1 : 0;
  return 0;
}

/** Thread t's share [start, end) of `rows` rows split over `threads` threads (contiguous, balanced). */
export function rowShare(rows: number, t: number, threads: number): [number, number] {
  return [Math.floor((rows * t) / threads), Math.floor((rows * (t + 1)) / threads)];
}
