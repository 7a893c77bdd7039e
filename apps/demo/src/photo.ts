import { photoPreprocessingFromMetadata, preprocessPhoto } from "@onebit/datasets";
import { InferenceSession } from "@onebit/runtime-web";
import "./style.css";

// The "classify a photo" page: QuickNet (Larq Zoo's binarized ImageNet classifier, converted from its
// Larq Compute Engine .tflite file when the site is built) run by @onebit/runtime-web on a dropped or
// picked photo, prepared as the model's metadata says (the same preprocessPhoto as `onebit run`).

/** One classification, as shown on the page (and read by the end-to-end tests). */
export interface PhotoPrediction {
  readonly file: string;
  readonly top: { readonly index: number; readonly label: string; readonly probability: number }[];
  /** Wall time of `session.run`, in milliseconds. */
  readonly ms: number;
}

/** What the page exposes as `window.onebitPhoto`: for the console and for automated tests. */
export interface PhotoApi {
  /** Resolves once the model is loaded. */
  readonly ready: Promise<void>;
  readonly last: PhotoPrediction | undefined;
  /** Classifies RGBA pixels (as `ImageData` holds them) without the browser's decoder. */
  classifyPixels(rgba: ArrayLike<number>, width: number, height: number): Promise<PhotoPrediction>;
  /** Runs the latest photo `runs` times after one warm-up run: each run's milliseconds, and the engine. */
  benchmark(runs?: number): Promise<{ ms: number[]; engine: string }>;
}

declare global {
  interface Window {
    onebitPhoto: PhotoApi;
  }
}

/** Written next to the site by the demo's Vite plugin (vite.config.ts). */
const MODEL_URL = new URL("./quicknet.onebit", document.baseURI).href;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>("photo");
const status = $<HTMLParagraphElement>("status");
const drop = $<HTMLLabelElement>("drop");
let last: PhotoPrediction | undefined;
let input: Float32Array | undefined;

function setStatus(text: string, error = false): void {
  status.textContent = text;
  status.classList.toggle("error", error);
}

const formatMs = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;

function showPrediction(p: PhotoPrediction): void {
  $("prediction").textContent = p.top[0]!.label;
  $("time").textContent = formatMs(p.ms);
  $("top5").replaceChildren(
    ...p.top.map(({ label, probability }) => {
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

/** `?threads=1` pins the session to one thread (to time single-thread inference); default: runtime-web's choice. */
const threadsParam = Number(new URLSearchParams(location.search).get("threads"));

async function loadModel(): Promise<InferenceSession> {
  const session = await InferenceSession.create(
    MODEL_URL,
    Number.isSafeInteger(threadsParam) && threadsParam > 0 ? { threads: threadsParam } : {},
  );
  const recipe = photoPreprocessingFromMetadata(session.metadata.extra);
  const [height, width, channels] = session.inputInfo.shape;
  if (!recipe || channels !== 3 || session.outputInfo.classes === undefined)
    throw new Error("quicknet.onebit does not record a photo preprocessing for [height, width, 3] images");
  $("model-info").textContent =
    `${session.metadata.name}, ${(session.modelBytes / 2 ** 20).toFixed(2)} MiB, ${width}×${height} input`;
  const info = session.getBackendInfo();
  $("engine").textContent = `${info.backend}, ${info.threads} thread${info.threads > 1 ? "s" : ""}`;
  $("engine").title = info.reason;
  setStatus("Drop a photo, or pick one.");
  return session;
}

const sessionReady = loadModel();

/** Prepares RGBA pixels as the model's metadata says and classifies them. */
async function classifyRgba(
  name: string,
  pixels: { width: number; height: number; data: ArrayLike<number> },
): Promise<PhotoPrediction> {
  const session = await sessionReady;
  const recipe = photoPreprocessingFromMetadata(session.metadata.extra)!;
  const [height, width] = session.inputInfo.shape as [number, number, number];
  // Fields one by one: ImageData keeps width and height as getters, which a spread would drop.
  const image = { width: pixels.width, height: pixels.height, channels: 4, data: pixels.data };
  input = preprocessPhoto(image, { height, width }, recipe);
  const t0 = performance.now();
  const result = await session.run(input);
  const ms = performance.now() - t0;
  const labels = session.outputInfo.labels;
  last = {
    file: name,
    top: result.top(5).map((t) => ({
      index: t.index,
      label: labels?.[t.index] ?? String(t.index),
      probability: t.probability,
    })),
    ms,
  };
  showPrediction(last);
  setStatus(`${name}: ${pixels.width}×${pixels.height}`);
  return last;
}

/** Decodes the photo with the browser, shows it, and classifies it. */
async function classifyFile(file: File): Promise<PhotoPrediction> {
  const bitmap = await createImageBitmap(file);
  const work = document.createElement("canvas");
  [work.width, work.height] = [bitmap.width, bitmap.height];
  const ctx = work.getContext("2d")!;
  ctx.drawImage(bitmap, 0, 0);
  const pixels = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  // The preview shows the centred square the model sees.
  const side = Math.min(bitmap.width, bitmap.height);
  canvas
    .getContext("2d")!
    .drawImage(
      bitmap,
      (bitmap.width - side) / 2,
      (bitmap.height - side) / 2,
      side,
      side,
      0,
      0,
      canvas.width,
      canvas.height,
    );
  bitmap.close();
  return classifyRgba(file.name, pixels);
}

function classifySoon(file: File | undefined): void {
  if (file)
    classifyFile(file).catch((error: unknown) =>
      setStatus(
        `Cannot classify ${file.name}: ${error instanceof Error ? error.message : String(error)}`,
        true,
      ),
    );
}

$<HTMLInputElement>("file").addEventListener("change", (event) => {
  classifySoon((event.target as HTMLInputElement).files?.[0]);
});
drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  classifySoon(event.dataTransfer?.files[0]);
});

const ready = sessionReady.then(() => undefined);
ready.catch((error: unknown) => setStatus(String(error instanceof Error ? error.message : error), true));

window.onebitPhoto = {
  ready,
  get last() {
    return last;
  },
  classifyPixels: (rgba, width, height) => classifyRgba("pixels", { width, height, data: rgba }),
  async benchmark(runs = 10) {
    const session = await sessionReady;
    if (!input) throw new Error("no photo yet");
    await session.run(input);
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await session.run(input);
      ms.push(performance.now() - t0);
    }
    const info = session.getBackendInfo();
    return { ms, engine: `${info.backend}, ${info.threads} thread(s): ${info.reason}` };
  },
};
