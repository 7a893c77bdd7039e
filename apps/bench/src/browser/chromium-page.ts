import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Page } from "playwright-core";
import {
  chromiumPath,
  type LaunchedBrowser,
  launchChromium,
} from "../../../../scripts/test-support/chromium.js";
import { type LocalServer, type Served, startLocalServer } from "./server.js";
import type { PageWorkload } from "./workloads.js";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** A package's folder (some packages do not export package.json), found from its main entry. */
function packageDir(name: string): string {
  const main = require.resolve(name);
  const marker = `/node_modules/${name}/`;
  const at = main.lastIndexOf(marker);
  if (at < 0) throw new Error(`${name}: cannot find its folder from ${main}`);
  return main.slice(0, at + marker.length - 1);
}

/** The dist files of the peers, served from node_modules (nothing is fetched from a CDN). */
function peerFiles(): Map<string, Served> {
  const files = new Map<string, Served>();
  const ortDist = join(packageDir("onnxruntime-web"), "dist");
  for (const f of ["ort.wasm.min.js", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"])
    files.set(`/ort/${f}`, { path: join(ortDist, f) });
  const tfDist = join(packageDir("@tensorflow/tfjs"), "dist");
  files.set("/tfjs/tf.min.js", { path: join(tfDist, "tf.min.js") });
  const wasmDist = join(packageDir("@tensorflow/tfjs-backend-wasm"), "dist");
  for (const f of [
    "tf-backend-wasm.min.js",
    "tfjs-backend-wasm.wasm",
    "tfjs-backend-wasm-simd.wasm",
    "tfjs-backend-wasm-threaded-simd.wasm",
  ])
    files.set(`/tfjs-wasm/${f}`, { path: join(wasmDist, f) });
  return files;
}

const HTML = `<!doctype html><title>loading</title>
<script src="/ort/ort.wasm.min.js"></script>
<script src="/tfjs/tf.min.js"></script>
<script src="/tfjs-wasm/tf-backend-wasm.min.js"></script>
<script type="module">import "/page.js"; document.title = "ready";</script>`;

/** @onebit/runtime-web and @onebit/bitops bundled with the page code, as an app's bundler would. */
async function pageBundle(): Promise<Uint8Array> {
  const out = await build({
    entryPoints: [join(here, "page.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "warning",
  });
  return out.outputFiles[0]!.contents;
}

/** What page.evaluate callbacks see (this app's tsconfig has no DOM lib). */
interface PageGlobal {
  readonly document: { readonly title: string };
  readonly crossOriginIsolated: boolean;
  readonly obBench: {
    prepare(id: string, w: PageWorkload): Promise<void>;
    runOnce(id: string): Promise<number[]>;
    measure(id: string, o: MeasureInPage): Promise<{ samples: number[]; runsPerSample: number }>;
    dispose(id: string): Promise<void>;
  };
}

export interface MeasureInPage {
  readonly warmupMs: number;
  readonly minSamples: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/** One page per thread count (ORT and TF.js fix their thread count once per page). */
export interface BenchBrowser {
  readonly server: LocalServer;
  /** Requests the browser tried to send anywhere but the local server. */
  readonly blocked: string[];
  page(threads: number): Promise<Page>;
  close(): Promise<void>;
}

/** Why the browser benchmark cannot run here, or undefined. */
export function browserUnavailable(): string | undefined {
  return chromiumPath ? undefined : "Chromium not found (/usr/bin/chromium or CHROMIUM_PATH)";
}

export async function openBenchBrowser(): Promise<BenchBrowser> {
  const files = peerFiles();
  files.set("/index.html", { body: HTML, type: "text/html" });
  files.set("/page.js", { body: await pageBundle(), type: "text/javascript" });
  const server = await startLocalServer(files);
  const browser: LaunchedBrowser = await launchChromium();
  const blocked: string[] = [];
  await browser.context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${server.origin}/`)) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  const pages = new Map<number, Promise<Page>>();
  const open = async (threads: number): Promise<Page> => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.origin}/index.html?threads=${threads}`);
    await page
      .waitForFunction(() => (globalThis as unknown as PageGlobal).document.title === "ready", undefined, {
        timeout: 60_000,
      })
      .catch(() => {
        throw new Error(`the benchmark page did not load: ${errors.join("; ") || "no error reported"}`);
      });
    const isolated = await page.evaluate(() => (globalThis as unknown as PageGlobal).crossOriginIsolated);
    if (!isolated) throw new Error("the benchmark page is not cross-origin isolated");
    return page;
  };
  return {
    server,
    blocked,
    page(threads) {
      let p = pages.get(threads);
      if (!p) {
        p = open(threads);
        pages.set(threads, p);
      }
      return p;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Prepares a workload in the page under `id`. */
export async function preparePage(page: Page, id: string, w: PageWorkload): Promise<void> {
  await page.evaluate(([i, work]) => (globalThis as unknown as PageGlobal).obBench.prepare(i, work), [
    id,
    w,
  ] as const);
}

export function runInPage(page: Page, id: string): Promise<number[]> {
  return page.evaluate((i) => (globalThis as unknown as PageGlobal).obBench.runOnce(i), id);
}

export function measureInPage(
  page: Page,
  id: string,
  o: MeasureInPage,
): Promise<{ samples: number[]; runsPerSample: number }> {
  return page.evaluate(([i, opts]) => (globalThis as unknown as PageGlobal).obBench.measure(i, opts), [
    id,
    o,
  ] as const);
}

export function disposeInPage(page: Page, id: string): Promise<void> {
  return page.evaluate((i) => (globalThis as unknown as PageGlobal).obBench.dispose(i), id);
}
