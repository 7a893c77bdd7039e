// The benchmark page (bundled by esbuild, run in Chromium): prepares workloads on @onebit/runtime-web,
// @onebit/bitops' kernels, onnxruntime-web and TensorFlow.js' WebAssembly backend, runs each once for
// the Node side to check, then times it here (no round trip per run). ORT and TF.js are the npm
// packages' own dist files, loaded by <script> tags from the local server, with their .wasm files.
import {
  BitopsHeap,
  bconv2d,
  createKernels,
  initBitops,
  type KernelBackend,
  kernelRowWords,
  packConvWeights,
  packImages,
  prepackConvWeights,
  setBackend,
} from "@onebit/bitops";
import { InferenceSession } from "@onebit/runtime-web";
import type { PageWorkload } from "./workloads.js";

interface Prepared {
  run(): Promise<ArrayLike<number>>;
  dispose?(): unknown;
}

// The globals of the dist scripts (this app's tsconfig has no DOM lib, so they are described here).
interface OrtTensor {
  readonly data: ArrayLike<number>;
}
interface OrtGlobal {
  env: { wasm: { wasmPaths: string; numThreads: number; proxy: boolean } };
  Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => OrtTensor;
  InferenceSession: {
    create(
      bytes: Uint8Array,
      o: { executionProviders: string[]; graphOptimizationLevel: string },
    ): Promise<{
      inputNames: readonly string[];
      outputNames: readonly string[];
      run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
      release(): Promise<void>;
    }>;
  };
}
interface TfTensor {
  data(): Promise<ArrayLike<number>>;
  dispose(): void;
}
interface TfGlobal {
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
  ready(): Promise<void>;
  tensor(data: Float32Array, shape: number[]): TfTensor;
  tidy<T>(f: () => T): T;
  matMul(a: TfTensor, b: TfTensor): TfTensor;
  conv2d(x: TfTensor, filter: TfTensor, strides: number, pad: "same"): TfTensor;
  add(a: TfTensor, b: TfTensor): TfTensor;
  relu(a: TfTensor): TfTensor;
  wasm: { setWasmPaths(p: string): void; setThreadsCount(n: number): void; getThreadsCount(): number };
}
const g = globalThis as unknown as {
  ort: OrtGlobal;
  tf: TfGlobal;
  obBench: unknown;
  location: { search: string };
};

const threads = Number(new URLSearchParams(g.location.search).get("threads") ?? "1");

