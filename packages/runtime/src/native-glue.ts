import { type SinglePass, asFusedStep, bounds, singlePass } from "./fused-steps.js";
import type { FusedElementwiseStep } from "./fused-steps.js";
import type { MemoryViews } from "./memory-views.js";
import { type FloatConvCall, floatConvCall } from "./float-conv-call.js";
import type { GenericPoolStep, Step } from "./plan.js";
import { PreparedSteps } from "./prepared-steps.js";

/**
 * The native float glue (@onebit/native's csrc/glue.c) for the float steps of graph models on the
 * native backend: convolutions (float, grouped/depthwise, dense), the fused clamp → affine → add →
 * clamp → prelu → sign chain (and standalone batchNorm/mul/prelu/relu/clamp steps as one-part
 * chains) and float max-pool. Each kernel is bit-identical to the TypeScript step it replaces
 * (float64 sums in the same order, rounded where the step stores), so results do not depend on
 * which ran, and steps the kernels do not cover (bit epilogues, other chains) stay in TypeScript.
 */
export interface NativeFloatGlue {
  floatConv(view: Uint8Array, descriptor: Float64Array, weights: Float32Array): void;
  floatAffine(view: Uint8Array, descriptor: Float64Array, channels: Float64Array): void;
  floatMaxPool(view: Uint8Array, descriptor: Float64Array, unused: unknown): void;
}

/** The key @onebit/native publishes its glue under (its float-glue.ts; no import either way). */
const FLOAT_GLUE_KEY = Symbol.for("@onebit/native:float-glue");

/** The glue published in this thread by `import "@onebit/native/register"`, if any. */
export function publishedNativeGlue(): NativeFloatGlue | undefined {
  const g = (globalThis as Record<symbol, unknown>)[FLOAT_GLUE_KEY] as Partial<NativeFloatGlue> | undefined;
  return g && typeof g.floatConv === "function" && typeof g.floatAffine === "function"
    ? (g as NativeFloatGlue)
    : undefined;
}

/** What a step needs per call, prepared once (weights transposed, parameters in float64). */
type Prepared =
  | { readonly kind: "conv"; readonly desc: Float64Array; readonly weights: Float32Array }
  | {
      readonly kind: "affine";
      readonly desc: Float64Array;
      readonly channels: Float64Array;
      readonly step: FusedElementwiseStep;
    }
  | { readonly kind: "pool"; readonly desc: Float64Array };

const CONV_FIELDS = 17;

/** Runs the steps the native glue covers; `run` returns false for the others (TypeScript runs them). */
export class NativeGlueSteps {
  private readonly prepared: PreparedSteps<Prepared>;

  constructor(
    private readonly glue: NativeFloatGlue,
    steps: readonly Step[],
    private readonly views: MemoryViews,
  ) {
    this.prepared = new PreparedSteps(steps, (s) => prepare(views, s));
  }

  run(index: number, rowStart: number, rowEnd: number): boolean {
    const p = this.prepared.get(index);
    if (p === null) return false;
    this.views.refresh();
    const view = this.views.u8;
    switch (p.kind) {
      case "conv":
        p.desc[CONV_FIELDS - 2] = rowStart;
        p.desc[CONV_FIELDS - 1] = rowEnd;
        this.glue.floatConv(view, p.desc, p.weights);
        return true;
      case "pool":
        p.desc[11] = rowStart;
        p.desc[12] = rowEnd;
        this.glue.floatMaxPool(view, p.desc, undefined);
        return true;
      case "affine":
        this.affine(p, rowStart, rowEnd);
        return true;
    }
  }

  /** One call per sample.  */
  private affine(p: Extract<Prepared, { kind: "affine" }>, rowStart: number, rowEnd: number): void {
    const s = p.step;
    const d = p.desc;
    const pass = singlePass(s.parts)!;
    for (let m = rowStart; m < rowEnd; m++) {
      d[10] = s.src + m * s.elements * 4;
      d[11] = s.dst + m * s.elements * 4;
      d[12] = pass.other === undefined ? 0 : pass.other + m * s.elements * 4;
      if (s.sign) {
        // The kernel writes the words that hold channels; padding words and samples' tails read 0.
        const words = (s.sign.dst >>> 2) + m * s.sign.layout.sampleWords;
        d[13] = words * 4;
        this.views.u32.fill(0, words, words + s.sign.layout.sampleWords);
      }
      this.glue.floatAffine(this.views.u8, d, p.channels);
    }
  }
}

function prepare(v: MemoryViews, s: Step): Prepared | null {
  switch (s.op) {
    case "conv2dFloat":
    case "denseFloat":
      return s.epilogue.kind === "float32" ? prepareConv(v, floatConvCall(s)) : null;
    case "conv2dGeneric":
      return prepareConv(v, floatConvCall(s));
    case "genericPool":
      return s.kind === "float32" ? preparePool(s) : null;
    default: {
      const fused = asFusedStep(s);
      return fused ? prepareAffine(v, fused) : null;
    }
  }
}

