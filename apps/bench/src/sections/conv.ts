import type { KernelBackend } from "@onebit/bitops";
import { comparedBackends } from "../harness/native.js";
import { cached } from "../harness/cached.js";
import { loadTensorNode, withTensorThreads } from "./tensor-threads.js";
import { Rng } from "@onebit/tensor";
import type { BenchContext, CaseSpec, CheckResult, Section, SectionPlan } from "../harness/types.js";
import { conv3x3Model } from "../onnx/model.js";
import { createOrtSession, loadOrt, runOrt } from "../onnx/ort.js";
import { checkExact, checkLength, samplePositions } from "./checks.js";
import { bitops, tensor, tensorTooSlowForQuick } from "./onebit-packages.js";

/** A 3×3 'same' convolution layer of the CIFAR-10 BNN: `channels` in and out at size×size, batch 1. */
export interface ConvLayer {
  readonly channels: number;
  readonly size: number;
}

export const CIFAR_CONV_LAYERS: readonly ConvLayer[] = [
  { channels: 128, size: 32 },
  { channels: 256, size: 16 },
  { channels: 512, size: 8 },
];

export function convGroup(l: ConvLayer): string {
  return `${l.channels}C3@${l.size}x${l.size}`;
}

export interface ConvOperands {
  /** [H, W, C] (NHWC, batch 1). */
  readonly nhwc: Float32Array;
  /** [3, 3, C, F] (HWIO), as @onebit/tensor takes it. */
  readonly hwio: Float32Array;
}

const operands = new Map<string, ConvOperands>();

export function convOperands(l: ConvLayer): ConvOperands {
  return cached(operands, convGroup(l), () => {
    const rng = new Rng(l.channels * 7 + l.size);
    return {
      nhwc: rng.uniformArray(l.size * l.size * l.channels, -1, 1),
      hwio: rng.uniformArray(9 * l.channels * l.channels, -1, 1),
    };
  });
}

export function nhwcToNchw(x: Float32Array, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let y = 0; y < h; y++)
    for (let xx = 0; xx < w; xx++)
      for (let ch = 0; ch < c; ch++) out[(ch * h + y) * w + xx] = x[(y * w + xx) * c + ch]!;
  return out;
}

export function hwioToOihw(wt: Float32Array, c: number, f: number): Float32Array {
  const out = new Float32Array(wt.length);
  for (let ky = 0; ky < 3; ky++)
    for (let kx = 0; kx < 3; kx++)
      for (let ch = 0; ch < c; ch++)
        for (let o = 0; o < f; o++)
          out[((o * c + ch) * 3 + ky) * 3 + kx] = wt[((ky * 3 + kx) * c + ch) * f + o]!;
  return out;
}

/**
 * Checks a zero-padded 3×3 'same' convolution at sampled (pixel, filter) positions; `at(pixel, f)` reads
 * the implementation's output in its own layout.
 */
export function checkConv(
  out: ArrayLike<number>,
  l: ConvLayer,
  op: ConvOperands,
  at: (pixel: number, f: number) => number,
  what: string,
): CheckResult {
  const { channels: c, size } = l;
  const shape = checkLength(out, size * size * c, what);
  if (!shape.ok) return shape;
  for (const [pixel, f] of samplePositions(size * size, c)) {
    const y = Math.floor(pixel / size);
    const x = pixel % size;
    let exact = 0;
    let magnitude = 0;
    for (let ky = 0; ky < 3; ky++) {
      const iy = y + ky - 1;
      if (iy < 0 || iy >= size) continue;
      for (let kx = 0; kx < 3; kx++) {
        const ix = x + kx - 1;
        if (ix < 0 || ix >= size) continue;
        for (let ch = 0; ch < c; ch++) {
          const p = op.nhwc[(iy * size + ix) * c + ch]! * op.hwio[((ky * 3 + kx) * c + ch) * c + f]!;
          exact += p;
          magnitude += Math.abs(p);
        }
      }
    }
    const got = at(pixel, f);
    if (Math.abs(got - exact) > 1e-4 * magnitude + 1e-6) {
      return {
        ok: false,
        reason: `${what}: output (y=${y}, x=${x}, f=${f}) = ${got}, expected ${exact.toPrecision(7)}`,
      };
    }
  }
  return { ok: true };
}

export function flops(l: ConvLayer): number {
  return 2 * l.size * l.size * l.channels * l.channels * 9;
}

