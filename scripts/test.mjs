#!/usr/bin/env node
// `pnpm test`: every package's tests and pack checks through turbo, with the browser in the cache key.
// Turbo caches a task's logs by its inputs; Chromium lives outside the repository, so without this a
// run after installing Chromium would replay the cached "browser tests skipped" logs. ONEBIT_BROWSER
// (hashed: turbo.json globalEnv) names the browser, so installing or upgrading it reruns those tests.
import { execFileSync, spawnSync } from "node:child_process";
import { SKIP_MESSAGE, findChromium } from "./test-support/chromium-path.mjs";

const chromium = findChromium();
let browser = "none";
if (chromium) {
  try {
    browser = `${chromium} ${execFileSync(chromium, ["--version"], { encoding: "utf8" }).trim()}`;
  } catch {
    browser = chromium;
  }
}

const result = spawnSync("turbo", ["run", "test", "test:pack", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, ONEBIT_BROWSER: browser },
});
if (!chromium) {
  // One visible line at the end, so a skipped browser suite is never mistaken for a passing one.
  process.stderr.write(`\n!! ${SKIP_MESSAGE}${process.env.CI ? " — failing: CI is set" : ""}\n`);
  if (process.env.CI) process.exit(1);
}
process.exit(result.status ?? 1);
