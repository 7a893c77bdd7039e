#!/usr/bin/env node
// Compiles the Node-API addon (csrc/*.c) with the system C compiler into the per-platform package
// this runs in (its `os`/`cpu`/`libc` fields must match this machine): <package>/onebit.node.
// Headers come from the node-api-headers npm package; nothing is downloaded. Without a C compiler
// the build fails when CI is set (the native tests must run there) and otherwise prints why it
// skipped: @onebit/native then reports the missing binary and @onebit/bitops uses WebAssembly.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { ADDON_CFLAGS } from "./addon-cflags.mjs";

const here = import.meta.dirname;
const csrc = resolve(here, "../csrc");
const pkgDir = process.cwd();
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
const require = createRequire(join(pkgDir, "package.json"));

const hostLibc = () => (process.report?.getReport().header.glibcVersionRuntime ? "glibc" : "musl");
const matches = (list, value) => !list || list.includes(value);
if (
  !matches(pkg.os, process.platform) ||
  !matches(pkg.cpu, process.arch) ||
  (process.platform === "linux" && !matches(pkg.libc, hostLibc()))
) {
  console.log(
    `${pkg.name}: not this machine's platform (${process.platform}-${process.arch}); nothing to build`,
  );
  process.exit(0);
}

function findCompiler() {
  for (const cc of [process.env.CC, "cc", "gcc", "clang"].filter(Boolean)) {
    try {
      execFileSync(cc, ["--version"], { stdio: "ignore" });
      return cc;
    } catch {}
  }
  return undefined;
}

const cc = findCompiler();
if (!cc) {
  const message = `${pkg.name}: no C compiler found (tried $CC, cc, gcc, clang); install one (e.g. apt-get install gcc)`;
  if (process.env.CI) {
    console.error(`${message}. CI must build the native addon.`);
    process.exit(1);
  }
  console.warn(`${message} to build the native kernels. Skipped: onebit falls back to WebAssembly.`);
  process.exit(0);
}

const headers = join(dirname(require.resolve("node-api-headers/package.json")), "include");
const out = join(pkgDir, "onebit.node");
const tmp = `${out}.${process.pid}.tmp`;
const sources = readdirSync(csrc).filter((f) => f.endsWith(".c"));
const args = [...ADDON_CFLAGS, "-I", headers, ...sources.map((s) => join(csrc, s)), "-o", tmp];
// Node-API symbols resolve against the running node binary at load time.
if (process.platform === "darwin") args.push("-undefined", "dynamic_lookup");
try {
  execFileSync(cc, args, { stdio: "inherit" });
  renameSync(tmp, out); // atomic: a killed build never leaves a partial binary
} catch {
  rmSync(tmp, { force: true });
  console.error(`${pkg.name}: compiling the addon with ${cc} failed`);
  process.exit(1);
}
console.log(`${pkg.name}: built ${out} with ${cc}`);
