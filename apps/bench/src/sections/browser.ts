import type { Page } from "playwright-core";
import {
  type BenchBrowser,
  browserUnavailable,
  disposeInPage,
  type MeasureInPage,
  measureInPage,
  openBenchBrowser,
  preparePage,
  runInPage,
} from "../browser/chromium-page.js";
import type { PageWorkload } from "../browser/workloads.js";
import type {
  BenchContext,
  CaseSpec,
  CheckResult,
  Precision,
  Section,
  SectionPlan,
  Work,
} from "../harness/types.js";
import { conv3x3Model, matmulModel } from "../onnx/model.js";
import {
  binaryConvDot,
  binaryConvOperands,
  CIFAR_CONV_LAYERS,
  type ConvLayer,
  checkConv,
  convGroup,
  convOperands,
  flops,
  hwioToOihw,
  nhwcToNchw,
} from "./conv.js";
import { twinOnnx } from "./float-twin.js";
import { MLP_3X4096, binaryMlpBytes, floatMlpBytes } from "./binary-mlp.js";
import { checkExact, checkFloatProduct } from "./checks.js";
import {
  binaryExpected,
  binaryOperands,
  floatOperands,
  type GemmShape,
  gemmGroup,
  QUICK_GEMM_SHAPES,
} from "./gemm-operands.js";
import {
  binaryModel,
  checkFloatLogits,
  checkRuntimeLogits,
  floatModel,
  inputs,
  onnxModel,
} from "./models.js";
import { binaryMlpFileBytes } from "./onebit-model.js";
import { floatMlpReferenceRow, toFloatInput } from "./float-mlp.js";
import { QUICKNET_GROUP, checkQuicknetProbabilities, quicknetOnnx } from "./quicknet-onnx.js";
import { loadQuicknet, quicknetInput } from "./quicknet.js";
import { randomConvNetFile } from "./random-convnet.js";
import { checkQuicknet } from "./residual.js";
import { engineRunner } from "./runtime-runners.js";
import {
  checkTwin,
  findShippedModels,
  inputsFor,
  modelFromFile,
  type ShippedModel,
} from "./shipped-models.js";
import { packSignsMatrix, prepackWeights } from "@onebit/bitops";
import { fileURLToPath } from "node:url";

const QUICK_PAGE_MEASURE: MeasureInPage = { warmupMs: 200, minSamples: 7, minMs: 500, maxMs: 5000 };
const FULL_PAGE_MEASURE: MeasureInPage = { warmupMs: 500, minSamples: 15, minMs: 2000, maxMs: 20000 };

/** The browser, opened by the first case that needs it and closed when the section finishes. */
let browser: Promise<BenchBrowser> | undefined;
let nextId = 0;

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

interface BrowserCase<T> {
  readonly group: string;
  readonly impl: string;
  readonly label: string;
  readonly precision: Precision;
  readonly threads: number;
  readonly baseline?: boolean;
  readonly work: Work;
  readonly bytes?: number;
  /** The files the page fetches (path under /data/<case>/) and the workload naming them. */
  files(): Record<string, ArrayBufferView>;
  workload(url: (name: string) => string): PageWorkload;
  output(values: number[]): T;
  check(output: T): CheckResult;
}

function browserCase<T>(c: BrowserCase<T>, measure: MeasureInPage): CaseSpec<T> {
  return {
    section: "browser",
    group: c.group,
    impl: c.impl,
    label: c.label,
    precision: c.precision,
    threads: c.threads,
    ...(c.baseline ? { baseline: true } : {}),
    work: c.work,
    ...(c.bytes !== undefined ? { bytes: c.bytes } : {}),
    async setup() {
      browser ??= openBenchBrowser();
      const b = await browser;
      const page: Page = await b.page(c.threads);
      const id = `c${nextId++}`;
      const paths: string[] = [];
      for (const [name, data] of Object.entries(c.files())) {
        const path = `/data/${id}/${name}`;
        b.server.set(path, { body: bytesOf(data), type: "application/octet-stream" });
        paths.push(path);
      }
      try {
        await preparePage(
          page,
          id,
          c.workload((name) => `/data/${id}/${name}`),
        );
      } finally {
        for (const p of paths) b.server.remove(p);
      }
      return {
        run: async () => c.output(await runInPage(page, id)),
        check: (y: T) => c.check(y),
        measure: () => measureInPage(page, id, measure),
        dispose: () => disposeInPage(page, id),
      };
    },
  };
}

