import { isSharedMemory } from "@onebit/bitops";
import { isDepthwise } from "./depthwise-steps.js";
import { type FusedElementwiseStep, bounds, channelwiseAsFused, singlePass } from "./fused-steps.js";
import type { MemoryViews } from "./memory-views.js";
import { type FloatConvCall, floatConvCall } from "./float-conv-call.js";
import type { Step } from "./plan.js";

/**
 * The float glue for the WebAssembly backends (assembly/float-glue.ts, 3 KB, instantiated over the
 * engine's own memory): float/grouped/depthwise convolutions, dense layers, the fused clamp →
 * affine → add → clamp → prelu → sign chain (standalone batchNorm/mul/prelu/relu/clamp steps as
 * one-part chains) and float max-pool, bit-identical to the TypeScript steps (float64 in
 * their order, f64.max/min = Math.max/min). Steps it does not cover (bit epilogues, other chains)
 * stay in TypeScript; `run` returns false for them.
 */
interface FloatGlueExports {
  conv(
    x: number,
    w: number,
    bias: number,
    out: number,
    height: number,
    width: number,
    channels: number,
    n: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
    padTop: number,
    padLeft: number,
    outH: number,
    outW: number,
    groups: number,
    pad: number,
    r0: number,
    r1: number,
  ): void;
  affine(
    src: number,
    other: number,
    dst: number,
    positions: number,
    c: number,
    mode: number,
    clamp: number,
    lo: number,
    hi: number,
    after: number,
    lo2: number,
    hi2: number,
    p0: number,
    p1: number,
    p2: number,
    p3: number,
    epsilon: number,
    bits: number,
    wpp: number,
    thresholds: number,
    flip: number,
    prelu: number,
  ): void;
  maxPool(
    x: number,
    out: number,
    height: number,
    width: number,
    depth: number,
    ph: number,
    pw: number,
    sh: number,
    sw: number,
    padTop: number,
    padLeft: number,
    outH: number,
    outW: number,
    r0: number,
    r1: number,
  ): void;
}

/** The module bytes, loaded on demand (a chunk of its own: browser bundles fetch it only when used). */
let sources: { plain: string; shared: string } | undefined;
let loading: Promise<void> | undefined;
/** Compiled modules; null where this engine cannot compile the glue (no WebAssembly SIMD). */
const modules: { plain?: WebAssembly.Module | null; shared?: WebAssembly.Module | null } = {};

/** Loads the glue's module bytes (once; never rejects — without them the TypeScript steps run). */
export function loadWasmFloatGlue(): Promise<void> {
  loading ??= Promise.all([
    import("./wasm/float-glue.generated.js"),
    import("./wasm/float-glue-shared.generated.js"),
  ]).then(
    ([plain, shared]) => {
      sources = { plain: plain.FLOAT_GLUE_WASM_BASE64, shared: shared.FLOAT_GLUE_SHARED_WASM_BASE64 };
    },
    () => undefined,
  );
  return loading;
}

function decode(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * The glue instantiated over `memory` (plain or shared; compiled once per process, 3 KB, synchronous),
 * or undefined while its bytes are not loaded yet (this call starts loading them).
 */
export function wasmFloatGlue(memory: WebAssembly.Memory): FloatGlueExports | undefined {
  if (!sources) {
    void loadWasmFloatGlue();
    return undefined;
  }
  const shared = isSharedMemory(memory);
  const key = shared ? "shared" : "plain";
  if (modules[key] === null) return undefined;
  if (modules[key] === undefined) {
    try {
      modules[key] = new WebAssembly.Module(decode(sources[key]) as BufferSource);
    } catch {
      // An engine without WebAssembly SIMD (the glue uses v128): its steps stay in TypeScript.
      modules[key] = null;
      return undefined;
    }
  }
  return new WebAssembly.Instance(modules[key], { env: { memory } }).exports as unknown as FloatGlueExports;
}

const AFFINE_MODES = { batchNorm: 2, mul: 3 } as const;

/** Runs the steps the WebAssembly glue covers on one engine memory. */
export class WasmGlueSteps {
  constructor(
    private readonly glue: FloatGlueExports,
    private readonly steps: readonly Step[],
    private readonly views: MemoryViews,
  ) {}

  run(index: number, r0: number, r1: number): boolean {
    const s = this.steps[index]!;
    const g = this.glue;
    switch (s.op) {
      case "conv2dFloat":
        if (s.epilogue.kind !== "float32") return false;
        this.conv(floatConvCall(s), r0, r1);
        return true;
      case "conv2dGeneric":
        // Depthwise convolutions run faster in depthwise-steps.ts (each channel's taps read once).
        if (isDepthwise(s)) return false;
        this.conv(floatConvCall(s), r0, r1);
        return true;
      case "denseFloat":
        // One pixel of k channels per sample: a 1×1 convolution.
        if (s.epilogue.kind !== "float32") return false;
        this.conv(floatConvCall(s), r0, r1);
        return true;
      case "genericPool":
        if (s.kind !== "float32") return false;
        g.maxPool(
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
        return true;
      case "fusedElementwise":
        return this.affine(s, r0, r1);
      case "channelwise": {
        const fused = channelwiseAsFused(s);
        return fused !== undefined && this.affine(fused, r0, r1);
      }
      default:
        return false;
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

  private affine(s: FusedElementwiseStep, r0: number, r1: number): boolean {
    const pass = singlePass(s.parts);
    if (!pass) return false;
    const [lo, hi] = bounds(pass.clamp);
    const [lo2, hi2] = bounds(pass.clampAfter);
    const scale = pass.scale;
    const p = scale?.p ?? [];
    // x·s + o written as a batchNorm (mean 0, variance + ε exactly 1, LCE's) skips − 0 and ÷ 1, as fused-steps.ts does.
    let mode = scale ? AFFINE_MODES[scale.fn as keyof typeof AFFINE_MODES] : 0;
    if (scale?.fn === "batchNorm" && this.plainBatchNorm(scale.channels, p, scale.epsilon)) mode = 1;
    const p2 = scale?.fn === "mul" ? p[0]! : (p[2] ?? 0);
    const sign = s.sign;
    const positions = s.elements / s.channels;
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
        pass.other === undefined ? 0 : pass.other + at,
        s.dst + at,
        positions,
        s.channels,
        mode,
        pass.clamp ? 1 : 0,
        lo,
        hi,
        pass.clampAfter ? 1 : 0,
        lo2,
        hi2,
        p[0] ?? 0,
        p[1] ?? 0,
        p2,
        p[3] ?? 0,
        scale?.epsilon ?? 0,
        bits,
        sign?.layout.wpp ?? 0,
        sign?.thresholds ?? 0,
        sign?.flip ?? 0,
        pass.prelu?.p[0] ?? 0,
      );
    }
    return true;
  }

  /** Mean 0 and √(σ² + ε) = 1 in every channel. */
  private plainBatchNorm(c: number, p: readonly number[], epsilon: number): boolean {
    const f32 = this.views.f32;
    for (let k = 0; k < c; k++)
      if (f32[(p[0]! >>> 2) + k] !== 0 || Math.sqrt(f32[(p[1]! >>> 2) + k]! + epsilon) !== 1) return false;
    return true;
  }
}