async function bytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}
const floats = async (url: string) => {
  const b = await bytes(url);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
const words = async (url: string) => {
  const b = await bytes(url);
  return new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

let tfReady: Promise<void> | undefined;
function initTf(): Promise<void> {
  tfReady ??= (async () => {
    g.tf.wasm.setWasmPaths("/tfjs-wasm/");
    g.tf.wasm.setThreadsCount(threads);
    if (!(await g.tf.setBackend("wasm"))) throw new Error("TensorFlow.js: the wasm backend did not start");
    await g.tf.ready();
  })();
  return tfReady;
}

async function prepare(w: PageWorkload): Promise<Prepared> {
  switch (w.kind) {
    case "onebit": {
      const input = w.inputType === "uint8" ? await bytes(w.input) : await floats(w.input);
      const session = await InferenceSession.create(w.model, { threads, maxBatch: w.batch });
      const info = session.getBackendInfo();
      if (session.threads !== threads)
        throw new Error(`runtime-web: ${session.threads} threads, ${threads} asked (${info.reason})`);
      // Float steps silently left in TypeScript would time the wrong thing (same answers, slower).
      if (info.floatGlue.kernels !== "wasm")
        throw new Error(`runtime-web: float steps on ${info.floatGlue.kernels} (${info.floatGlue.reason})`);
      // Batch 1 stays on the calling thread however many workers there are; so does the timing.
      return {
        run: async () => (await session.run(input)).logits,
        dispose: () => session.dispose(),
      };
    }
    case "ort": {
      const ort = g.ort;
      ort.env.wasm.wasmPaths = "/ort/";
      ort.env.wasm.numThreads = threads;
      ort.env.wasm.proxy = false;
      const session = await ort.InferenceSession.create(await bytes(w.model), {
        executionProviders: ["wasm"],
        graphOptimizationLevel: "all",
      });
      const x = new ort.Tensor("float32", await floats(w.input), w.shape);
      const name = session.inputNames[0]!;
      const out = session.outputNames[0]!;
      return {
        run: async () => (await session.run({ [name]: x }))[out]!.data,
        dispose: () => session.release(),
      };
    }
    case "tfjs-matmul":
    case "tfjs-mlp": {
      await initTf();
      const tf = g.tf;
      const x = tf.tensor(await floats(w.input), w.shape);
      const layers: { w: TfTensor; b?: TfTensor }[] = [];
      for (const l of w.layers) {
        layers.push({
          w: tf.tensor(await floats(l.weights), [l.inFeatures, l.outFeatures]),
          ...(l.bias ? { b: tf.tensor(await floats(l.bias), [l.outFeatures]) } : {}),
        });
      }
      const forward = () =>
        tf.tidy(() => {
          let h = x;
          layers.forEach((l, i) => {
            h = tf.matMul(h, l.w);
            if (l.b) h = tf.add(h, l.b);
            if (i < layers.length - 1) h = tf.relu(h);
          });
          return h;
        });
      return {
        run: async () => {
          const y = forward();
          const data = await y.data();
          y.dispose();
          return data;
        },
        dispose: () => {
          x.dispose();
          for (const l of layers) {
            l.w.dispose();
            l.b?.dispose();
          }
        },
      };
    }
    case "tfjs-conv": {
      await initTf();
      const tf = g.tf;
      const { size: s, channels: c } = w;
      const x = tf.tensor(await floats(w.input), [1, s, s, c]);
      const f = tf.tensor(await floats(w.filter), [3, 3, c, c]);
      return {
        run: async () => {
          const y = tf.conv2d(x, f, 1, "same");
          const data = await y.data();
          y.dispose();
          return data;
        },
        dispose: () => {
          x.dispose();
          f.dispose();
        },
      };
    }
    case "bconv": {
      // bitops' high-level bconv2d on one backend (the page runs one case at a time).
      await initBitops();
      setBackend(w.backend as KernelBackend);
      const { size: s, channels: c } = w;
      const x = packImages(await floats(w.x), 1, s, s, c);
      const wt = prepackConvWeights(packConvWeights(await floats(w.w), c, 3, 3, c));
      const out = new Int32Array(s * s * c);
      return {
        run: async () => {
          setBackend(w.backend as KernelBackend);
          return bconv2d(x, wt, { padding: "same", stride: 1 }, out);
        },
      };
    }
    case "bgemm": {
      const kernels = createKernels({ backend: w.backend as KernelBackend });
      const heap = new BitopsHeap(kernels.memory);
      const kWords = kernelRowWords(w.k);
      const aBits = await words(w.a);
      const wData = await words(w.w);
      const a = heap.alloc(aBits.byteLength);
      const wp = heap.alloc(wData.byteLength);
      const out = heap.alloc(w.m * w.n * 4);
      heap.u32(a, aBits.length).set(aBits);
      heap.u32(wp, wData.length).set(wData);
      const args = {
        mode: "dot",
        a,
        aStride: kWords * 4,
        w: wp,
        n: w.n,
        k: w.k,
        kWords,
        out,
        outStride: w.n * 4,
        p0: 0,
        p1: 0,
      } as const;
      return {
        run: async () => {
          kernels.gemmRows(args, 0, w.m);
          return heap.i32(out, w.m * w.n);
        },
      };
    }
  }
}

const prepared = new Map<string, Prepared>();

/** Warming up stops at this many times `warmupMs`, settled or not. */
const SETTLE_CAP = 20;

/** Whether the last two warm-up blocks agree within 10 % per run. */
function settled(perRunMs: readonly number[]): boolean {
  if (perRunMs.length < 2) return false;
  const [a, b] = [perRunMs.at(-2)!, perRunMs.at(-1)!];
  return Math.abs(a - b) <= 0.1 * Math.min(a, b);
}

g.obBench = {
  threads,
  crossOriginIsolated:
    (globalThis as unknown as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
  async prepare(id: string, w: PageWorkload) {
    prepared.set(id, await prepare(w));
  },
  async runOnce(id: string): Promise<number[]> {
    return Array.from(await prepared.get(id)!.run());
  },
  /**
   * Warm-up: ≥ 2 runs and ≥ warmupMs, then on in blocks of a quarter of warmupMs until two blocks in
   * a row agree within 10 % per run, or SETTLE_CAP × warmupMs in all. Returns the last block's time
   * per run (ms). Chromium tiers WebAssembly and JavaScript up later than Node.js: QuickNet's first
   * 6–8 runs took 2–3× the CPU time of later ones (the Node harness settles likewise).
   */
  async warmUp(id: string, o: { warmupMs: number }): Promise<number> {
    const p = prepared.get(id)!;
    const t0 = performance.now();
    const blockMs = Math.max(o.warmupMs / 4, 1e-3);
    const perRunMs: number[] = [];
    let runs = 0;
    for (;;) {
      const s = performance.now();
      let n = 0;
      for (; n === 0 || performance.now() - s < blockMs; n++) await p.run();
      runs += n;
      perRunMs.push((performance.now() - s) / n);
      const spent = performance.now() - t0;
      if ((runs >= 2 && spent >= o.warmupMs && settled(perRunMs)) || spent >= SETTLE_CAP * o.warmupMs)
        return perRunMs.at(-1)!;
    }
  },
  /**
   * After `warmUp`: samples of `runsPerSample` runs each (enough runs to last ≥ 2 ms), until
   * `minSamples` samples and `minMs` have passed or `maxMs` has: seconds per run.
   */
  async sample(id: string, o: { minSamples: number; minMs: number; maxMs: number }, perRunMs: number) {
    const p = prepared.get(id)!;
    const runsPerSample = Math.max(1, Math.ceil(2 / Math.max(perRunMs, 1e-3)));
    const samples: number[] = [];
    const start = performance.now();
    for (;;) {
      const t = performance.now();
      for (let i = 0; i < runsPerSample; i++) await p.run();
      samples.push((performance.now() - t) / 1000 / runsPerSample);
      const elapsed = performance.now() - start;
      if ((samples.length >= o.minSamples && elapsed >= o.minMs) || elapsed >= o.maxMs) break;
    }
    return { samples, runsPerSample };
  },
  async dispose(id: string) {
    await prepared.get(id)?.dispose?.();
    prepared.delete(id);
  },
};