const f32 = (v: number[]) => Float32Array.from(v);
const i32 = (v: number[]) => Int32Array.from(v);

function gemmCases(s: GemmShape, threadCounts: number[]): BrowserCase<unknown>[] {
  const group = gemmGroup(s);
  const floatWork = { count: 2 * s.m * s.n * s.k, unit: "FLOP" } as const;
  const cases: BrowserCase<unknown>[] = [];
  const floatCheck = (what: string) => (c: Float32Array) => {
    const { a, b } = floatOperands(s);
    return checkFloatProduct(c, a, (kk, col) => b[kk * s.n + col]!, s.m, s.n, s.k, what);
  };
  for (const t of threadCounts) {
    cases.push({
      group,
      impl: `ort-web-${t}t`,
      label: `onnxruntime-web MatMul float32 (WebAssembly), ${t} thread${t === 1 ? "" : "s"}`,
      precision: "float32",
      threads: t,
      baseline: t === 1,
      work: floatWork,
      bytes: s.k * s.n * 4,
      files: () => ({ model: matmulModel(s.k, s.n, floatOperands(s).b), x: floatOperands(s).a }),
      workload: (url) => ({ kind: "ort", model: url("model"), input: url("x"), shape: [s.m, s.k] }),
      output: f32,
      check: floatCheck("onnxruntime-web MatMul") as (y: unknown) => CheckResult,
    } satisfies BrowserCase<Float32Array> as BrowserCase<unknown>);
    cases.push({
      group,
      impl: `tfjs-wasm-${t}t`,
      label: `TensorFlow.js matMul float32 (wasm backend), ${t} thread${t === 1 ? "" : "s"}`,
      precision: "float32",
      threads: t,
      work: floatWork,
      bytes: s.k * s.n * 4,
      files: () => ({ b: floatOperands(s).b, x: floatOperands(s).a }),
      workload: (url) => ({
        kind: "tfjs-matmul",
        input: url("x"),
        shape: [s.m, s.k],
        layers: [{ weights: url("b"), inFeatures: s.k, outFeatures: s.n }],
      }),
      output: f32,
      check: floatCheck("TensorFlow.js matMul") as (y: unknown) => CheckResult,
    } satisfies BrowserCase<Float32Array> as BrowserCase<unknown>);
  }
  for (const backend of ["wasm-i64", "wasm-simd"]) {
    cases.push({
      group,
      impl: `bgemm-${backend}`,
      label: `@onebit/bitops binary GEMM (${backend}) in the page`,
      precision: "binary",
      threads: 1,
      work: { count: s.m * s.n * s.k, unit: "bMAC" },
      bytes: s.n * Math.ceil(s.k / 32) * 4,
      files: () => {
        const op = binaryOperands(s);
        return {
          a: packSignsMatrix(op.aSigns, s.m, s.k, { wordMultiple: 4 }).data,
          w: prepackWeights(op.w).data,
        };
      },
      workload: (url) => ({ kind: "bgemm", backend, a: url("a"), w: url("w"), m: s.m, k: s.k, n: s.n }),
      output: i32,
      check: ((c: Int32Array) => {
        const op = binaryOperands(s);
        return checkExact(c, s.m, s.n, binaryExpected(op, s.k), "binary GEMM in Chromium");
      }) as (y: unknown) => CheckResult,
    } satisfies BrowserCase<Int32Array> as BrowserCase<unknown>);
  }
  return cases;
}