function ortConvCases(l: ConvLayer, threads: number[]): CaseSpec[] {
  return threads.map(
    (t, i): CaseSpec<Float32Array> => ({
      section: "conv",
      group: convGroup(l),
      impl: `ort-${t}t`,
      label: `onnxruntime-node Conv float32 (NCHW), ${t} thread${t === 1 ? "" : "s"}`,
      precision: "float32",
      threads: t,
      baseline: i === 0,
      work: { count: flops(l), unit: "FLOP" },
      bytes: 9 * l.channels * l.channels * 4,
      async setup() {
        const { ort, reason } = await loadOrt();
        if (!ort) throw new Error(`onnxruntime-node unavailable: ${reason}`);
        const op = convOperands(l);
        const c = l.channels;
        const s = l.size;
        const session = await createOrtSession(ort, conv3x3Model(c, c, s, hwioToOihw(op.hwio, c, c)), t);
        const x = nhwcToNchw(op.nhwc, s, s, c);
        return {
          run: () => runOrt(ort, session, x, [1, c, s, s]),
          check: (y) => checkConv(y, l, op, (pixel, f) => y[f * s * s + pixel]!, "ORT Conv"),
          dispose: () => session.release(),
        };
      },
    }),
  );
}

function tensorConvCase(l: ConvLayer): CaseSpec<Float32Array> {
  const c = l.channels;
  const s = l.size;
  return {
    section: "conv",
    group: convGroup(l),
    impl: "tensor-conv2d",
    label: "@onebit/tensor conv2d float32 (NHWC, im2col + gemm)",
    precision: "float32",
    threads: 1,
    work: { count: flops(l), unit: "FLOP" },
    bytes: 9 * c * c * 4,
    setup() {
      const op = convOperands(l);
      const out = new Float32Array(s * s * c);
      const params = {
        batch: 1,
        inH: s,
        inW: s,
        inC: c,
        outC: c,
        kernelH: 3,
        kernelW: 3,
        strideH: 1,
        strideW: 1,
        padding: "same",
      } as const;
      return {
        run: () => tensor.conv2d(op.nhwc, op.hwio, params, out),
        check: (y) => checkConv(y, l, op, (pixel, f) => y[pixel * c + f]!, "tensor conv2d"),
      };
    },
  };
}

export interface BinaryConvOperands {
  /** [H, W, C] ±1 (NHWC, batch 1). */
  readonly x: Float32Array;
  /** [F, 3, 3, C] ±1 (OHWI). */
  readonly w: Float32Array;
  readonly tau: Int32Array;
}

const binaryOperands = new Map<string, BinaryConvOperands>();

export function binaryConvOperands(l: ConvLayer): BinaryConvOperands {
  return cached(binaryOperands, convGroup(l), () => {
    const rng = new Rng(l.channels * 13 + l.size);
    const tau = new Int32Array(l.channels);
    for (let i = 0; i < tau.length; i++) tau[i] = rng.int(41) - 20;
    return { x: rng.signs(l.size * l.size * l.channels), w: rng.signs(9 * l.channels * l.channels), tau };
  });
}

/** The exact dot of a one-padded binary 3×3 'same' convolution at (y, x, f): padded taps read +1. */
export function binaryConvDot(l: ConvLayer, op: BinaryConvOperands, y: number, x: number, f: number): number {
  const { channels: c, size } = l;
  let s = 0;
  for (let ky = 0; ky < 3; ky++) {
    for (let kx = 0; kx < 3; kx++) {
      const iy = y + ky - 1;
      const ix = x + kx - 1;
      const inside = iy >= 0 && iy < size && ix >= 0 && ix < size;
      for (let ch = 0; ch < c; ch++) {
        const a = inside ? op.x[(iy * size + ix) * c + ch]! : 1;
        s += a * op.w[((f * 3 + ky) * 3 + kx) * c + ch]!;
      }
    }
  }
  return s;
}

/**
 * Runs a case's setup and timing on one kernel backend of bitops' high-level functions: the cases
 * run one at a time, so the backend is switched in setup and restored ("auto") in dispose.
 */
function onBackend<T>(backend: KernelBackend, c: CaseSpec<T>): CaseSpec<T> {
  return {
    ...c,
    async setup() {
      bitops.setBackend(backend);
      try {
        const inner = await c.setup();
        return {
          ...inner,
          dispose: async () => {
            await inner.dispose?.();
            bitops.setBackend("auto");
          },
        };
      } catch (e) {
        bitops.setBackend("auto");
        throw e;
      }
    },
  };
}

