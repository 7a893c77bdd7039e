import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { FASHION_MNIST_CLASS_NAMES } from "@onebit/datasets";
import { loadFashionMnist, loadMnist } from "@onebit/datasets/node";
import { InferenceSession } from "@onebit/runtime-node";
import type { Page } from "playwright-core";
import { build, createServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Prediction } from "../src/main.js";
import {
  type LaunchedBrowser,
  SKIP_MESSAGE,
  chromiumPath,
  launchChromium,
} from "../../../scripts/test-support/chromium.js";
import { ISOLATION_HEADERS, type SiteServer, readSite, serveSite } from "./support/static-site.js";

// The built demo in headless Chromium, served once with and once without the COOP/COEP headers:
// it loads, classifies painted MNIST test digits correctly, computes exactly what
// @onebit/runtime-node computes on the same bytes, uses Web Workers only when isolated, and takes
// mouse and touch strokes. Screenshots go to test-artifacts/.

const demoDir = resolve(import.meta.dirname, "..");
const artifacts = join(demoDir, "test-artifacts");
// The shipped model, or another one given as ONEBIT_DEMO_MODEL=path (served beside the site and
// opened with the page's ?model= parameter).
const override = process.env["ONEBIT_DEMO_MODEL"];
const modelPath = override ? resolve(override) : resolve(demoDir, "../../models/mnist-tiny.onebit");
const modelName = basename(modelPath, ".onebit");
const pageQuery = override ? `?model=${encodeURIComponent(basename(modelPath))}` : "";

if (!chromiumPath) console.warn(SKIP_MESSAGE);

/** Test digits the model itself (in Node.js) gets right, to paint in the page. */
const DIGITS = 6;

