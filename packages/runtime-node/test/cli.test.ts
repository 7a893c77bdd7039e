import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { writeIdx } from "@onebit/datasets";
import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import { Engine } from "../src/index.js";
import { mnistMlp, mnistMlpBytes, Rng } from "./models.js";

const run = promisify(execFile);
const cli = join(import.meta.dirname, "..", "src", "cli.ts");
const dir = mkdtempSync(join(tmpdir(), "onebit-cli-"));
const model = join(dir, "mlp.onebit");
writeFileSync(model, mnistMlpBytes());
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

const digits = new Rng(9).bytes(784 * 5);
const engine = Engine.createSync(mnistMlp());
const expected = engine.runSync(digits);

function png(pixels: Uint8Array): Buffer {
  const p = new PNG({ width: 28, height: 28 });
  for (let i = 0; i < 784; i++) p.data.set([pixels[i]!, pixels[i]!, pixels[i]!, 255], 4 * i);
  return PNG.sync.write(p);
}

describe("onebit run", () => {
  it("classifies a PNG, a binary and an ASCII PGM like the API does", async () => {
    const one = digits.subarray(0, 784);
    writeFileSync(join(dir, "a.png"), png(one));
    writeFileSync(
      join(dir, "a.pgm"),
      Buffer.concat([Buffer.from("P5\n# digit\n28 28\n255\n"), Buffer.from(one)]),
    );
    writeFileSync(join(dir, "b.pgm"), `P2\n28 28\n255\n${Array.from(one).join(" ")}\n`);
    const top = expected.top(2, 0);
    for (const file of ["a.png", "a.pgm", "b.pgm"]) {
      const r = await onebit("run", model, join(dir, file), "--json", "--top", "2", "--threads", "1");
      expect(r.code, r.stderr).toBe(0);
      const json = JSON.parse(r.stdout);
      expect(json.results).toHaveLength(1);
      expect(json.results[0].top.map((t: { index: number }) => t.index)).toEqual(top.map((t) => t.index));
      expect(json.results[0].top[0].probability).toBeCloseTo(top[0]!.probability, 6);
    }
    const text = await onebit("run", model, join(dir, "a.png"), "--top", "3");
    expect(text.stdout).toMatch(new RegExp(`^a\\.png: ${top[0]!.label}  \\(`));
  });

  it("takes --backend native (the Node-API kernels) with the same answer, or names why it cannot", async () => {
    writeFileSync(join(dir, "n.png"), png(digits.subarray(0, 784)));
    const r = await onebit("run", model, join(dir, "n.png"), "--json", "--top", "1", "--backend", "native");
    const nativeHere = process.platform === "linux" && process.arch === "x64";
    if (nativeHere) {
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).results[0].top[0].index).toBe(expected.top(1, 0)[0]!.index);
    } else {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/native/);
    }
  });

  it("runs an IDX file of images and reports accuracy against IDX labels", async () => {
    writeFileSync(join(dir, "images.idx"), writeIdx({ dtype: "uint8", shape: [5, 28, 28], data: digits }));
    const labels = Uint8Array.from(expected.predictions!.map((p, i) => (i === 4 ? (p + 1) % 10 : p)));
    writeFileSync(join(dir, "labels.idx"), writeIdx({ dtype: "uint8", shape: [5], data: labels }));
    const r = await onebit(
      "run",
      model,
      join(dir, "images.idx"),
      "--labels",
      join(dir, "labels.idx"),
      "--json",
    );
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.results.map((x: { top: { index: number }[] }) => x.top[0]!.index)).toEqual(
      Array.from(expected.predictions!),
    );
    expect(json).toMatchObject({ correct: 4, total: 5, accuracy: 0.8 });
    const text = await onebit(
      "run",
      model,
      join(dir, "images.idx"),
      "--labels",
      join(dir, "labels.idx"),
      "--limit",
      "2",
    );
    expect(text.stdout).toMatch(/images\.idx\[0\]/);
    expect(text.stdout).toMatch(/… 3 more/);
    expect(text.stdout).toMatch(/accuracy: 4\/5 = 80\.00 %/);
  });

  it("reads gzip-compressed IDX images and labels (as MNIST and Fashion-MNIST ship) like the plain files", async () => {
    const images = writeIdx({ dtype: "uint8", shape: [5, 28, 28], data: digits });
    const labels = writeIdx({ dtype: "uint8", shape: [5], data: Uint8Array.from(expected.predictions!) });
    writeFileSync(join(dir, "images-idx3-ubyte.gz"), gzipSync(images));
    writeFileSync(join(dir, "labels-idx1-ubyte.gz"), gzipSync(labels));
    const args = ["--labels", join(dir, "labels-idx1-ubyte.gz"), "--json", "--threads", "1"];
    const r = await onebit("run", model, join(dir, "images-idx3-ubyte.gz"), ...args);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ correct: 5, total: 5 });
    // The pixel budget: precisely once decoded, and from the header (at up to 4 bytes per pixel)
    // before anything is inflated.
    const over = await onebit("run", model, join(dir, "images-idx3-ubyte.gz"), "--max-pixels", "3000");
    expect(over.stderr).toMatch(
      /5 images of 28×28 = 3920 pixels, more than the limit of 3000 .*\[LIMIT_EXCEEDED\]\n$/,
    );
    const capped = await onebit("run", model, join(dir, "images-idx3-ubyte.gz"), "--max-pixels", "900");
    expect(capped.code).toBe(1);
    expect(capped.stderr).toMatch(
      /images-idx3-ubyte\.gz: the IDX header declares more image data than the limit of 900 pixels.*--max-pixels.*\[LIMIT_EXCEEDED\]\n$/,
    );
    // A gzip that inflates past its header stops there: one typed line.
    writeFileSync(
      join(dir, "bomb-idx3-ubyte.gz"),
      gzipSync(Buffer.concat([images, new Uint8Array(8 << 20)])),
    );
    const bomb = await onebit("run", model, join(dir, "bomb-idx3-ubyte.gz"));
    expect(bomb.code).toBe(1);
    expect(bomb.stderr).toMatch(
      /^onebit: .*bomb-idx3-ubyte\.gz: .*inflated data runs past the 3920 data bytes.*\[TRAILING_BYTES\] \[INVALID_ARGUMENT\]\n$/,
    );
  });

  it("fails clearly on a wrong-size image, a corrupt model and bad flags", async () => {
    const small = new PNG({ width: 20, height: 20 });
    writeFileSync(join(dir, "small.png"), PNG.sync.write(small));
    const r = await onebit("run", model, join(dir, "small.png"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the image is 20×20, the model takes 28×28/);
    writeFileSync(join(dir, "bad.onebit"), "ONEBIT but not really");
    const bad = await onebit("inspect", join(dir, "bad.onebit"));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^onebit: /);
    const flag = await onebit("bench", model, "--batch", "zero");
    expect(flag.code).not.toBe(0);
    expect(flag.stderr).toMatch(/positive integer/);
  });
});