/** `bconv2d` on every compared backend (native, wasm-i64, wasm-simd) and the fused threshold form on the auto-selected one. */
function binaryConvCases(l: ConvLayer, backends: readonly KernelBackend[]): CaseSpec[] {
  const backend = bitops.getBackendInfo().backend;
  const c = l.channels;
  const s = l.size;
  const common = {
    section: "conv",
    group: convGroup(l),
    precision: "binary",
    threads: 1,
    work: { count: s * s * c * c * 9, unit: "bMAC" },
  } as const;
  const prepare = () => {
    const op = binaryConvOperands(l);
    return {
      op,
      x: bitops.packImages(op.x, 1, s, s, c),
      w: bitops.prepackConvWeights(bitops.packConvWeights(op.w, c, 3, 3, c)),
    };
  };
  const options = { padding: "same", stride: 1 } as const;
  const dots = (backend: KernelBackend): CaseSpec<Int32Array> => ({
    ...common,
    impl: `bconv2d-${backend}`,
    label: `@onebit/bitops bconv2d binary, Int32 dots (${backend})`,
    bytes: 9 * c * Math.ceil(c / 32) * 4,
    setup() {
      const { op, x, w } = prepare();
      const out = new Int32Array(s * s * c);
      return {
        run: () => bitops.bconv2d(x, w, options, out),
        check: (y) =>
          checkExact(
            y,
            s * s,
            c,
            (pixel, f) => binaryConvDot(l, op, Math.floor(pixel / s), pixel % s, f),
            "bconv2d",
          ),
      };
    },
  });
  const fused: CaseSpec<bitops.PackedImages> = {
    ...common,
    impl: "bconv2d-threshold",
    label: `@onebit/bitops bconv2dThreshold binary, BN+sign fused to bits (${backend})`,
    bytes: 9 * c * Math.ceil(c / 32) * 4 + c * 4,
    setup() {
      const { op, x, w } = prepare();
      const flip = new Uint8Array(c);
      return {
        run: () => bitops.bconv2dThreshold(x, w, op.tau, flip, options),
        check: (y): CheckResult => {
          if (y.height !== s || y.width !== s || y.channels !== c) {
            return {
              ok: false,
              reason: `bconv2dThreshold: output ${y.height}×${y.width}×${y.channels}, expected ${s}×${s}×${c}`,
            };
          }
          for (const [pixel, f] of samplePositions(s * s, c)) {
            const want = binaryConvDot(l, op, Math.floor(pixel / s), pixel % s, f) >= op.tau[f]! ? 1 : 0;
            const got = (y.data[pixel * y.wordsPerPixel + (f >>> 5)]! >>> (f & 31)) & 1;
            if (got !== want)
              return {
                ok: false,
                reason: `bconv2dThreshold: bit (pixel ${pixel}, f ${f}) = ${got}, expected ${want}`,
              };
          }
          return { ok: true };
        },
      };
    },
  };
  return [...backends.map((b) => onBackend(b, dots(b))), fused];
}

export const convSection: Section = {
  id: "conv",
  title: "2. CIFAR-10 BNN convolution layers",
  description:
    "3×3 'same' convolutions of the CIFAR-10 BNN at batch 1 (channels in = out); speedup vs onnxruntime-node float32 Conv on 1 thread.",
  async plan(ctx: BenchContext): Promise<SectionPlan> {
    const notes: string[] = [];
    const cases: CaseSpec[] = [];
    const threadCounts = ctx.threads > 1 ? [1, ctx.threads] : [1];
    const tensorNode = await loadTensorNode();
    const tensorThreads = ctx.threads > 1 && typeof tensorNode !== "string";
    if (ctx.threads > 1 && typeof tensorNode === "string")
      notes.push(`@onebit/tensor threads: not available (${tensorNode})`);
    const { reason } = await loadOrt();
    if (reason) notes.push(`onnxruntime-node not available (${reason}): its rows are left out`);
    if (!reason) for (const l of CIFAR_CONV_LAYERS) cases.push(...ortConvCases(l, threadCounts));
    for (const l of CIFAR_CONV_LAYERS) {
      if (tensorTooSlowForQuick(ctx.quick, flops(l))) {
        notes.push(
          `${convGroup(l)}: @onebit/tensor conv2d left out of --quick (slow on this backend); --full runs it`,
        );
      } else {
        cases.push(tensorConvCase(l));
        if (tensorThreads) cases.push(withTensorThreads(tensorConvCase(l), ctx.threads));
      }
    }
    const backends = comparedBackends(ctx.quick);
    for (const l of CIFAR_CONV_LAYERS) cases.push(...binaryConvCases(l, backends));
    return { cases, notes };
  },
};
