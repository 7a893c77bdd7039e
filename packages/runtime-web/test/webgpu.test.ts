import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type OnebitModel, readGraphModelInfo, writeGraphModel, writeModel } from "@onebit/format";
import { Engine } from "@onebit/runtime";
import { type Browser, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SKIP_MESSAGE, chromiumPath } from "../../../scripts/test-support/chromium.js";
import { residualModel } from "../../format/test/graph-builder.js";
import { ModelBuilder, Rng } from "../../runtime/test/random-models.js";
import { pageBundle } from "./browser/page-bundle.js";
import { type StaticServer, serveFiles } from "./browser/static-server.js";

// The WebGPU backend in headless Chromium, whose WebGPU adapter here is SwiftShader (Vulkan on the
// CPU): every model runs on "webgpu" and on the WebAssembly kernels in the same page, and the
// results must be identical — random binary GEMM and convolution shapes (K not a multiple of 32,
// one row, one column, strides, one-padding, pad bytes), the shipped models, and models with steps
// the GPU leaves to WebAssembly. No timing here: SwiftShader's speed says nothing about a GPU.

if (!chromiumPath) console.warn(SKIP_MESSAGE);

/** WebGPU in headless Chromium: the unsafe flag exposes it without a GPU (SwiftShader's adapter). */
const WEBGPU_ARGS = [
  "--headless",
  "--no-sandbox",
  "--enable-unsafe-webgpu",
  "--use-webgpu-adapter=swiftshader",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
];

const MODELS_DIR = join(import.meta.dirname, "..", "..", "..", "models");
const SHIPPED = readdirSync(MODELS_DIR).filter((f) => f.endsWith(".onebit"));

const BYTES = { scale: 1 / 127.5, offset: -1 };
/** Random models per recipe (each a fresh session: SwiftShader compiles its pipelines slowly). */
const SEEDS = 4;
const pick = <T>(r: Rng, xs: readonly T[]) => xs[r.int(0, xs.length - 1)]!;

/** Random binary GEMM and convolution shapes, each a small model (its input drawn per seed). */
const KERNEL_MODELS: Record<string, (r: Rng) => OnebitModel> = {
  "binary GEMM, K not a multiple of 32, one column, threshold and scaleBias": (r) =>
    new ModelBuilder(r)
      .input("uint8", [r.int(1, 100)], BYTES)
      .denseBitPlane(r.int(1, 70), "bits")
      .binaryDense(pick(r, [1, 31, 33, r.int(2, 130)]), "bits")
      .binaryDense(pick(r, [1, r.int(2, 12)]), "scaleBias")
      .build(),
  "binary convolution, any window, stride and padding, words per pixel 1–3": (r) =>
    new ModelBuilder(r)
      .input("uint8", [r.int(3, 9), r.int(3, 9), r.int(1, 3)], BYTES)
      .conv2dBitPlane(
        pick(r, [1, r.int(2, 90)]),
        [r.int(1, 3), r.int(1, 3)],
        [r.int(1, 2), r.int(1, 2)],
        pick(r, ["same", "valid"] as const),
        "bits",
        r.int(0, 255),
      )
      .binaryConv2d(
        r.int(1, 70),
        [r.int(1, 3), r.int(1, 3)],
        [r.int(1, 2), r.int(1, 2)],
        pick(r, ["same", "valid"] as const),
        "bits",
      )
      .maxPool([2, 2], [r.int(1, 2), r.int(1, 2)], pick(r, ["same", "valid"] as const), r.next() < 0.5)
      .flatten()
      .binaryDense(r.int(2, 10), "scaleBias")
      .build(),
  "8-bit convolution with a scaleBias image, pooled as floats": (r) =>
    new ModelBuilder(r)
      .input("uint8", [r.int(2, 8), r.int(2, 8), r.int(1, 5)], BYTES)
      .conv2dBitPlane(r.int(1, 9), [r.int(1, 5), r.int(1, 5)], [1, 1], "same", "scaleBias", r.int(0, 255))
      .maxPool([2, 2], [r.int(1, 2), r.int(1, 2)], "same")
      .flatten()
      .build(),
  "float layers (left to WebAssembly) between binary ones, softmax (of the result) at the end": (r) =>
    new ModelBuilder(r)
      .input("float32", [r.int(3, 7), r.int(3, 7), r.int(1, 3)])
      .conv2dFloat(r.int(1, 40), [3, 3], [1, 1], "same", "bits")
      .binaryConv2d(r.int(1, 40), [2, 2], [1, 1], "same", "bits")
      .flatten()
      .binaryDense(r.int(1, 50), "bits")
      .denseFloat(r.int(2, 10), "float32")
      .softmax()
      .build(),
};

/** What the page returns for one model: both backends' outputs per run and where the steps ran. */
interface Compared {
  runs: {
    batch: number;
    gpu: number[];
    wasm: number[];
    gpuProbabilities: number[] | null;
    wasmProbabilities: number[] | null;
  }[];
  gpuSteps: number;
  cpuSteps: { op: string; reason: string }[];
  reason: string;
  adapter: string;
}

