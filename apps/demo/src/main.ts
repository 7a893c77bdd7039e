import { type FitStyle, MNIST_SIDE as SIDE, fitStyleForDataset, fitToMnist } from "@onebit/datasets";
import { InferenceSession, type SessionBackendInfo } from "@onebit/runtime-web";
import { DrawingPad } from "./drawing-pad.js";
import { type ModelChoice, modelChoices } from "./models.js";
import "./style.css";

/** One classification, as shown on the page (and read by the end-to-end tests). */
export interface Prediction {
  /** Increases with every classification. */
  readonly seq: number;
  readonly model: string;
  /** The 784 bytes the model ran on. */
  readonly input: number[];
  readonly logits: number[];
  readonly predicted: number;
  readonly top: { readonly label: string; readonly probability: number }[];
  /** Wall time of `session.run`, in milliseconds. */
  readonly ms: number;
}

export interface Throughput {
  readonly batch: number;
  readonly ms: number;
  readonly backend: SessionBackendInfo;
}

/** What the page exposes as `window.onebitDemo`: for the console and for automated tests. */
export interface DemoApi {
  /** Resolves once a model is loaded (rejects if none could be). */
  readonly ready: Promise<void>;
  readonly models: readonly ModelChoice[];
  /** The latest classification. */
  readonly last: Prediction | undefined;
  /** Paints a grey image (e.g. an MNIST digit, 0 = background) on the pad and classifies it. */
  paint(pixels: ArrayLike<number>, width: number, height: number): Promise<Prediction | undefined>;
  clear(): void;
  /** Classifies `batch` copies of the current drawing at once (uses the workers when there are any). */
  benchmark(batch?: number): Promise<Throughput>;
  backend(): SessionBackendInfo | undefined;
  selectModel(name: string): Promise<void>;
}