describe.skipIf(!chromiumPath)("the demo in headless Chromium", () => {
  let outDir: string;
  let launched: LaunchedBrowser;
  let isolated: SiteServer;
  let plain: SiteServer;
  let node: InferenceSession;
  let digits: { pixels: number[]; label: number }[];

  beforeAll(async () => {
    if (!existsSync(modelPath))
      throw new Error(`${modelPath} is missing: the demo ships with models/mnist-tiny.onebit`);
    outDir = mkdtempSync(join(tmpdir(), "onebit-demo-"));
    await build({ root: demoDir, logLevel: "warn", build: { outDir, emptyOutDir: true } });
    const files = readSite(outDir);
    if (override) files.set(`/${basename(modelPath)}`, readFileSync(modelPath));
    [launched, isolated, plain, node] = await Promise.all([
      launchChromium(),
      serveSite(files, ISOLATION_HEADERS),
      serveSite(files),
      InferenceSession.create(readFileSync(modelPath), { threads: 1 }),
    ]);
    const mnist = await loadMnist({ split: "test", limit: 200 });
    digits = [];
    for (let n = 0; n < mnist.count && digits.length < DIGITS; n++) {
      const pixels = mnist.images.subarray(n * 784, (n + 1) * 784);
      const r = await node.run(pixels);
      if (r.predictions![0] === mnist.labels[n] && r.top(1)[0]!.probability > 0.9) {
        digits.push({ pixels: Array.from(pixels), label: mnist.labels[n]! });
      }
    }
    mkdirSync(artifacts, { recursive: true });
  });

  afterAll(async () => {
    await Promise.all([launched?.close(), isolated?.close(), plain?.close(), node?.dispose()]);
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  async function open(server: SiteServer): Promise<Page> {
    const page = await launched.context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    await page.goto(`${server.url}/${pageQuery}`);
    await page.waitForFunction(() => window.onebitDemo !== undefined);
    await page.evaluate(() => window.onebitDemo.ready);
    expect(problems).toEqual([]);
    return page;
  }

  /** The page's classification must be runtime-node's on the very same bytes, bit for bit. */
  async function expectSameAsNode(p: Prediction): Promise<void> {
    const r = await node.run(Uint8Array.from(p.input));
    expect(p.logits).toEqual(Array.from(r.logits));
    expect(p.predicted).toBe(r.predictions![0]);
  }

  it("loads the shipped model and shows its size and engine", async () => {
    const page = await open(isolated);
    expect(await page.title()).toMatch(/onebit/);
    const models = await page.evaluate(() => window.onebitDemo.models.map((m) => m.name));
    expect(models[0]).toBe(modelName);
    const size = readFileSync(modelPath).byteLength;
    expect(await page.textContent("#model-info")).toContain(`${(size / 1024).toFixed(1)} KB`);
    expect(await page.textContent("#engine")).toMatch(/Web Workers/);
    await page.close();
  });

  for (const [label, server] of [
    ["isolated", () => isolated],
    ["not isolated", () => plain],
  ] as const) {
    it(`classifies painted MNIST test digits like runtime-node (${label})`, async () => {
      expect(digits).toHaveLength(DIGITS);
      const page = await open(server());
      for (const digit of digits) {
        const p = (await page.evaluate((pixels) => window.onebitDemo.paint(pixels, 28, 28), digit.pixels))!;
        expect(p.predicted, `a painted ${digit.label}`).toBe(digit.label);
        expect(await page.textContent("#prediction")).toBe(String(digit.label));
        expect(await page.locator("#top3 li").count()).toBe(3);
        expect(await page.textContent("#time")).toMatch(/ms/);
        await expectSameAsNode(p);
      }
      await page.screenshot({ path: join(artifacts, `demo-${label.replace(" ", "-")}.png`) });
      await page.close();
    });
  }

  it("uses Web Workers when cross-origin isolated", async () => {
    const page = await open(isolated);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.evaluate((pixels) => window.onebitDemo.paint(pixels, 28, 28), digits[0]!.pixels);
    const t = await page.evaluate(() => window.onebitDemo.benchmark(256));
    expect(t.backend.threads).toBeGreaterThan(1);
    expect(t.backend.threadedRuns).toBeGreaterThan(0);
    expect(await page.textContent("#throughput")).toMatch(/digits\/s/);
    await page.close();
  });

  it("runs on one thread without COOP/COEP", async () => {
    const page = await open(plain);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    const t = await page.evaluate(() => window.onebitDemo.benchmark(256));
    expect(t.backend).toMatchObject({ threads: 1, crossOriginIsolated: false, threadedRuns: 0 });
    expect(await page.textContent("#engine")).toMatch(/not cross-origin isolated/);
    await page.close();
  });

  /** Points of a stroke across the pad, in page coordinates. */
  async function strokePoints(page: Page, path: [number, number][]): Promise<{ x: number; y: number }[]> {
    const box = (await page.locator("#pad").boundingBox())!;
    const points: { x: number; y: number }[] = [];
    for (let i = 1; i < path.length; i++) {
      const [x0, y0] = path[i - 1]!;
      const [x1, y1] = path[i]!;
      for (let s = 0; s <= 10; s++) {
        points.push({
          x: box.x + (x0 + ((x1 - x0) * s) / 10) * box.width,
          y: box.y + (y0 + ((y1 - y0) * s) / 10) * box.height,
        });
      }
    }
    return points;
  }

  async function lastSeq(page: Page): Promise<number> {
    return page.evaluate(() => window.onebitDemo.last?.seq ?? 0);
  }

  // A "7": a bar across the top, then down to the bottom left.
  const SEVEN: [number, number][] = [
    [0.25, 0.2],
    [0.75, 0.2],
    [0.4, 0.85],
  ];

  it("draws with the mouse", async () => {
    const page = await open(isolated);
    const before = await lastSeq(page);
    const points = await strokePoints(page, SEVEN);
    await page.mouse.move(points[0]!.x, points[0]!.y);
    await page.mouse.down();
    for (const p of points) await page.mouse.move(p.x, p.y);
    await page.mouse.up();
    await page.waitForFunction((seq) => (window.onebitDemo.last?.seq ?? 0) > seq, before);
    const p = (await page.evaluate(() => window.onebitDemo.last))!;
    expect(p.input.some((v) => v > 0)).toBe(true);
    expect(p.predicted).toBe(7);
    await expectSameAsNode(p);
    await page.screenshot({ path: join(artifacts, "demo-mouse.png") });
    await page.click("#clear");
    await page.waitForFunction(() => document.getElementById("prediction")?.textContent === "–");
    await page.close();
  });

  it("draws with a finger (touch events)", async () => {
    const page = await open(isolated);
    const before = await lastSeq(page);
    const points = await strokePoints(page, SEVEN);
    const cdp = await launched.context.newCDPSession(page);
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [points[0]!] });
    for (const p of points)
      await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [p] });
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    await page.waitForFunction((seq) => (window.onebitDemo.last?.seq ?? 0) > seq, before);
    const p = (await page.evaluate(() => window.onebitDemo.last))!;
    expect(p.predicted).toBe(7);
    // The page did not scroll or zoom instead of drawing.
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    await page.close();
  });

  it("offers the shipped Fashion-MNIST model and classifies test articles like runtime-node", async () => {
    const fashionPath = resolve(demoDir, "../../models/fmnist-bireal.onebit");
    const fashionNode = await InferenceSession.create(readFileSync(fashionPath), { threads: 1 });
    try {
      const page = await open(plain);
      expect(await page.evaluate(() => window.onebitDemo.models.map((m) => m.name))).toContain(
        "fmnist-bireal",
      );
      await page.evaluate(() => window.onebitDemo.selectModel("fmnist-bireal"));
      expect(await page.textContent("#model-info")).toMatch(/fmnist-bireal, .* on Fashion-MNIST test/);
      expect(await page.textContent("#status")).toMatch(/article of clothing/);
      const fashion = await loadFashionMnist({ split: "test", limit: 4 });
      for (let n = 0; n < fashion.count; n++) {
        const pixels = Array.from(fashion.images.subarray(n * 784, (n + 1) * 784));
        const p = (await page.evaluate((px) => window.onebitDemo.paint(px, 28, 28), pixels))!;
        expect(p.model).toBe("fmnist-bireal");
        // The page's logits are runtime-node's on the bytes the page ran on (float graph: within rounding).
        const r = await fashionNode.run(Uint8Array.from(p.input));
        for (let k = 0; k < 10; k++) expect(p.logits[k]).toBeCloseTo(r.logits[k]!, 4);
        expect(p.predicted).toBe(r.predictions![0]);
        expect(p.top[0]!.label).toBe(FASHION_MNIST_CLASS_NAMES[p.predicted]);
      }
      await page.screenshot({ path: join(artifacts, "demo-fashion.png") });
      await page.close();
    } finally {
      await fashionNode.dispose();
    }
  });

  it("`vite` dev serves the page cross-origin isolated", async () => {
    const server = await createServer({
      root: demoDir,
      logLevel: "warn",
      server: { host: "127.0.0.1", port: 0 },
    });
    await server.listen();
    try {
      const url = server.resolvedUrls!.local[0]!;
      const response = await fetch(url);
      expect(response.headers.get("cross-origin-opener-policy")).toBe("same-origin");
      expect(response.headers.get("cross-origin-embedder-policy")).toBe("require-corp");
      const page = await launched.context.newPage();
      await page.goto(url);
      await page.waitForFunction(() => window.onebitDemo !== undefined, undefined, { timeout: 60_000 });
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      // The dev server serves models/ itself (an ONEBIT_DEMO_MODEL is only beside the built site).
      if (!override) {
        await page.evaluate(() => window.onebitDemo.ready);
        expect(await page.evaluate(() => window.onebitDemo.backend()?.threads)).toBeGreaterThan(1);
      }
      await page.close();
    } finally {
      await server.close();
    }
  });
});