/** One run's input: values (bytes or floats) for `batch` samples. */
interface RunInput {
  input: number[];
  float: boolean;
  batch: number;
}

declare global {
  interface Window {
    onebit: typeof import("../src/index.js");
  }
}

/**
 * Runs `model` (a URL) on both backends in the page over each input (one session each: creating a
 * WebGPU session compiles its pipelines, which SwiftShader does slowly). maxBatch 4 makes larger
 * batches run in several passes.
 */
function compareInPage(page: Page, model: string, inputs: RunInput[]) {
  return page.evaluate(
    async ({ model, inputs }): Promise<Compared> => {
      const gpu = await window.onebit.InferenceSession.create(model, { backend: "webgpu", maxBatch: 4 });
      const wasm = await window.onebit.InferenceSession.create(model, { threads: 1 });
      // Probabilities exist for classifiers only (the result's getter throws otherwise).
      const probabilities = (r: { classes: number | undefined; probabilities: Float32Array }) =>
        r.classes === undefined ? null : Array.from(r.probabilities);
      const runs: Compared["runs"] = [];
      for (const { input, float, batch } of inputs) {
        const x = float ? Float32Array.from(input) : Uint8Array.from(input);
        const a = await gpu.run(x);
        const b = await wasm.run(x);
        if (a.batch !== batch) throw new Error(`batch ${a.batch}, expected ${batch}`);
        runs.push({
          batch,
          gpu: Array.from(a.logits),
          wasm: Array.from(b.logits),
          gpuProbabilities: probabilities(a),
          wasmProbabilities: probabilities(b),
        });
      }
      const info = gpu.getBackendInfo();
      await gpu.dispose();
      await wasm.dispose();
      return {
        runs,
        gpuSteps: info.webgpu!.gpuSteps,
        cpuSteps: info.webgpu!.cpuSteps.map((s) => ({ op: s.op, reason: s.reason })),
        reason: info.reason,
        adapter: info.webgpu!.adapter,
      };
    },
    { model, inputs },
  );
}

