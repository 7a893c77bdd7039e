import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";

// The `onebit` CLI on bad files, as a user meets them: exit code 1 and one line on stderr naming the
// file and the problem, with the error's code in brackets; no stack trace, nothing on stdout.

const execFileAsync = promisify(execFile);
const cli = join(import.meta.dirname, "..", "src", "cli.ts");
const dir = mkdtempSync(join(tmpdir(), "onebit-cli-bad-"));
const model = join(import.meta.dirname, "..", "..", "..", "models", "mnist-tiny.onebit");
const modelBytes = readFileSync(model);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function onebit(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await execFileAsync(process.execPath, ["--import", "tsx", cli, ...args], {
      cwd: join(import.meta.dirname, ".."),
    });
    return { ...r, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function png(width: number, height: number): Uint8Array {
  return PNG.sync.write(new PNG({ width, height }));
}

/** One line "onebit: <path>…<problem>… [CODE]" on stderr, exit code 1, no stack, no stdout. */
async function expectFailure(args: string[], code: string, ...mentions: (string | RegExp)[]): Promise<void> {
  const r = await onebit(...args);
  const where = `onebit ${args.join(" ")}`;
  expect(r.code, where).toBe(1);
  expect(r.stdout, where).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, where).toHaveLength(1);
  expect(lines[0], where).toMatch(new RegExp(`^onebit: .* \\[${code}\\]$`));
  for (const m of mentions) expect(lines[0], where).toMatch(m);
}

describe("onebit on bad files", () => {
  it("a missing or unreadable model or input file is IO_ERROR naming it", async () => {
    const missing = join(dir, "missing.onebit");
    await expectFailure(["run", missing, file("ok.png", png(28, 28))], "IO_ERROR", missing);
    await expectFailure(["inspect", missing], "IO_ERROR", missing);
    await expectFailure(["bench", missing], "IO_ERROR", missing);
    const image = join(dir, "missing.png");
    await expectFailure(["run", model, image], "IO_ERROR", `cannot read the input file ${image}`);
    await expectFailure(["run", model, dir], "IO_ERROR", `cannot read the input file ${dir}`);
    await expectFailure(
      ["run", model, join(dir, "ok.png"), "--labels", join(dir, "missing-labels")],
      "IO_ERROR",
      "missing-labels",
    );
  });

  it("a truncated, byte-flipped or empty model is INVALID_MODEL naming the file and the problem", async () => {
    const image = file("ok.png", png(28, 28));
    const half = file("half.onebit", modelBytes.subarray(0, modelBytes.length >> 1));
    const flipped = file(
      "flipped.onebit",
      Uint8Array.from(modelBytes, (b, i) => (i === modelBytes.length >> 1 ? b ^ 0x10 : b)),
    );
    const magic = file(
      "magic.onebit",
      Uint8Array.from(modelBytes, (b, i) => (i === 0 ? b ^ 0xff : b)),
    );
    const empty = file("empty.onebit", new Uint8Array(0));
    await expectFailure(["run", half, image], "INVALID_MODEL", half, /declares \d+ bytes but only \d+/);
    await expectFailure(["run", flipped, image], "INVALID_MODEL", flipped, /checksum/);
    await expectFailure(["inspect", flipped], "INVALID_MODEL", flipped, /checksum/);
    await expectFailure(["bench", flipped], "INVALID_MODEL", flipped, /checksum/);
    await expectFailure(["inspect", magic], "INVALID_MODEL", magic, /not a \.onebit file/);
    await expectFailure(["run", empty, image], "INVALID_MODEL", empty, /0 bytes/);
  });

  it("an image of the wrong size, or not an image, names the file and what was expected", async () => {
    const small = file("small.png", png(10, 12));
    await expectFailure(
      ["run", model, small],
      "SHAPE_MISMATCH",
      small,
      /the image is 10×12, the model takes 28×28/,
    );
    const text = file("text.png", "hello");
    await expectFailure(["run", model, text], "INVALID_ARGUMENT", text, /not a readable PNG/);
    const cut = file("cut.png", png(28, 28).subarray(0, 40));
    await expectFailure(["run", model, cut], "INVALID_ARGUMENT", cut, /not a readable PNG/);
    const pgm = file("bad.pgm", "P7\n1 1\n255\n");
    await expectFailure(["run", model, pgm], "INVALID_ARGUMENT", pgm, /not a PGM image/);
  });

  it("an empty, truncated or image-less IDX names the file and the problem", async () => {
    const empty = file("empty-idx3-ubyte", new Uint8Array(0));
    await expectFailure(["run", model, empty], "INVALID_ARGUMENT", empty, /header is truncated/);
    const header = Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28);
    const cut = file("cut-idx3-ubyte", header);
    await expectFailure(["run", model, cut], "INVALID_ARGUMENT", cut, /data is truncated/);
    const none = file("none-idx3-ubyte", Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28));
    await expectFailure(["run", model, none], "INVALID_ARGUMENT", none, /holds no images/);
    const labels = file("labels-idx1-ubyte", Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 5, 1, 2));
    await expectFailure(
      ["run", model, file("ok.png", png(28, 28)), "--labels", labels],
      "INVALID_ARGUMENT",
      labels,
      /truncated/,
    );
  });
});