function mlpCases(batch: number, threadCounts: number[]): BrowserCase<unknown>[] {
  const arch = MLP_3X4096;
  const group = `${arch.name} batch ${batch}`;
  const work = { count: batch, unit: "sample" } as const;
  const x = () => inputs(arch, batch);
  const floatCheck = (what: string) =>
    ((y: Float32Array) => {
      const layers = floatModel(arch);
      const xf = toFloatInput(x());
      return checkFloatLogits(y, arch, batch, (r) => floatMlpReferenceRowLazy(layers, xf, r), what);
    }) as (y: unknown) => CheckResult;
  const cases: BrowserCase<unknown>[] = [];
  for (const t of threadCounts) {
    cases.push({
      group,
      impl: `ort-web-${t}t`,
      label: `onnxruntime-web float32 (WebAssembly), ${t} thread${t === 1 ? "" : "s"}`,
      precision: "float32",
      threads: t,
      baseline: t === 1,
      work,
      bytes: floatMlpBytes(arch),
      files: () => ({ model: onnxModel(arch), x: toFloatInput(x()) }),
      workload: (url) => ({ kind: "ort", model: url("model"), input: url("x"), shape: [batch, arch.inputs] }),
      output: f32,
      check: floatCheck("onnxruntime-web MLP"),
    });
    cases.push({
      group,
      impl: `tfjs-wasm-${t}t`,
      label: `TensorFlow.js float32 (wasm backend), ${t} thread${t === 1 ? "" : "s"}`,
      precision: "float32",
      threads: t,
      work,
      bytes: floatMlpBytes(arch),
      files: () => {
        const files: Record<string, ArrayBufferView> = { x: toFloatInput(x()) };
        floatModel(arch).forEach((l, i) => {
          files[`w${i}`] = l.weights;
          files[`b${i}`] = l.bias;
        });
        return files;
      },
      workload: (url) => ({
        kind: "tfjs-mlp",
        input: url("x"),
        shape: [batch, arch.inputs],
        layers: floatModel(arch).map((l, i) => ({
          weights: url(`w${i}`),
          bias: url(`b${i}`),
          inFeatures: l.inFeatures,
          outFeatures: l.outFeatures,
        })),
      }),
      output: f32,
      check: floatCheck("TensorFlow.js MLP"),
    });
    cases.push({
      group,
      impl: `runtime-web-${t}t`,
      label: `onebit binary (@onebit/runtime-web InferenceSession), ${t} thread${t === 1 ? "" : "s"}`,
      precision: "binary",
      threads: t,
      work,
      bytes: binaryMlpBytes(binaryModel(arch)),
      files: () => ({ model: binaryMlpFileBytes(binaryModel(arch)), x: x() }),
      workload: (url) => ({
        kind: "onebit",
        model: url("model"),
        input: url("x"),
        inputType: "uint8",
        batch,
      }),
      output: f32,
      check: ((y: Float32Array) => checkRuntimeLogits(y, binaryModel(arch), x(), batch)) as (
        y: unknown,
      ) => CheckResult,
    });
  }
  return cases;
}

// The float64 reference is slow at 3×4096; computed once per (batch, row).
const referenceRows = new Map<string, Float64Array>();
function floatMlpReferenceRowLazy(
  layers: Parameters<typeof floatMlpReferenceRow>[0],
  x: Float32Array,
  row: number,
): Float64Array {
  const key = `${x.length}/${row}`;
  let r = referenceRows.get(key);
  if (!r) {
    r = floatMlpReferenceRow(layers, x, row);
    referenceRows.set(key, r);
  }
  return r;
}

