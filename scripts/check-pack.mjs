#!/usr/bin/env node
// Proves that the package in the current directory installs and runs on its own, as users get it:
// `pnpm pack` it (and the workspace packages it depends on), install the tarballs with plain npm
// into a temporary project outside the workspace, import it (ESM, and CJS where shipped), run the
// package's `pack-smoke.mjs` there, and lint the published shape with publint and attw.
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const pkgDir = process.cwd();
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });

/** name -> directory of every workspace package */
function workspacePackages() {
  const map = new Map();
  for (const group of ["packages", "apps"]) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) {
      const file = join(dir, entry, "package.json");
      if (existsSync(file)) map.set(JSON.parse(readFileSync(file, "utf8")).name, join(dir, entry));
    }
  }
  return map;
}

function workspaceClosure(dir, all, seen = new Map()) {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  if (seen.has(pkg.name)) return seen;
  seen.set(pkg.name, dir);
  // Optional dependencies too: @onebit/native's per-platform binary packages.
  for (const [name, range] of Object.entries({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
    if (String(range).startsWith("workspace:")) workspaceClosure(all.get(name), all, seen);
  }
  return seen;
}

const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
const work = mkdtempSync(join(tmpdir(), "onebit-pack-"));
try {
  const tarballs = [];
  for (const dir of workspaceClosure(pkgDir, workspacePackages()).values()) {
    const out = run("pnpm", ["pack", "--pack-destination", work], dir).trim().split("\n").pop();
    tarballs.push(resolve(dir, out));
  }
  writeFileSync(
    join(work, "package.json"),
    JSON.stringify({ name: "pack-check", private: true, type: "module" }),
  );
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs], work);

  const esmKeys = run(
    "node",
    [
      "--input-type=module",
      "-e",
      `const m = await import(${JSON.stringify(pkg.name)}); console.log(Object.keys(m).sort().join(","))`,
    ],
    work,
  ).trim();
  if (!esmKeys) throw new Error(`${pkg.name}: the ESM entry exports nothing`);
  const root = pkg.exports?.["."];
  if (root && typeof root === "object" && "require" in root) {
    const cjsKeys = run(
      "node",
      ["-e", `console.log(Object.keys(require(${JSON.stringify(pkg.name)})).sort().join(","))`],
      work,
    ).trim();
    if (cjsKeys !== esmKeys)
      throw new Error(
        `${pkg.name}: CJS exports differ from ESM exports\n  esm: ${esmKeys}\n  cjs: ${cjsKeys}`,
      );
  }
  const smoke = join(pkgDir, "pack-smoke.mjs");
  if (existsSync(smoke)) {
    copyFileSync(smoke, join(work, "pack-smoke.mjs"));
    process.stdout.write(run("node", ["pack-smoke.mjs"], work));
  }
  run("pnpm", ["exec", "publint", "--strict"], pkgDir);
  const esmOnly = !(root && typeof root === "object" && "require" in root);
  run(
    "pnpm",
    [
      "exec",
      "attw",
      "--pack",
      ".",
      "--format",
      "table-flipped",
      ...(esmOnly ? ["--profile", "esm-only"] : ["--profile", "node16"]),
    ],
    pkgDir,
  );
  console.log(`${pkg.name}: packed, installed with npm outside the workspace, imported and linted — ok`);
} catch (error) {
  console.error(error.stdout ?? "", error.stderr ?? "");
  console.error(`${pkg.name}: package check failed: ${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