describe("onebit refuses inputs past a limit, naming the limit, the value and the option", () => {
  it("the 69-byte PNG that aborted the process (SIGABRT) is one typed error line", async () => {
    const b1 = file(
      "b1.png",
      Buffer.from(
        "89504e470d0a1a0a0000000d494844527fffffff7fffffff080600000014c90b660000000c49444154789c6360a00c000000400001b7347cef0000000049454e44ae426082",
        "hex",
      ),
    );
    await expectFailure(
      ["run", model, b1],
      "LIMIT_EXCEEDED",
      b1,
      /2147483647×2147483647/,
      /--max-image-side/,
    );
  });

  it("a 21-byte PGM declaring 100000×100000 pixels and an over-budget image name --max-pixels", async () => {
    const huge = file("huge.pgm", "P5 100000 100000 255\n");
    await expectFailure(["run", model, huge], "LIMIT_EXCEEDED", huge, /100000×100000/, /--max-image-side/);
    const big = file("big.png", png(28, 28));
    await expectFailure(
      ["run", model, big, "--max-pixels", "783"],
      "LIMIT_EXCEEDED",
      big,
      /784 pixels, more than the limit of 783/,
      /--max-pixels/,
    );
    const r = await onebit("run", model, big, "--max-pixels", "784", "--max-image-side", "28", "--json");
    expect(r.code, r.stderr).toBe(0);
  });

  it("a file larger than any image within --max-pixels can take is refused before it is read", async () => {
    const path = join(dir, "huge-idx3-ubyte");
    writeFileSync(path, "");
    truncateSync(path, 17 << 20); // sparse: 17 MiB of nothing, no disk used
    await expectFailure(
      ["run", model, path, "--max-pixels", "1000"],
      "LIMIT_EXCEEDED",
      path,
      /the file is 17825792 bytes, more than the 16785216 bytes/,
      /--max-pixels/,
    );
  });

  it("bench --batch 10000000 names the input limit instead of 'Invalid typed array length'", async () => {
    await expectFailure(
      ["bench", model, "--batch", "1,10000000"],
      "LIMIT_EXCEEDED",
      /batch 10000000/,
      /limit of 268435456 bytes/,
      /--max-input-bytes/,
    );
    // Raised past what a typed array holds: still one typed line, never "Invalid typed array length".
    await expectFailure(
      ["bench", model, "--batch", "10000000", "--max-input-bytes", String(2 ** 40)],
      "INVALID_ARGUMENT",
      /more than one typed array can hold/,
    );
  });
});

describe("onebit and the runtime's limits", () => {
  it("a model beyond a limit is LIMIT_EXCEEDED naming the flag that raises it; none lifts the cap", async () => {
    const image = file("ok.pgm", Buffer.concat([Buffer.from("P5 28 28 255\n"), new Uint8Array(784)]));
    for (const command of [
      ["run", model, image],
      ["bench", model, "--time", "1", "--iterations", "1"],
    ]) {
      await expectFailure(
        [...command, "--max-plan-bytes", "100000"],
        "LIMIT_EXCEEDED",
        /the plan needs \d+ bytes/,
        /maxPlanBytes = 100000/,
        /\(onebit: --max-plan-bytes \d+\)/,
      );
      await expectFailure([...command, "--max-macs", "1000"], "LIMIT_EXCEEDED", /--max-macs \d+/);
    }
    const r = await onebit("run", model, image, "--max-macs", "none", "--max-plan-bytes", "none", "--json");
    expect(r.code, r.stderr).toBe(0);
  });

  it("inspect shows the cost per sample and the limits in force, and describes a model beyond them", async () => {
    const r = await onebit("inspect", model);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^cost per sample: .* binary MACs, .* 8-bit MACs, .* float MACs, .* comparisons/m,
    );
    expect(r.stdout).toContain("limits in force");
    for (const flag of [
      "--max-macs",
      "--max-comparisons",
      "--max-plan-bytes",
      "--max-result-bytes",
      "--max-pixels",
      "--max-image-side",
      "--max-input-bytes",
    ])
      expect(r.stdout).toContain(flag);
    const over = await onebit("inspect", model, "--max-macs", "1000");
    expect(over.code, over.stderr).toBe(0);
    expect(over.stdout).toMatch(/^EXCEEDS maxMacsPerSample: .*limit 1000; raise with --max-macs \d+\)$/m);
    const json = JSON.parse((await onebit("inspect", model, "--json", "--max-plan-bytes", "100000")).stdout);
    expect(json.limits).toMatchObject({ maxPlanBytes: 100000, maxPixels: 2 ** 26, maxImageSide: 16384 });
    expect(json.violations.map((v: { limit: string }) => v.limit)).toEqual(["maxPlanBytes"]);
    expect(json.cost.binaryMacs).toBeGreaterThan(0);
  });
});

describe("onebit when its reader goes away", () => {
  it("stops quietly (exit 0, nothing on stderr) when stdout closes mid-output, as with `| head -1`", async () => {
    const count = 3000;
    const images = new Uint8Array(16 + count * 784);
    images.set([0, 0, 8, 3, 0, 0, count >> 8, count & 255, 0, 0, 0, 28, 0, 0, 0, 28]);
    const idx = file("many-idx3-ubyte", images);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", cli, "run", model, idx, "--limit", `${count}`],
      {
        cwd: join(import.meta.dirname, ".."),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    // Close our end after the first line: the CLI's later writes fail with EPIPE.
    child.stdout.once("data", () => child.stdout.destroy());
    const [code] = await once(child, "exit");
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