function graphModelCases(m: ShippedModel, batch: number, threadCounts: number[]): BrowserCase<unknown>[] {
  const group = `${m.name} batch ${batch}`;
  const work = { count: batch, unit: "sample" } as const;
  const x = () => inputsFor(m, batch);
  const cases: BrowserCase<unknown>[] = [];
  for (const t of threadCounts) {
    cases.push({
      group,
      impl: `ort-web-${t}t`,
      label: `onnxruntime-web float32 twin (WebAssembly), ${t} thread${t === 1 ? "" : "s"}`,
      precision: "float32",
      threads: t,
      baseline: t === 1,
      work,
      bytes: m.twin.bytes,
      files: () => ({ model: twinOnnx(m.twin), x: x().float }),
      workload: (url) => ({
        kind: "ort",
        model: url("model"),
        input: url("x"),
        shape: [batch, ...m.twin.inputShape],
      }),
      output: f32,
      check: ((y: Float32Array) => checkTwin(y, m, batch, x().float, "onnxruntime-web twin")) as (
        y: unknown,
      ) => CheckResult,
    });
    cases.push({
      group,
      impl: `runtime-web-${t}t`,
      label: `onebit binary (@onebit/runtime-web InferenceSession, ${m.file}), ${t} thread${t === 1 ? "" : "s"}`,
      precision: "binary",
      threads: t,
      work,
      bytes: m.tensorBytes,
      files: () => ({ model: m.fileBytes, x: x().raw }),
      workload: (url) => ({
        kind: "onebit",
        model: url("model"),
        input: url("x"),
        inputType: x().raw instanceof Uint8Array ? "uint8" : "float32",
        batch,
      }),
      output: f32,
      // The same logits as @onebit/runtime in Node.js (checked against the reference in section 3).
      check: ((y: Float32Array) => {
        const runner = engineRunner(m.fileBytes, batch);
        const want = runner.run(x().raw) as Float32Array;
        void runner.dispose();
        if (y.length !== want.length)
          return { ok: false, reason: `${y.length} outputs, ${want.length} expected` };
        for (let i = 0; i < want.length; i++) {
          if (Math.abs(y[i]! - want[i]!) > 1e-4 * Math.max(1, Math.abs(want[i]!)))
            return { ok: false, reason: `runtime-web: output ${i} = ${y[i]}, Node.js runtime ${want[i]}` };
        }
        return { ok: true };
      }) as (y: unknown) => CheckResult,
    });
  }
  return cases;
}

function convCases(l: ConvLayer, threadCounts: number[]): BrowserCase<unknown>[] {
  const group = convGroup(l);
  const { channels: c, size: s } = l;
  const floatWork = { count: flops(l), unit: "FLOP" } as const;
  const cases: BrowserCase<unknown>[] = [];
  for (const t of threadCounts) {
    cases.push({
      group,
      impl: `ort-web-${t}t`,
      label: `onnxruntime-web Conv float32 (WebAssembly, NCHW), ${t} thread${t === 1 ? "" : "s"}`,
      precision: "float32",
      threads: t,
      baseline: t === 1,
      work: floatWork,
      bytes: 9 * c * c * 4,
      files: () => {
        const op = convOperands(l);
        return { model: conv3x3Model(c, c, s, hwioToOihw(op.hwio, c, c)), x: nhwcToNchw(op.nhwc, s, s, c) };
      },
      workload: (url) => ({ kind: "ort", model: url("model"), input: url("x"), shape: [1, c, s, s] }),
      output: f32,
      check: ((y: Float32Array) =>
        checkConv(y, l, convOperands(l), (pixel, f) => y[f * s * s + pixel]!, "onnxruntime-web Conv")) as (
        y: unknown,
      ) => CheckResult,
    });
    cases.push({
      group,
      impl: `tfjs-wasm-${t}t`,
      label: `TensorFlow.js conv2d float32 (wasm backend, NHWC), ${t} thread${t === 1 ? "" : "s"}`,
      precision: "float32",
      threads: t,
      work: floatWork,
      bytes: 9 * c * c * 4,
      files: () => ({ x: convOperands(l).nhwc, w: convOperands(l).hwio }),
      workload: (url) => ({ kind: "tfjs-conv", input: url("x"), filter: url("w"), size: s, channels: c }),
      output: f32,
      check: ((y: Float32Array) =>
        checkConv(y, l, convOperands(l), (pixel, f) => y[pixel * c + f]!, "TensorFlow.js conv2d")) as (
        y: unknown,
      ) => CheckResult,
    });
  }
  for (const backend of ["wasm-i64", "wasm-simd"]) {
    cases.push({
      group,
      impl: `bconv2d-${backend}`,
      label: `@onebit/bitops bconv2d binary (${backend}) in the page`,
      precision: "binary",
      threads: 1,
      work: { count: s * s * c * c * 9, unit: "bMAC" },
      bytes: 9 * c * Math.ceil(c / 32) * 4,
      files: () => ({ x: binaryConvOperands(l).x, w: binaryConvOperands(l).w }),
      workload: (url) => ({ kind: "bconv", backend, x: url("x"), w: url("w"), size: s, channels: c }),
      output: i32,
      check: ((y: Int32Array) => {
        const op = binaryConvOperands(l);
        return checkExact(
          y,
          s * s,
          c,
          (pixel, f) => binaryConvDot(l, op, Math.floor(pixel / s), pixel % s, f),
          "bconv2d in Chromium",
        );
      }) as (y: unknown) => CheckResult,
    });
  }
  return cases;
}