describe.skipIf(!chromiumPath)("the WebGPU backend in headless Chromium (SwiftShader)", () => {
  let browser: Browser;
  let server: StaticServer;
  let page: Page;
  const models = new Map<string, { url: string; bytes: Uint8Array }>();
  let adapterMissing: string | undefined;

  beforeAll(async () => {
    const files = await pageBundle();
    for (const name of SHIPPED) {
      const bytes = new Uint8Array(readFileSync(join(MODELS_DIR, name)));
      models.set(name, { url: `/${name}`, bytes });
      files.set(`/${name}`, { body: bytes, type: "application/octet-stream" });
    }
    for (const c of [8, 40]) {
      const bytes = writeGraphModel(residualModel(c, c));
      models.set(`residual ${c}`, { url: `/residual-${c}.onebit`, bytes });
      files.set(`/residual-${c}.onebit`, { body: bytes, type: "application/octet-stream" });
    }
    for (const [name, recipe] of Object.entries(KERNEL_MODELS)) {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const bytes = writeModel(recipe(new Rng(seed * 7919 + name.length)));
        const url = `/random-${Object.keys(KERNEL_MODELS).indexOf(name)}-${seed}.onebit`;
        models.set(`${name} #${seed}`, { url, bytes });
        files.set(url, { body: bytes, type: "application/octet-stream" });
      }
    }
    [browser, server] = await Promise.all([
      chromium.launch({ executablePath: chromiumPath!, args: WEBGPU_ARGS }),
      serveFiles(files),
    ]);
    page = await browser.newPage();
    await page.goto(`${server.url}/`, { timeout: 120_000 });
    await page.waitForFunction(() => document.title === "ready", undefined, { timeout: 60_000 });
    adapterMissing = await page.evaluate(async () => {
      const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      if (!gpu) return "navigator.gpu is missing";
      return (await gpu.requestAdapter()) ? undefined : "requestAdapter() found no adapter";
    });
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), server?.close()]);
  });

  /** Fails (never skips) when Chromium runs but exposes no WebGPU adapter. */
  /**
   * Where Chromium runs but exposes no WebGPU adapter: under CI a failure (a CI run can never pass
   * without these tests), elsewhere a skip with the reason printed, as for a missing Chromium.
   */
  function requireAdapter(context: { skip(note?: string): void }): void {
    if (!adapterMissing) return;
    const message = `Chromium started with ${WEBGPU_ARGS.join(" ")} has no WebGPU adapter (${adapterMissing}): the WebGPU tests cannot run`;
    if (process.env["CI"]) throw new Error(message);
    console.warn(`${message}; skipped (CI fails instead)`);
    context.skip(message);
  }

  /** `batch` input samples for a model, drawn from `seed`. */
  function inputFor(bytes: Uint8Array, seed: number, batch: number): RunInput {
    const model = readInput(bytes);
    const rng = new Rng(seed);
    const n = batch * model.size;
    return model.float
      ? { input: Array.from(rng.uniform(n, -2, 2)), float: true, batch }
      : { input: Array.from(rng.bytes(n)), float: false, batch };
  }

  it.for(SHIPPED)("runs the shipped %s on the GPU, identical to WebAssembly", async (name, ctx) => {
    requireAdapter(ctx);
    const { url, bytes } = models.get(name)!;
    const r = await compareInPage(page, url, [inputFor(bytes, 1, 1), inputFor(bytes, 5, 5)]);
    // The binary chains (version 1 files) run every step on the GPU; a residual graph's float steps
    // (stem, shortcuts, BatchNorm, pooling) stay on WebAssembly, each with its reason.
    if (readGraphModelInfo(bytes).version.major === 1) expect(r.cpuSteps, r.reason).toEqual([]);
    else for (const step of r.cpuSteps) expect(step.reason, step.op).not.toBe("");
    expect(r.gpuSteps).toBeGreaterThan(0);
    expect(r.adapter).toMatch(/swiftshader/i);
    for (const run of r.runs) expect(run.gpu, `${name} batch ${run.batch}`).toEqual(run.wasm);
  });

  it.for(Object.keys(KERNEL_MODELS))("%s: identical to WebAssembly on random shapes", async (recipe, ctx) => {
    requireAdapter(ctx);
    for (let seed = 1; seed <= SEEDS; seed++) {
      const { url, bytes } = models.get(`${recipe} #${seed}`)!;
      const r = await compareInPage(page, url, [
        inputFor(bytes, seed * 31, 1),
        inputFor(bytes, seed * 37, 7),
      ]);
      for (const run of r.runs) {
        expect(run.gpu, `seed ${seed} batch ${run.batch}: ${r.reason}`).toEqual(run.wasm);
        expect(run.gpuProbabilities).toEqual(run.wasmProbabilities);
      }
      expect(r.gpuSteps).toBeGreaterThan(0);
      for (const step of r.cpuSteps) expect(step.reason, step.op).not.toBe("");
    }
  });

  it("reports the steps it leaves to WebAssembly and why", async (ctx) => {
    requireAdapter(ctx);
    const { url, bytes } = models.get(`${Object.keys(KERNEL_MODELS)[3]} #1`)!;
    const r = await compareInPage(page, url, [inputFor(bytes, 5, 2)]);
    expect(r.runs[0]!.gpu).toEqual(r.runs[0]!.wasm);
    expect(r.cpuSteps.map((s) => s.op)).toEqual(["conv2dFloat", "denseFloat"]);
    expect(r.reason).toMatch(/steps on the GPU; on WebAssembly: conv2dFloat/);
  });

  it("alternates GPU and WebAssembly steps in a version 2 residual graph, identical results", async (ctx) => {
    requireAdapter(ctx);
    for (const c of [8, 40]) {
      const { url, bytes } = models.get(`residual ${c}`)!;
      const r = await compareInPage(page, url, [inputFor(bytes, c, 1), inputFor(bytes, c + 1, 6)]);
      for (const run of r.runs)
        expect(run.gpu, `channels ${c} batch ${run.batch}: ${r.reason}`).toEqual(run.wasm);
      // Binary convolutions (grouped and dilated too) and sign on the GPU, float glue on
      // WebAssembly, in several alternations.
      const offGpu = r.cpuSteps.map((s) => s.op);
      expect(offGpu).not.toContain("bconvGeneric");
      expect(offGpu).not.toContain("sign");
      expect(offGpu).not.toContain("conv");
      expect(r.gpuSteps).toBeGreaterThanOrEqual(5);
      expect(offGpu.length).toBeGreaterThan(3);
    }
  });

  it("rejects with a typed error where navigator.gpu or an adapter is missing", async () => {
    const errors = await page.evaluate(async () => {
      const gpu = Object.getOwnPropertyDescriptor(Navigator.prototype, "gpu");
      const attempt = async () =>
        window.onebit.InferenceSession.create("/mnist-tiny.onebit", { backend: "webgpu" }).then(
          () => "resolved",
          (e: { name: string; code: string; message: string }) => `${e.name} ${e.code}: ${e.message}`,
        );
      try {
        Object.defineProperty(Navigator.prototype, "gpu", { configurable: true, get: () => undefined });
        const missing = await attempt();
        Object.defineProperty(Navigator.prototype, "gpu", {
          configurable: true,
          get: () => ({ requestAdapter: async () => null }),
        });
        const noAdapter = await attempt();
        return { missing, noAdapter };
      } finally {
        if (gpu) Object.defineProperty(Navigator.prototype, "gpu", gpu);
      }
    });
    expect(errors.missing).toMatch(
      /^RuntimeError INVALID_ARGUMENT: backend: webgpu cannot run here: navigator\.gpu is missing/,
    );
    expect(errors.noAdapter).toMatch(
      /^RuntimeError INVALID_ARGUMENT: backend: webgpu cannot run here: .*no adapter/,
    );
  });
});

/** The input of a .onebit model: elements per sample and whether it takes floats. */
function readInput(bytes: Uint8Array): { size: number; float: boolean } {
  const info = Engine.createSync(bytes).inputInfo;
  return { size: info.size, float: info.dtype === "float32" };
}
