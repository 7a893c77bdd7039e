import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fitDrawing } from "@onebit/datasets";
import { loadMnist } from "@onebit/datasets/node";
import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import { fitImages, resolveFitStyle } from "../src/fit-images.js";
import { InferenceSession } from "../src/index.js";

// `onebit run --fit`: a drawing of any size (here real MNIST test digits painted 10× larger, light on
// dark and dark on light) is prepared by the same fitDrawing the web demo's code lives beside, and
// classified exactly as the API classifies that prepared input. Without --fit, a wrong-size image
// points to --fit and a dark-on-light image gets a note.

const run = promisify(execFile);
const cli = join(import.meta.dirname, "..", "src", "cli.ts");
const dir = mkdtempSync(join(tmpdir(), "onebit-cli-fit-"));
const model = join(import.meta.dirname, "..", "..", "..", "models", "mnist-tiny.onebit");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function onebit(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, ["--import", "tsx", cli, ...args], {
      cwd: join(import.meta.dirname, ".."),
    });
    return { ...r, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

/** A 28×28 digit painted `factor`× larger as an opaque grey PNG (optionally dark on light). */
function paintedPng(
  digit: Uint8Array,
  factor: number,
  darkOnLight: boolean,
): { png: Buffer; grey: Uint8Array } {
  const side = 28 * factor;
  const p = new PNG({ width: side, height: side });
  const grey = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = digit[Math.floor(y / factor) * 28 + Math.floor(x / factor)]!;
      const g = darkOnLight ? 255 - v : v;
      grey[y * side + x] = g;
      p.data.set([g, g, g, 255], 4 * (y * side + x));
    }
  }
  return { png: PNG.sync.write(p), grey };
}