/**
 * QuickNet (@onebit/lce's converted Larq Zoo fixture) on one 224×224×3 image, one thread: runtime-web
 * on its WebAssembly kernels (issue 16's Chromium target, ≤ 30 ms) against the float twin in
 * onnxruntime-web.
 */
function quicknetCases(): BrowserCase<unknown>[] {
  const work = { count: 1, unit: "sample" } as const;
  return [
    {
      group: QUICKNET_GROUP,
      impl: "ort-web-1t",
      label: "onnxruntime-web, QuickNet's float twin (WebAssembly), 1 thread",
      precision: "float32",
      threads: 1,
      baseline: true,
      work,
      files: () => ({ model: quicknetOnnx(), x: quicknetInput() }),
      workload: (url) => ({ kind: "ort", model: url("model"), input: url("x"), shape: [1, 224, 224, 3] }),
      output: f32,
      check: checkQuicknetProbabilities as (y: unknown) => CheckResult,
    },
    {
      group: QUICKNET_GROUP,
      impl: "runtime-web-1t",
      label:
        "onebit binary (@onebit/runtime-web InferenceSession, QuickNet converted by @onebit/lce, WebAssembly kernels), 1 thread",
      precision: "binary",
      threads: 1,
      work,
      files: () => ({ model: loadQuicknet().bytes, x: quicknetInput() }),
      workload: (url) => ({
        kind: "onebit",
        model: url("model"),
        input: url("x"),
        inputType: "float32",
        batch: 1,
      }),
      output: f32,
      check: checkQuicknet as (y: unknown) => CheckResult,
    },
  ];
}

export const browserSection: Section = {
  id: "browser",
  title: "6. In Chromium (headless)",
  description:
    "The same workloads in a cross-origin isolated page: @onebit/runtime-web and @onebit/bitops' WebAssembly kernels vs onnxruntime-web (WebAssembly) and TensorFlow.js (wasm backend) on float32, every file served locally; speedup vs onnxruntime-web on 1 thread.",
  async plan(ctx: BenchContext): Promise<SectionPlan> {
    const notes: string[] = [];
    const errors: string[] = [];
    if (!ctx.browser) return { cases: [], notes };
    const why = browserUnavailable();
    if (why) return { cases: [], notes, errors: [`browser section: ${why}`] };
    const threadCounts = ctx.threads > 1 ? [1, Math.min(ctx.threads, 4)] : [1];
    const measure = ctx.quick ? QUICK_PAGE_MEASURE : FULL_PAGE_MEASURE;
    const all: BrowserCase<unknown>[] = QUICK_GEMM_SHAPES.flatMap((shape) => gemmCases(shape, threadCounts));
    for (const l of CIFAR_CONV_LAYERS) all.push(...convCases(l, threadCounts));
    for (const batch of [1, 64]) all.push(...mlpCases(batch, threadCounts));
    const root = fileURLToPath(new URL("../../../..", import.meta.url));
    const shipped = await findShippedModels(root);
    const tiny = shipped.models.filter((m) => m.name === "mnist-tiny");
    for (const m of [modelFromFile("random ConvNet", randomConvNetFile()), ...tiny])
      all.push(...graphModelCases(m, 1, threadCounts));
    all.push(...quicknetCases());
    notes.push(
      "TensorFlow.js rows: GEMM, conv layers and MLP (the ConvNet twins are ONNX graphs; TF.js would need its own model format)",
      "batch-1 runs of runtime-web stay on the page's thread whatever the thread count (posting to workers costs more)",
    );
    return {
      cases: all.map((c) => browserCase(c, measure)),
      notes,
      errors,
      async finish() {
        if (!browser) return {};
        const b = await browser;
        browser = undefined;
        if (b.blocked.length > 0)
          errors.push(`the page tried to download: ${[...new Set(b.blocked)].slice(0, 5).join(", ")}`);
        const extra = {
          blockedRequests: b.blocked.length,
          missingLocalFiles: [...new Set(b.server.missing)],
        };
        await b.close();
        return extra;
      },
    };
  },
};