declare global {
  interface Window {
    onebitDemo: DemoApi;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const padCanvas = $<HTMLCanvasElement>("pad");
const seenCanvas = $<HTMLCanvasElement>("seen");
const select = $<HTMLSelectElement>("model");
const status = $<HTMLParagraphElement>("status");

const MODELS = modelChoices(location.search);
let session: InferenceSession | undefined;
let modelName = "";
/** How drawings are prepared for the loaded model: as its dataset (MNIST or Fashion-MNIST) was. */
let fitStyle: FitStyle = "mnist";
let last: Prediction | undefined;
let seq = 0;

function setStatus(text: string, error = false): void {
  status.textContent = text;
  status.classList.toggle("error", error);
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`;
}

function formatMs(ms: number): string {
  // Browsers coarsen timers (to 0.1 ms on pages that are not cross-origin isolated).
  return ms < 0.1 ? "< 0.1 ms" : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

function describeEngine(info: SessionBackendInfo): string {
  const threads =
    info.threads > 1
      ? `${info.threads} Web Workers (cross-origin isolated)`
      : info.crossOriginIsolated
        ? "1 thread"
        : "1 thread (page not cross-origin isolated)";
  return `${info.backend}, ${threads}`;
}

function showInput(input: Uint8Array | undefined): void {
  const ctx = seenCanvas.getContext("2d")!;
  const image = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = input?.[i] ?? 0;
    image.data.set([v, v, v, 255], 4 * i);
  }
  ctx.putImageData(image, 0, 0);
}

function showPrediction(p: Prediction | undefined): void {
  $("prediction").textContent = p ? p.top[0]!.label : "–";
  $("time").textContent = p ? formatMs(p.ms) : "–";
  const list = $("top3");
  list.replaceChildren(
    ...(p?.top ?? []).map(({ label, probability }) => {
      const li = document.createElement("li");
      const name = document.createElement("strong");
      name.textContent = label;
      const bar = document.createElement("div");
      bar.className = "bar";
      const fill = document.createElement("span");
      fill.style.width = `${(probability * 100).toFixed(1)}%`;
      bar.append(fill);
      const pct = document.createElement("span");
      pct.textContent = `${(probability * 100).toFixed(1)} %`;
      li.append(name, bar, pct);
      return li;
    }),
  );
}

/** The pad's drawing as model input, or undefined when it is blank. */
function currentInput(): Uint8Array | undefined {
  if (pad.isEmpty) return undefined;
  return fitToMnist(pad.greyPixels(), { style: fitStyle });
}

/** Classifies the drawing; a newer call supersedes an older one still running. */
async function classify(): Promise<Prediction | undefined> {
  const input = currentInput();
  showInput(input);
  if (!session || !input) {
    showPrediction(undefined);
    return undefined;
  }
  const mine = ++seq;
  const t0 = performance.now();
  const result = await session.run(input);
  const ms = performance.now() - t0;
  const labels = session.outputInfo.labels;
  const prediction: Prediction = {
    seq: mine,
    model: modelName,
    input: Array.from(input),
    logits: Array.from(result.logits),
    predicted: result.predictions![0]!,
    top: result
      .top(3)
      .map((t) => ({ label: labels?.[t.index] ?? String(t.index), probability: t.probability })),
    ms,
  };
  if (mine === seq) {
    last = prediction;
    showPrediction(prediction);
  }
  return prediction;
}

function classifySoon(): void {
  classify().catch((error: unknown) => setStatus(`Classification failed: ${String(error)}`, true));
}

const pad = new DrawingPad(padCanvas, { lineWidth: 22, onChange: classifySoon });

async function loadModel(choice: ModelChoice): Promise<void> {
  setStatus(`Loading ${choice.name}…`);
  const next = await InferenceSession.create(choice.url);
  const { inputInfo, outputInfo } = next;
  if (inputInfo.size !== SIDE * SIDE || outputInfo.classes === undefined) {
    await next.dispose();
    throw new Error(
      `${choice.name} is not a classifier of 28×28 grey images (input [${inputInfo.shape.join(", ")}])`,
    );
  }
  const previous = session;
  session = next;
  modelName = choice.name;
  await previous?.dispose();
  const { accuracy, dataset } = next.metadata.provenance ?? {};
  fitStyle = fitStyleForDataset(dataset);
  const fashion = fitStyle === "fashion-mnist";
  $("model-info").textContent = `${choice.name}, ${formatBytes(next.modelBytes)}${
    accuracy !== undefined
      ? `, ${(accuracy * 100).toFixed(2)} % on ${fashion ? "Fashion-MNIST" : "MNIST"} test`
      : ""
  }`;
  const engine = $("engine");
  engine.textContent = describeEngine(next.getBackendInfo());
  engine.title = next.getBackendInfo().reason;
  $("throughput").textContent = "–";
  setStatus(
    fashion
      ? "Draw an article of clothing (a shirt, trousers, a bag, a shoe…) — with the mouse or a finger."
      : "Draw a digit from 0 to 9 — with the mouse or a finger.",
  );
  await classify();
}

async function benchmark(batch = 256): Promise<Throughput> {
  if (!session) throw new Error("no model is loaded");
  const one = currentInput() ?? new Uint8Array(SIDE * SIDE);
  const many = new Uint8Array(batch * one.length);
  for (let i = 0; i < batch; i++) many.set(one, i * one.length);
  await session.run(many); // warm-up: workers and kernels reach their steady state
  const t0 = performance.now();
  await session.run(many);
  const ms = performance.now() - t0;
  const result = { batch, ms, backend: session.getBackendInfo() };
  $("throughput").textContent =
    `${Math.round((batch / ms) * 1000).toLocaleString("en")} digits/s (batch of ${batch})`;
  return result;
}

for (const m of MODELS) select.append(new Option(m.name, m.name));
select.addEventListener("change", () => {
  const choice = MODELS.find((m) => m.name === select.value);
  if (choice) loadModel(choice).catch((error: unknown) => setStatus(String(error), true));
});
$("clear").addEventListener("click", () => {
  pad.clear();
  classifySoon();
});
$("benchmark").addEventListener("click", () => {
  benchmark().catch((error: unknown) => setStatus(`Benchmark failed: ${String(error)}`, true));
});

const ready =
  MODELS.length === 0
    ? Promise.reject(
        new Error("no .onebit model in models/: train one with `pnpm train -- --preset mnist-tiny`"),
      )
    : loadModel(MODELS[0]!);
ready.catch((error: unknown) => setStatus(String(error instanceof Error ? error.message : error), true));

window.onebitDemo = {
  ready,
  models: MODELS,
  get last() {
    return last;
  },
  paint(pixels, width, height) {
    pad.paintGrey(pixels, width, height);
    return classify();
  },
  clear() {
    pad.clear();
    classifySoon();
  },
  benchmark,
  backend: () => session?.getBackendInfo(),
  async selectModel(name) {
    const choice = MODELS.find((m) => m.name === name);
    if (!choice) throw new Error(`no model named ${name}`);
    select.value = name;
    await loadModel(choice);
  },
};
