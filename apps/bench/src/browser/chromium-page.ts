import { readFileSync, readdirSync } from "node:fs";
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
    warmUp(id: string, o: MeasureInPage): Promise<number>;
    sample(
      id: string,
      o: MeasureInPage,
      perRunMs: number,
    ): Promise<{ samples: number[]; runsPerSample: number }>;
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

/**
 * Times a prepared workload in the page: warm-up, then samples (seconds per run), and where this
 * machine shows it (Linux), `cpuSamples`: the renderer's CPU time per run over the sampling phase
 * (all its threads, as Node's process.cpuUsage counts; one average, repeated per sample).
 */
export async function measureInPage(
  page: Page,
  id: string,
  o: MeasureInPage,
): Promise<{ samples: number[]; runsPerSample: number; cpuSamples?: number[] }> {
  const perRunMs = await page.evaluate(
    ([i, opts]) => (globalThis as unknown as PageGlobal).obBench.warmUp(i, opts),
    [id, o] as const,
  );
  const cpu0 = rendererCpuSeconds();
  const m = await page.evaluate(
    ([i, opts, ms]) => (globalThis as unknown as PageGlobal).obBench.sample(i, opts, ms),
    [id, o, perRunMs] as const,
  );
  const cpu1 = rendererCpuSeconds();
  if (cpu0 === undefined || cpu1 === undefined) return m;
  const perRun = (cpu1 - cpu0) / (m.samples.length * m.runsPerSample);
  return { ...m, cpuSamples: m.samples.map(() => perRun) };
}

/** Linux's clock ticks per second for /proc/<pid>/stat times (USER_HZ: 100 on every mainstream build). */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) of the Chromium renderer processes this process started (descendants
 * whose command line has --type=renderer), or undefined where /proc does not show them.
 */
function rendererCpuSeconds(): number | undefined {
  if (process.platform !== "linux") return undefined;
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      // Fields after "(comm) ": state, ppid, …, utime (14th field overall), stime (15th).
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parent.set(Number(e), Number(f[1]));
      if (readFileSync(`/proc/${e}/cmdline`, "utf8").includes("--type=renderer"))
        ticks.set(Number(e), Number(f[11]) + Number(f[12]));
    } catch {
      // The process ended while being read.
    }
  }
  const ours = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p))
      if (p === process.pid) return true;
    return false;
  };
  let total = 0;
  let found = false;
  for (const [pid, t] of ticks) {
    if (!ours(pid)) continue;
    total += t;
    found = true;
  }
  return found ? total / TICKS_PER_SECOND : undefined;
}

export function disposeInPage(page: Page, id: string): Promise<void> {
  return page.evaluate((i) => (globalThis as unknown as PageGlobal).obBench.dispose(i), id);
}
