import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { IMAGENET_CLASSES } from "@tensorflow-models/mobilenet/dist/imagenet_classes.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The independent preprocessing written for @onebit/lce's own photo tests (decoders + Larq Zoo's recipe).
import { larqZooPreprocess, readPhoto } from "../../lce/test/photo.js";
import { loadImagenetLabels, loadLce } from "../src/convert-command.js";
import { InferenceSession } from "../src/index.js";

// `onebit convert` on the QuickNet fixture of @onebit/lce (QuickNet from Larq Zoo, converted by Larq
// Compute Engine; see packages/lce/test/fixtures/README.md), then `onebit run` on its two photographs:
// the CLI's decoding and preprocessing must give what an independently written pipeline gives.

const run = promisify(execFile);
const cli = join(import.meta.dirname, "..", "src", "cli.ts");
const fixtures = join(import.meta.dirname, "..", "..", "lce", "test", "fixtures");
const tflite = join(fixtures, "larq-quicknet.tflite");
const dir = mkdtempSync(join(tmpdir(), "onebit-convert-"));
const model = join(dir, "quicknet.onebit");
const labels = Array.from({ length: 1000 }, (_, i) => IMAGENET_CLASSES[i]!);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function onebit(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, ["--import", "tsx", cli, ...args], {
      cwd: join(import.meta.dirname, ".."),
      maxBuffer: 1 << 24,
    });
    return { ...r, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe("onebit convert", () => {
  let report: string;
  beforeAll(async () => {
    writeFileSync(join(dir, "labels.txt"), `${labels.join("\n")}\n`);
    const r = await onebit("convert", tflite, "-o", model, "--labels", join(dir, "labels.txt"));
    expect(r.code, r.stderr).toBe(0);
    report = r.stdout;
  });

  it("prints what it found and writes a model that keeps the source, labels and preprocessing", async () => {
    expect(report).toMatch(/LceBconv2d ×13/);
    expect(report).toMatch(/9\.99 M 1-bit, 0\.52 M 32-bit/);
    expect(report).toMatch(/1\.243 G binary/);
    expect(report).toMatch(/→ batchNorm/);
    expect(report).toMatch(/labels: 1000/);
    const session = await InferenceSession.create(model, { threads: 1 });
    try {
      expect(session.metadata.name).toBe("larq-quicknet");
      expect(session.metadata.extra?.["source"]).toBe("larq-quicknet.tflite");
      expect(session.metadata.extra?.["preprocessing.resize"]).toBe("bicubic");
      expect(session.outputInfo.labels).toEqual(labels);
      expect(session.inputInfo.shape).toEqual([224, 224, 3]);
    } finally {
      await session.dispose();
    }
    // `inspect` treats it like any other model file.
    const inspect = await onebit("inspect", model);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toMatch(/format 2\.0/);
    expect(inspect.stdout).toMatch(/1000 classes \(tench/);
    expect(inspect.stdout).toMatch(/parameters: 9\.99 M binary/);
    // Atomic save: nothing but the model is left in the folder (no temporary file).
    expect(readdirSync(dir).sort()).toEqual(["labels.txt", "quicknet.onebit"]);
  });

  it("runs photos as an independently written pipeline does: Egyptian cat for chelsea.png", async () => {
    const r = await onebit(
      "run",
      model,
      join(fixtures, "chelsea.png"),
      join(fixtures, "rocket.jpg"),
      "--top",
      "5",
      "--json",
      "--threads",
      "1",
    );
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout).results as {
      top: { index: number; label: string; probability: number }[];
    }[];
    expect(results[0]!.top[0]!.label).toBe("Egyptian cat");
    const session = await InferenceSession.create(model, { threads: 1 });
    try {
      for (const [k, file] of ["chelsea.png", "rocket.jpg"].entries()) {
        const expected = (await session.run(larqZooPreprocess(readPhoto(file)))).top(5, 0);
        expect(results[k]!.top.map((t) => t.index)).toEqual(expected.map((t) => t.index));
        for (const [i, t] of expected.entries())
          expect(results[k]!.top[i]!.probability).toBeCloseTo(t.probability, 3);
      }
    } finally {
      await session.dispose();
    }
    const text = await onebit("run", model, join(fixtures, "chelsea.png"), "--top", "2", "--threads", "1");
    expect(text.stdout).toMatch(/^chelsea\.png: Egyptian cat {2}\(Egyptian cat \d+\.\d%/);
  });

  it("refuses labels that do not match the output, a missing file and a bad recipe, writing nothing", async () => {
    writeFileSync(join(dir, "three.txt"), "a\nb\nc\n");
    const out = join(dir, "bad.onebit");
    const wrong = await onebit("convert", tflite, "-o", out, "--labels", join(dir, "three.txt"));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/labels.*\[[A-Z_]+\]\n$/);
    const missing = await onebit("convert", join(dir, "nope.tflite"), "-o", out);
    expect(missing.stderr).toMatch(/nope\.tflite.*\[IO_ERROR\]/);
    const recipe = await onebit("convert", tflite, "-o", out, "--preprocessing", "vgg");
    expect(recipe.stderr).toMatch(/--preprocessing.*"vgg".*\[INVALID_ARGUMENT\]/);
    const notTflite = await onebit("convert", join(fixtures, "chelsea.png"), "-o", out);
    expect(notTflite.code).toBe(1);
    expect(notTflite.stderr).toMatch(/chelsea\.png: .*\[[A-Z_]+\]\n$/);
    expect(existsSync(out)).toBe(false);
  });
});

describe("optional packages", () => {
  const notFound = (name: string) => () =>
    Promise.reject(
      Object.assign(new Error(`Cannot find package '${name}'`), { code: "ERR_MODULE_NOT_FOUND" }),
    );

  it("asks for @onebit/lce when it is not installed", async () => {
    const error = await loadLce(notFound("@onebit/lce")).catch((e) => e);
    expect(error.code).toBe("UNSUPPORTED_MODEL");
    expect(error.message).toMatch(/npm install @onebit\/lce/);
    // Other failures are not mistaken for a missing package.
    const other = await loadLce(() => Promise.reject(new TypeError("boom"))).catch((e) => e);
    expect(other).toBeInstanceOf(TypeError);
  });

  it("asks for @tensorflow-models/mobilenet for --imagenet-labels, and reads its 1000 names", async () => {
    const error = await loadImagenetLabels(notFound("@tensorflow-models/mobilenet")).catch((e) => e);
    expect(error.code).toBe("UNSUPPORTED_MODEL");
    expect(error.message).toMatch(/npm install @tensorflow-models\/mobilenet/);
    expect(await loadImagenetLabels()).toEqual(labels);
    const broken = await loadImagenetLabels(async () => ({ IMAGENET_CLASSES: { 0: "tench" } })).catch(
      (e) => e,
    );
    expect(broken.code).toBe("INVALID_ARGUMENT");
  });
});
