// Times the repository's models on backend "webgpu" and on the WebAssembly kernels (one thread) in
// headless Chromium, interleaved in one page: `node --import tsx scripts/webgpu-timing.ts`.
// Here Chromium's WebGPU adapter is SwiftShader (Vulkan emulated on the CPU): its timings say
// nothing about a GPU, only what this machine's CPU does through that emulation.
import { readFileSync, readdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { chromiumPath } from "../../../scripts/test-support/chromium.js";
import { pageBundle } from "../test/browser/page-bundle.js";
import { serveFiles } from "../test/browser/static-server.js";

const ROUNDS = 7;

const TIME_IN_PAGE = `async ({ name, batch, rounds }) => {
  const gpu = await window.onebit.InferenceSession.create("/" + name, { backend: "webgpu" });
  const wasm = await window.onebit.InferenceSession.create("/" + name, { threads: 1 });
  const x = Uint8Array.from({ length: batch * gpu.inputInfo.size }, (_, i) => (i * 37) & 255);
  const times = { webgpu: [], wasm: [] };
  for (let i = 0; i < rounds + 1; i++) {
    for (const [label, s] of [["webgpu", gpu], ["wasm", wasm]]) {
      const t0 = performance.now();
      await s.run(x);
      if (i > 0) times[label].push(performance.now() - t0); // the first round warms up
    }
  }
  const info = gpu.getBackendInfo();
  await gpu.dispose();
  await wasm.dispose();
  const mid = (v) => v.sort((a, b) => a - b)[v.length >> 1];
  return { webgpu: mid(times.webgpu), wasm: mid(times.wasm), kernels: info.backend, adapter: info.webgpu.adapter };
}`;
const modelsDir = join(import.meta.dirname, "..", "..", "..", "models");
const names = readdirSync(modelsDir).filter(
  (f) => f.endsWith(".onebit") && (!process.env.ONLY || f.includes(process.env.ONLY)),
);
const files = await pageBundle();
for (const n of names)
  files.set(`/${n}`, { body: readFileSync(join(modelsDir, n)), type: "application/octet-stream" });
const server = await serveFiles(files);
const browser = await chromium.launch({
  executablePath: chromiumPath!,
  args: ["--headless", "--no-sandbox", "--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader"],
});
const page = await browser.newPage();
await page.goto(`${server.url}/`);
await page.waitForFunction(() => document.title === "ready");
console.log(
  `${cpus()[0]?.model}, load ${loadavg()[0]!.toFixed(1)}; median of ${ROUNDS} interleaved runs, ms per run`,
);
for (const name of names) {
  for (const batch of [1, 16]) {
    // A string, so that tsx's transform (which names functions) does not reach into the page.
    const r: { webgpu: number; wasm: number; kernels: string; adapter: string } = await page.evaluate(
      `(${TIME_IN_PAGE})(${JSON.stringify({ name, batch, rounds: ROUNDS })})`,
    );
    console.log(
      `${name} batch ${batch}: webgpu (${r.adapter}) ${r.webgpu.toFixed(2)} ms, WebAssembly (${r.kernels}, 1 thread) ${r.wasm.toFixed(2)} ms`,
    );
  }
}
await browser.close();
await server.close();
