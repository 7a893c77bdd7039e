import { type FloatConvCall, floatConvCall } from "./float-conv-call.js";
import type { FusedElementwiseStep } from "./fused-steps.js";
import { requireGraphSupport } from "./graph-loader.js";
import type { MemoryViews } from "./memory-views.js";
import type { GenericPoolStep, Step } from "./plan.js";
import { PreparedSteps } from "./prepared-steps.js";
import type { FloatGlueExports } from "./wasm-glue.js";

// The calls of the WebAssembly float glue (wasm-glue.ts) for the steps it covers: a chunk of its own,
// loaded with the glue's bytes (version 1 chains use it too, for their float layers, so what only
// graph steps need comes from the graph code, loaded whenever a plan has such steps).

const AFFINE_MODES = { batchNorm: 2, mul: 3 } as const;

/** The affine kernel's arguments for a fused step, but the per-sample pointers (see FloatGlueExports.affine). */
interface AffineCall {
  readonly kind: "affine";
  readonly step: FusedElementwiseStep;
  /** The added value (−1: none). */
  readonly other: number;
  readonly positions: number;
  readonly mode: number;
  readonly clamp: number;
  readonly lo: number;
  readonly hi: number;
  readonly clampAfter: number;
  readonly lo2: number;
  readonly hi2: number;
  readonly p0: number;
  readonly p1: number;
  readonly p2: number;
  readonly p3: number;
  readonly epsilon: number;
  readonly prelu: number;
}

/** What a step's glue call needs: read from the step (and its parameters in memory) on its first run. */
type Call =
  | { readonly kind: "conv"; readonly conv: FloatConvCall }
  | { readonly kind: "pool"; readonly pool: GenericPoolStep }
  | AffineCall;

/** Runs the steps the WebAssembly glue covers on one engine memory. */
export class WasmGlueSteps {
  /** Per step: its call (null: left to TypeScript). */
  private readonly calls: PreparedSteps<Call>;

  constructor(
    private readonly glue: FloatGlueExports,
    steps: readonly Step[],
    private readonly views: MemoryViews,
  ) {
    this.calls = new PreparedSteps(steps, (s) => this.prepare(s));
  }

  run(index: number, r0: number, r1: number): boolean {
    const call = this.calls.get(index);
    if (call === null) return false;
    if (call.kind === "conv") this.conv(call.conv, r0, r1);
    else if (call.kind === "pool") this.pool(call.pool, r0, r1);
    else this.affine(call, r0, r1);
    return true;
  }

  private prepare(s: Step): Call | null {
    switch (s.op) {
      case "conv2dFloat":
      case "denseFloat":
        // A dense layer is one pixel of k channels per sample: a 1×1 convolution.
        return s.epilogue.kind === "float32" ? { kind: "conv", conv: floatConvCall(s) } : null;
      case "conv2dGeneric":
        // Depthwise convolutions run faster in depthwise-steps.ts (each channel's taps read once).
        return requireGraphSupport(s.node).isDepthwise(s) ? null : { kind: "conv", conv: floatConvCall(s) };
      case "genericPool":
        return s.kind === "float32" ? { kind: "pool", pool: s } : null;
      case "fusedElementwise":
      case "channelwise":
      case "sign":
        return this.prepareAffine(s);
      default:
        return null;
    }
  }

  /** Output pixels [r0, r1) of a float convolution, grouped convolution or dense layer. */
  private conv(s: FloatConvCall, r0: number, r1: number): void {
    this.glue.conv(
      s.x,
      s.w,
      s.bias,
      s.out,
      s.height,
      s.width,
      s.channels,
      s.n,
      s.kernelH,
      s.kernelW,
      s.strideH,
      s.strideW,
      s.dilationH,
      s.dilationW,
      s.padTop,
      s.padLeft,
      s.outH,
      s.outW,
      s.groups,
      s.padValue,
      r0,
      r1,
    );
  }

  private pool(s: GenericPoolStep, r0: number, r1: number): void {
    this.glue.maxPool(
      s.input,
      s.out,
      s.height,
      s.width,
      s.depth,
      s.poolH,
      s.poolW,
      s.strideH,
      s.strideW,
      s.padTop,
      s.padLeft,
      s.outH,
      s.outW,
      r0,
      r1,
    );
  }

  /** The affine kernel's call of a fused step (or a channelwise or sign as one), or null where it has no single pass. */
  private prepareAffine(step: Step): AffineCall | null {
    const graph = requireGraphSupport(step.node);
    const s = graph.asFusedStep(step);
    const pass = s && graph.singlePass(s.parts);
    if (!s || !pass) return null;
    const [lo, hi] = graph.bounds(pass.clamp);
    const [lo2, hi2] = graph.bounds(pass.clampAfter);
    const scale = pass.scale;
    const p = scale?.p ?? [];
    // x·s + o written as a batchNorm (mean 0, variance + ε exactly 1, LCE's) skips − 0 and ÷ 1, as fused-steps.ts does.
    let mode = scale ? AFFINE_MODES[scale.fn as keyof typeof AFFINE_MODES] : 0;
    if (scale?.fn === "batchNorm" && this.plainBatchNorm(scale.channels, p, scale.epsilon)) mode = 1;
    return {
      kind: "affine",
      step: s,
      other: pass.other ?? -1,
      positions: s.elements / s.channels,
      mode,
      clamp: pass.clamp ? 1 : 0,
      lo,
      hi,
      clampAfter: pass.clampAfter ? 1 : 0,
      lo2,
      hi2,
      p0: p[0] ?? 0,
      p1: p[1] ?? 0,
      p2: scale?.fn === "mul" ? p[0]! : (p[2] ?? 0),
      p3: p[3] ?? 0,
      epsilon: scale?.epsilon ?? 0,
      prelu: pass.prelu?.p[0] ?? 0,
    };
  }

  private affine(c: AffineCall, r0: number, r1: number): void {
    const s = c.step;
    const sign = s.sign;
    for (let m = r0; m < r1; m++) {
      const at = m * s.elements * 4;
      let bits = 0;
      if (sign) {
        const words = (sign.dst >>> 2) + m * sign.layout.sampleWords;
        this.views.u32.fill(0, words, words + sign.layout.sampleWords);
        bits = words * 4;
      }
      this.glue.affine(
        s.src + at,
        c.other < 0 ? 0 : c.other + at,
        s.dst + at,
        c.positions,
        s.channels,
        c.mode,
        c.clamp,
        c.lo,
        c.hi,
        c.clampAfter,
        c.lo2,
        c.hi2,
        c.p0,
        c.p1,
        c.p2,
        c.p3,
        c.epsilon,
        bits,
        sign?.layout.wpp ?? 0,
        sign?.thresholds ?? 0,
        sign?.flip ?? 0,
        c.prelu,
      );
    }
  }

  /** Mean 0 and √(σ² + ε) = 1 in every channel. */
  private plainBatchNorm(c: number, p: readonly number[], epsilon: number): boolean {
    const f32 = this.views.f32;
    for (let k = 0; k < c; k++)
      if (f32[(p[0]! >>> 2) + k] !== 0 || Math.sqrt(f32[(p[1]! >>> 2) + k]! + epsilon) !== 1) return false;
    return true;
  }
}