/** Weights [o][taps] (taps = kh·kw·cin) transposed to [taps][o], the kernel's order. */
function transposed(v: MemoryViews, w: number, n: number, taps: number): Float32Array {
  const out = new Float32Array(taps * n);
  const f32 = v.f32;
  for (let o = 0; o < n; o++) for (let t = 0; t < taps; t++) out[t * n + o] = f32[(w >>> 2) + o * taps + t]!;
  return out;
}

/** The kernel's descriptor (rows at CONV_FIELDS − 2 and − 1, set per call) and its weight order. */
function prepareConv(v: MemoryViews, c: FloatConvCall): Prepared {
  const desc = Float64Array.of(
    c.height,
    c.width,
    c.channels,
    c.n,
    c.kernelH,
    c.kernelW,
    c.strideH,
    c.strideW,
    c.dilationH,
    c.dilationW,
    c.padTop,
    c.padLeft,
    c.outH,
    c.outW,
    c.groups,
    0,
    0,
    c.x,
    c.out,
    c.bias,
    c.padValue,
  );
  return {
    kind: "conv",
    desc,
    weights: transposed(v, c.w, c.n, c.kernelH * c.kernelW * (c.channels / c.groups)),
  };
}

function preparePool(s: GenericPoolStep): Prepared {
  const desc = Float64Array.of(
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
    0,
    0,
    s.input,
    s.out,
  );
  return { kind: "pool", desc };
}

/** The fused chains of the `SinglePass` shape (the common ones); others stay in TypeScript. */
function prepareAffine(v: MemoryViews, s: FusedElementwiseStep): Prepared | null {
  const pass: SinglePass | undefined = singlePass(s.parts);
  if (!pass) return null;
  const c = s.channels;
  const [lo, hi] = bounds(pass.clamp);
  const [lo2, hi2] = bounds(pass.clampAfter);
  // NaN bounds and an upper bound of −0 (Math.min's −0 preference) stay in TypeScript.
  if ([lo, hi, lo2, hi2].some(Number.isNaN) || Object.is(hi, -0) || Object.is(hi2, -0)) return null;
  const ch = new Float64Array(7 * c);
  // [mean, root, gamma, beta, t, sgn, alpha]: the arithmetic of fused-steps.ts' affineRows, in float64.
  ch.fill(1, c, 3 * c);
  ch.fill(1, 5 * c, 6 * c);
  let mode = 0;
  const f32 = v.f32;
  if (pass.scale) {
    const [p0, p1, p2, p3] = pass.scale.p.map((p) => p >>> 2) as [number, number, number, number];
    if (pass.scale.fn === "batchNorm") {
      for (let k = 0; k < c; k++) {
        ch[k] = f32[p0 + k]!;
        ch[c + k] = Math.sqrt(f32[p1 + k]! + pass.scale.epsilon);
        ch[2 * c + k] = f32[p2 + k]!;
        ch[3 * c + k] = f32[p3 + k]!;
      }
      let plain = true;
      for (let k = 0; k < c; k++) if (ch[k] !== 0 || ch[c + k] !== 1) plain = false;
      mode = plain ? 1 : 2;
    } else {
      for (let k = 0; k < c; k++) ch[2 * c + k] = f32[p0 + k]!;
      mode = 3;
    }
  }
  if (pass.prelu) for (let k = 0; k < c; k++) ch[6 * c + k] = f32[(pass.prelu.p[0]! >>> 2) + k]!;
  const sign = s.sign;
  let thresholds = 0;
  if (sign && (sign.thresholds !== 0 || sign.flip !== 0)) {
    thresholds = 1;
    for (let k = 0; k < c; k++) {
      const sgn = sign.flip && v.u8[sign.flip + k] ? -1 : 1;
      ch[5 * c + k] = sgn;
      ch[4 * c + k] = sgn * (sign.thresholds ? f32[(sign.thresholds >>> 2) + k]! : 0);
    }
  }
  // mode + 4: a trailing prelu (an older addon rejects the descriptor rather than skip it).
  const desc = Float64Array.of(
    c,
    mode + (pass.prelu ? 4 : 0),
    pass.clamp ? 1 : 0,
    pass.clampAfter ? 1 : 0,
    lo,
    hi,
    lo2,
    hi2,
    s.elements / c,
    sign ? sign.layout.wpp : 0,
    0,
    0,
    0,
    0,
    thresholds,
  );
  return { kind: "affine", desc, channels: ch, step: s };
}

/** The native glue's steps for a plan, where @onebit/native published the glue in this thread. */
export function nativeGlueSteps(steps: readonly Step[], views: MemoryViews): NativeGlueSteps | undefined {
  const glue = publishedNativeGlue();
  return glue && new NativeGlueSteps(glue, steps, views);
}
