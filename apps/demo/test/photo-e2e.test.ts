import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { photoPreprocessingFromMetadata, preprocessPhoto } from "@onebit/datasets";
import { InferenceSession } from "@onebit/runtime-node";
import type { Page } from "playwright-core";
import { PNG } from "pngjs";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type LaunchedBrowser,
  SKIP_MESSAGE,
  chromiumPath,
  launchChromium,
} from "../../../scripts/test-support/chromium.js";
import { quicknetBytes } from "../quicknet-model.js";
import type { PhotoPrediction } from "../src/photo.js";
import { ISOLATION_HEADERS, type SiteServer, readSite, serveSite } from "./support/static-site.js";

// The "classify a photo" page in headless Chromium: the built site converts @onebit/lce's QuickNet
// fixture, the page decodes an uploaded photo with the browser, prepares it as the model's metadata
// says and runs it with @onebit/runtime-web — and must name what @onebit/runtime-node names for the
// same pixels. A screenshot goes to test-artifacts/.

const demoDir = resolve(import.meta.dirname, "..");
const fixtures = resolve(demoDir, "../../packages/lce/test/fixtures");
const artifacts = join(demoDir, "test-artifacts");

if (!chromiumPath) console.warn(SKIP_MESSAGE);

describe.skipIf(!chromiumPath)("the photo page in headless Chromium", () => {
  let outDir: string;
  let launched: LaunchedBrowser;
  let server: SiteServer;
  let node: InferenceSession;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), "onebit-photo-"));
    await build({ root: demoDir, logLevel: "warn", build: { outDir, emptyOutDir: true } });
    const files = readSite(outDir);
    [launched, server, node] = await Promise.all([
      launchChromium(),
      serveSite(files, ISOLATION_HEADERS),
      InferenceSession.create(quicknetBytes(), { threads: 1 }),
    ]);
    mkdirSync(artifacts, { recursive: true });
  });

  afterAll(async () => {
    await Promise.all([launched?.close(), server?.close(), node?.dispose()]);
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  async function open(query = ""): Promise<Page> {
    const page = await launched.context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    await page.goto(`${server.url}/photo.html${query}`);
    await page.waitForFunction(() => window.onebitPhoto !== undefined);
    await page.evaluate(() => window.onebitPhoto.ready);
    expect(problems).toEqual([]);
    return page;
  }

  async function upload(page: Page, file: string): Promise<PhotoPrediction> {
    await page.setInputFiles("#file", join(fixtures, file));
    await page.waitForFunction(
      (name) => window.onebitPhoto.last?.file === name || document.querySelector("#status.error"),
      file,
    );
    const last = await page.evaluate(() => window.onebitPhoto.last);
    expect(last?.file, (await page.textContent("#status")) ?? "").toBe(file);
    return last!;
  }

  it("classifies given pixels exactly as runtime-node does", async () => {
    const page = await open();
    const png = PNG.sync.read(readFileSync(join(fixtures, "chelsea.png")));
    const p = await page.evaluate(([rgba, w, h]) => window.onebitPhoto.classifyPixels(rgba, w, h), [
      Array.from(png.data),
      png.width,
      png.height,
    ] as const);
    const input = preprocessPhoto(
      { width: png.width, height: png.height, channels: 4, data: png.data },
      { height: 224, width: 224 },
      photoPreprocessingFromMetadata(node.metadata.extra)!,
    );
    const expected = (await node.run(input)).top(5, 0);
    expect(p.top.map((t) => t.index)).toEqual(expected.map((t) => t.index));
    for (const [i, t] of expected.entries()) expect(p.top[i]!.probability).toBeCloseTo(t.probability, 4);
    await page.close();
  });

  it("sees an Egyptian cat in chelsea.png, as runtime-node does on the same pixels", async () => {
    const page = await open();
    const p = await upload(page, "chelsea.png");
    expect(await page.textContent("#prediction")).toBe("Egyptian cat");
    expect(await page.locator("#top5 li").count()).toBe(5);
    expect(await page.textContent("#time")).toMatch(/ms$/);
    expect(await page.textContent("#engine")).toMatch(/wasm|typescript/);
    // A PNG decodes to the same pixels everywhere: the same top 5, probabilities within float tolerance.
    const png = PNG.sync.read(readFileSync(join(fixtures, "chelsea.png")));
    const input = preprocessPhoto(
      { width: png.width, height: png.height, channels: 4, data: png.data },
      { height: 224, width: 224 },
      photoPreprocessingFromMetadata(node.metadata.extra)!,
    );
    const expected = (await node.run(input)).top(5, 0);
    expect(p.top.map((t) => t.index)).toEqual(expected.map((t) => t.index));
    for (const [i, t] of expected.entries()) expect(p.top[i]!.probability).toBeCloseTo(t.probability, 3);
    await page.screenshot({ path: join(artifacts, "demo-photo.png") });
    await page.close();
    // ONEBIT_DEMO_BENCH=1: the time per inference on one thread and on the page's default (printed, not asserted).
    if (process.env["ONEBIT_DEMO_BENCH"])
      for (const query of ["?threads=1", ""]) {
        const timed = await open(query);
        await upload(timed, "chelsea.png");
        const bench = await timed.evaluate(() => window.onebitPhoto.benchmark(15));
        const sorted = [...bench.ms].sort((x, y) => x - y);
        console.info(
          `QuickNet in Chromium: median ${sorted[7]!.toFixed(1)} ms over 15 runs (${bench.engine})`,
        );
        await timed.close();
      }
  });

  it("classifies a JPEG (decoded by the browser) with the launch scene's classes on top", async () => {
    const page = await open();
    const p = await upload(page, "rocket.jpg");
    // 540 drilling platform, 657 missile, 812 space shuttle, 744 projectile (see @onebit/lce's tests).
    expect(p.top.slice(0, 3).some((t) => [540, 657, 744, 812].includes(t.index))).toBe(true);
    await page.close();
  });
});