describe("onebit run --fit", () => {
  it("classifies 280×280 drawings, light-on-dark or dark-on-light, as the API does on the fitted input", async () => {
    const { images } = await loadMnist({ split: "test", limit: 4 });
    const session = await InferenceSession.create(readFileSync(model), { threads: 1 });
    try {
      for (let n = 0; n < 4; n++) {
        const digit = images.subarray(n * 784, (n + 1) * 784);
        const light = paintedPng(digit, 10, false);
        const dark = paintedPng(digit, 10, true);
        const fitted = fitDrawing({ width: 280, height: 280, data: light.grey }).data!;
        const expected = (await session.run(fitted)).top(3, 0).map((t) => t.index);
        for (const [name, painted] of [
          [`light-${n}.png`, light],
          [`dark-${n}.png`, dark],
        ] as const) {
          const path = join(dir, name);
          writeFileSync(path, painted.png);
          const r = await onebit("run", model, path, "--fit", "--json", "--threads", "1");
          expect(r.code, r.stderr).toBe(0);
          const top = JSON.parse(r.stdout).results[0].top.map((t: { index: number }) => t.index);
          expect(top, name).toEqual(expected);
          if (name.startsWith("dark"))
            expect(r.stderr).toContain(
              `onebit: note: ${path}: the image looked dark-on-light: inverted by --fit`,
            );
          else expect(r.stderr).toBe("");
        }
      }
    } finally {
      await session.dispose();
    }
  });

  it("fits dark strokes on a transparent sheet (as drawing apps export them) like the same strokes on white", async () => {
    const { images } = await loadMnist({ split: "test", limit: 1 });
    const digit = images.subarray(0, 784);
    const sheet = new PNG({ width: 280, height: 280 });
    for (let i = 0; i < 280 * 280; i++) {
      const v = digit[Math.floor(i / 280 / 10) * 28 + Math.floor((i % 280) / 10)]!;
      sheet.data.set([0, 0, 0, v], 4 * i); // black ink, coverage in alpha
    }
    const transparent = join(dir, "transparent.png");
    writeFileSync(transparent, PNG.sync.write(sheet));
    const onWhite = join(dir, "on-white.png");
    writeFileSync(onWhite, paintedPng(digit, 10, true).png);
    const a = await onebit("run", model, transparent, "--fit", "--json", "--threads", "1");
    const b = await onebit("run", model, onWhite, "--fit", "--json", "--threads", "1");
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).results[0].top).toEqual(JSON.parse(b.stdout).results[0].top);
    expect(a.stderr).toContain("looked dark-on-light: inverted by --fit");
  });

  it("--fit-style fashion-mnist prepares as Fashion-MNIST was; auto follows the model's provenance", async () => {
    const { images } = await loadMnist({ split: "test", limit: 1 });
    const painted = paintedPng(images.subarray(0, 784), 10, true);
    const path = join(dir, "article.png");
    writeFileSync(path, painted.png);
    const session = await InferenceSession.create(readFileSync(model), { threads: 1 });
    try {
      for (const style of ["fashion-mnist", "mnist"] as const) {
        const fitted = fitDrawing({ width: 280, height: 280, data: painted.grey }, { style }).data!;
        const expected = (await session.run(fitted)).top(3, 0);
        const r = await onebit("run", model, path, "--fit", "--fit-style", style, "--json", "--threads", "1");
        expect(r.code, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout).results[0].top).toEqual(JSON.parse(JSON.stringify(expected)));
      }
    } finally {
      await session.dispose();
    }
    expect(resolveFitStyle("auto", "Fashion-MNIST (Debian dataset-fashion-mnist)")).toBe("fashion-mnist");
    expect(resolveFitStyle("auto", "MNIST")).toBe("mnist");
    expect(resolveFitStyle("auto", undefined)).toBe("mnist");
    const bad = await onebit("run", model, path, "--fit", "--fit-style", "cifar");
    expect(bad.stderr).toBe(
      "onebit: --fit-style cifar: expected one of auto, mnist, fashion-mnist [INVALID_ARGUMENT]\n",
    );
  });

  it("without --fit, a drawing of another size is refused with a pointer to --fit", async () => {
    const { images } = await loadMnist({ split: "test", limit: 1 });
    const path = join(dir, "big.png");
    writeFileSync(path, paintedPng(images.subarray(0, 784), 10, false).png);
    const r = await onebit("run", model, path);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /the image is 280×280, the model takes 28×28.*--fit prepares a drawing of any size.*\[SHAPE_MISMATCH\]/,
    );
  });

  it("says when an image looks inverted, and not when --invert is given or it is not", async () => {
    const { images } = await loadMnist({ split: "test", limit: 1 });
    const dark = join(dir, "dark28.png");
    writeFileSync(dark, paintedPng(images.subarray(0, 784), 1, true).png);
    const r = await onebit("run", model, dark, "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      `onebit: note: ${dark}: the image looks inverted (dark strokes on a light background; the model expects light on dark): add --invert, or --fit\n`,
    );
    expect(JSON.parse(r.stdout).results).toHaveLength(1); // stdout stays clean JSON
    expect((await onebit("run", model, dark, "--invert")).stderr).toBe("");
    const light = join(dir, "light28.png");
    writeFileSync(light, paintedPng(images.subarray(0, 784), 1, false).png);
    expect((await onebit("run", model, light)).stderr).toBe("");
  });

  it("refuses a blank image and a model that does not take square grey images", async () => {
    const blank = join(dir, "blank.png");
    const p = new PNG({ width: 50, height: 40 });
    p.data.fill(255);
    writeFileSync(blank, PNG.sync.write(p));
    const r = await onebit("run", model, blank, "--fit");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `onebit: ${blank}: the image is blank (background only): nothing to fit [INVALID_ARGUMENT]\n`,
    );
    const images = { count: 1, width: 2, height: 2, channels: 1, data: new Uint8Array(4) };
    for (const shape of [[28, 28, 3], [28, 14, 1], [700]]) {
      expect(() => fitImages(images, { shape }, "x.png", false)).toThrow(
        expect.objectContaining({
          code: "SHAPE_MISMATCH",
          message: expect.stringContaining("one square grey image"),
        }),
      );
    }
  });
});

describe("onebit --version and --help", () => {
  it("prints the package version", async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8"));
    for (const flag of ["--version", "-v"]) {
      const r = await onebit(flag);
      expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
    }
  });

  it("shows examples and the limits with their options", async () => {
    const r = await onebit("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toMatch(/onebit run \S+ drawing\.png --fit/);
    for (const option of ["--max-pixels", "--max-image-side", "--max-input-bytes"])
      expect(r.stdout).toContain(option);
  });
});