describe("onebit inspect and bench", () => {
  it("inspect lists ops, shapes, sizes and metadata", async () => {
    const r = await onebit("inspect", model);
    expect(r.code, r.stderr).toBe(0);
    for (const text of [
      "test-mlp",
      // A version 1 file is described as the graph it runs as (version 2 op names).
      "bitPlaneDense",
      "bdense",
      "bits [64]",
      "float32 [10]",
      "10 classes",
      "smaller",
    ]) {
      expect(r.stdout).toContain(text);
    }
    const json = JSON.parse((await onebit("inspect", model, "--json")).stdout);
    expect(json.nodes.map((n: { op: string }) => n.op)).toContain("bitPlaneDense");
    expect(json.totals.binaryParams).toBe(784 * 64 + 64 * 64 + 64 * 10);
  });

  it("bench reports latency percentiles and throughput per batch size", async () => {
    const r = await onebit(
      "bench",
      model,
      "--batch",
      "1,3",
      "--threads",
      "2",
      "--iterations",
      "5",
      "--time",
      "50",
      "--json",
    );
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.reports).toHaveLength(2);
    for (const rep of json.reports) {
      expect(rep.threads).toBe(2);
      expect(rep.iterations).toBeGreaterThanOrEqual(5);
      expect(rep.latencyMs.p50).toBeGreaterThan(0);
      expect(rep.latencyMs.p99).toBeGreaterThanOrEqual(rep.latencyMs.p50);
      expect(rep.samplesPerSecond).toBeGreaterThan(0);
    }
    const text = await onebit(
      "bench",
      model,
      "--iterations",
      "3",
      "--time",
      "20",
      "--threads",
      "1",
      "--profile",
    );
    expect(text.stdout).toMatch(/batch +1: latency p50 [\d.]+ ms, p90 .* samples\/s/);
    expect(text.stdout).toMatch(/fc0 +encodePlanes +1 +[\d.]+ +[\d.]+ %/);
    expect(text.stdout).toMatch(/logits +gemm/);
  });
});
