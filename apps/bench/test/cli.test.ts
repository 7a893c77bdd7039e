import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CliError, parseCli } from "../src/cli.js";

const env = { INIT_CWD: "/home/user/onebit" };
const parse = (...args: string[]) => parseCli(args, env, "/elsewhere");

function cliError(f: () => unknown): CliError {
  try {
    f();
  } catch (e) {
    if (e instanceof CliError) return e;
    throw e;
  }
  throw new Error("expected a CliError");
}

describe("CLI flags", () => {
  it("defaults: quick, all cores, no filter, human output, bench-results/ where pnpm was run", () => {
    expect(parse()).toEqual({
      mode: "quick",
      threads: os.availableParallelism(),
      json: false,
      outDir: path.resolve("/home/user/onebit", "bench-results"),
      list: false,
    });
  });

  it("uses the current directory when not run through pnpm", () => {
    expect(parseCli([], {}, "/work/x").outDir).toBe(path.resolve("/work/x", "bench-results"));
  });

  it("--full, --quick, --json, --threads, --out, --filter", () => {
    const o = parse("--full", "--json", "--threads", "3", "--out", "/tmp/r", "--filter", "GEMM/.*4096");
    expect(o.mode).toBe("full");
    expect(o.json).toBe(true);
    expect(o.threads).toBe(3);
    expect(o.outDir).toBe("/tmp/r");
    expect(o.filter?.test("gemm/64x4096x4096/ort-1t")).toBe(true);
    expect(o.filter?.test("conv/128C3@32x32/ort-1t")).toBe(false);
    expect(parse("--quick").mode).toBe("quick");
    expect(parse("--list").list).toBe(true);
    expect(parse("--threads=1").threads).toBe(1);
    expect(parse("--out", "results").outDir).toBe(path.resolve("/home/user/onebit", "results"));
  });

  it("accepts the '--' that `pnpm bench -- --full` passes through", () => {
    expect(parse("--", "--full").mode).toBe("full");
  });

  it("rejects --quick with --full", () => {
    const e = cliError(() => parse("--quick", "--full"));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/--quick and --full cannot be used together/);
  });

  it.each([["0"], ["-2"], ["1.5"], ["two"], ["5000"]])("rejects --threads %s", (n) => {
    const e = cliError(() => parse("--threads", n));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/--threads/);
    expect(e.message).toMatch(/whole number of threads/);
  });

  it("rejects a filter that is not a regular expression, naming the problem", () => {
    const e = cliError(() => parse("--filter", "gemm/(4096"));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/not a valid regular expression/);
  });

  it("rejects unknown options and stray arguments", () => {
    expect(cliError(() => parse("--fast")).message).toMatch(/unknown option '--fast'/);
    expect(cliError(() => parse("gemm")).exitCode).toBe(1);
  });

  it("--help prints the usage with exit code 0", () => {
    const e = cliError(() => parse("--help"));
    expect(e.exitCode).toBe(0);
    for (const flag of [
      "--quick",
      "--full",
      "--filter <regex>",
      "--threads <n>",
      "--json",
      "--out <dir>",
      "--list",
    ]) {
      expect(e.message).toContain(flag);
    }
  });
});
