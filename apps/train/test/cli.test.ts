import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { defaultOutPath, parseArgs, REPO_ROOT } from "../src/cli.js";
import { resolveConfig } from "../src/config.js";
import { TrainError } from "../src/errors.js";
import { PRESETS } from "../src/presets.js";

const cwd = "/somewhere/else";

describe("parseArgs", () => {
  it("uses the preset's defaults", () => {
    const o = parseArgs(["--preset", "mnist-conv"], cwd);
    expect(o.config).toEqual({
      preset: "mnist-conv",
      seed: 1,
      width: 1,
      limit: undefined,
      testLimit: undefined,
      ...PRESETS["mnist-conv"].defaults,
    });
    expect(o.config.augment).toBe(2);
    expect(o.out).toBeUndefined();
    expect(defaultOutPath(o.config)).toBe(join(REPO_ROOT, "apps/train/out", "mnist-conv.onebit"));
    expect(o.checkpointDir).toBe(join(REPO_ROOT, "apps/train/checkpoints"));
    expect(o.resume).toBeUndefined();
    expect(o.explicit).toEqual({});
    expect(o.threads).toBe(availableParallelism());
    expect(parseArgs(["--preset", "mnist-tiny", "--threads", "auto"], cwd).threads).toBeGreaterThanOrEqual(1);
  });

  it("applies every flag", () => {
    const o = parseArgs(
      [
        "-p",
        "mnist-mlp",
        "--epochs",
        "7",
        "--batch-size",
        "50",
        "--lr",
        "1e-2",
        "--schedule",
        "exponential",
        "--final-lr",
        "3e-7",
        "--seed",
        "42",
        "--augment",
        "1",
        "--width",
        "0.5",
        "--limit",
        "1000",
        "--test-limit",
        "200",
        "--reference-check",
        "50",
        "--threads",
        "2",
        "--recalibrate-bn",
        "100",
        "--out",
        "runs/a.onebit",
        "--checkpoint-dir",
        "ck",
        "--keep-checkpoints",
        "3",
        "-q",
      ],
      cwd,
    );
    expect(o.config).toEqual({
      preset: "mnist-mlp",
      epochs: 7,
      batchSize: 50,
      learningRate: 0.01,
      schedule: "exponential",
      finalLearningRate: 3e-7,
      seed: 42,
      augment: 1,
      width: 0.5,
      limit: 1000,
      testLimit: 200,
    });
    expect(o.out).toBe("/somewhere/else/runs/a.onebit");
    expect(o.checkpointDir).toBe("/somewhere/else/ck");
    expect(o.keepCheckpoints).toBe(3);
    expect(o.referenceCheck).toBe(50);
    expect(o.threads).toBe(2);
    expect(o.recalibrateBatches).toBe(100);
    expect(o.quiet).toBe(true);
  });

  it("writes every run, full or subset, to a git-ignored folder unless --out says otherwise", () => {
    for (const args of [
      ["--preset", "mnist-tiny", "--limit", "500"],
      ["--preset", "mnist-conv"],
    ]) {
      const o = parseArgs(args, cwd);
      const out = defaultOutPath(o.config);
      expect(out.startsWith(join(REPO_ROOT, "apps/train/out"))).toBe(true);
      for (const file of [out, out.replace(/\.onebit$/, ".report.json"), out.replace(/\.onebit$/, ".svg")]) {
        const ignored = spawnSync("git", ["check-ignore", "-q", file], { cwd: REPO_ROOT });
        expect(ignored.status, `${file} must be git-ignored`).toBe(0);
      }
    }
    const checkpoints = parseArgs(["--preset", "mnist-tiny"], cwd).checkpointDir!;
    expect(
      spawnSync("git", ["check-ignore", "-q", join(checkpoints, "x.safetensors")], { cwd: REPO_ROOT }).status,
    ).toBe(0);
    expect(parseArgs(["--preset", "mnist-tiny", "--out", "models/mnist-tiny.onebit"], REPO_ROOT).out).toBe(
      join(REPO_ROOT, "models/mnist-tiny.onebit"),
    );
  });

  it("turns augmentation and checkpoints off", () => {
    const o = parseArgs(["--preset", "mnist-conv", "--no-augment", "--no-checkpoints"], cwd);
    expect(o.config.augment).toBe(0);
    expect(o.checkpointDir).toBeNull();
  });

  it("records the explicit flags of a resume, resolved against cwd", () => {
    const o = parseArgs(["--resume", "ck/x.safetensors", "--epochs", "20"], cwd);
    expect(o.resume).toBe("/somewhere/else/ck/x.safetensors");
    expect(o.explicit).toEqual({ epochs: 20 });
  });

  it.each([
    [["--preset", "mnist-huge"]],
    [["--preset", "mnist-tiny", "--epochs", "2.5"]],
    [["--preset", "mnist-tiny", "--epochs", "ten"]],
    [["--preset", "mnist-tiny", "--lr", "fast"]],
    [["--preset", "mnist-tiny", "--schedule", "linear"]],
    [["--preset", "mnist-tiny", "--bogus"]],
    [["--preset"]],
    [["--preset", "mnist-tiny", "extra"]],
    [["--preset", "mnist-tiny", "--threads", "0"]],
    [["--preset", "mnist-tiny", "--threads", "many"]],
  ])("rejects malformed flags %j with a CommanderError", (argv) => {
    expect(() => parseArgs(argv, cwd)).toThrow(CommanderError);
  });

  it.each([
    [[], /--preset/],
    [["--preset", "mnist-tiny", "--epochs", "0"], /epochs must be a positive integer, got 0/],
    [["--preset", "mnist-tiny", "--lr", "-1"], /learning rate must be a positive number/],
    [["--preset", "mnist-tiny", "--schedule", "exponential"], /final learning rate > 0/],
    [["--preset", "mnist-tiny", "--augment", "9"], /augment .* 0…8, got 9/],
    [["--preset", "mnist-tiny", "--width", "0"], /width must be in/],
    [["--preset", "mnist-tiny", "--keep-checkpoints", "0"], /at least 1/],
    [["--preset", "mnist-tiny", "--reference-check", "-1"], /reference-check must be ≥ 0/],
    [["--preset", "mnist-tiny", "--recalibrate-bn", "-5"], /recalibrate-bn must be ≥ 0/],
  ])("rejects inconsistent settings %j with a TrainError", (argv, message) => {
    let error: unknown;
    try {
      parseArgs(argv, cwd);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrainError);
    expect((error as TrainError).code).toBe("INVALID_ARGUMENT");
    expect((error as Error).message).toMatch(message);
  });
});

describe("--help", () => {
  it("writes the flags and the presets, then stops", () => {
    let text = "";
    expect(() => parseArgs(["--help"], cwd, (t) => (text += t))).toThrow(
      expect.objectContaining({ code: "commander.helpDisplayed" }),
    );
    for (const flag of [
      "--preset",
      "--epochs",
      "--batch-size",
      "--lr",
      "--schedule",
      "--seed",
      "--augment",
      "--resume",
      "--limit",
      "--out",
    ])
      expect(text).toContain(flag);
    expect(text).toContain("mnist-conv");
  });
});

describe("resolveConfig", () => {
  it("ignores undefined overrides", () => {
    expect(resolveConfig("mnist-tiny", { epochs: undefined }).epochs).toBe(
      PRESETS["mnist-tiny"].defaults.epochs,
    );
  });
});
